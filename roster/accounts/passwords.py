"""Password hashing with Argon2id and the password policy."""

import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from roster.messages import N_, Message

# Argon2id at t=2, m=19 MiB, p=1: the minimum OWASP recommends for interactive logins.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_LENGTH = 12
MAX_LENGTH = 256


COMMON_PASSWORDS = Path(__file__).resolve().parent.parent / "data" / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    lines = COMMON_PASSWORDS.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line and not line.startswith("#"))


def password_problem(password: str, *, email: str = "") -> Message | None:
    """Return why a password is not acceptable, in plain words, or None if it is.

    Length is what makes a password strong, so there are no composition rules; a
    password that is, or merely pads, a well-known one is refused.
    """
    if len(password) < MIN_LENGTH:
        return Message(
            N_("The password must be at least %(least)s characters long."), {"least": MIN_LENGTH}
        )
    if len(password) > MAX_LENGTH:
        return Message(
            N_("The password must be at most %(most)s characters long."), {"most": MAX_LENGTH}
        )
    lowered = password.lower()
    core = re.sub(r"[\d\W_]+$", "", lowered)
    common = common_passwords()
    repeated = any(
        len(lowered) % n == 0 and lowered[:n] * (len(lowered) // n) == lowered
        for n in range(1, len(lowered) // 2 + 1)
    )
    if lowered in common or (len(core) >= 4 and core in common) or repeated:
        return Message(
            N_("This password is too common and easy to guess. Please choose another one.")
        )
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return Message(N_("The password must not contain your email address."))
    return None


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Check a password against its stored hash."""
    try:
        return HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Say whether a hash was made with weaker parameters than today's."""
    return HASHER.check_needs_rehash(stored_hash)
