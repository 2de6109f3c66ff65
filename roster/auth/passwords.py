"""Password hashing with Argon2id and the password policy."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Argon2id at t=2, m=19 MiB, p=1: the minimum OWASP recommends for interactive logins.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
MIN_LENGTH = 12
MAX_LENGTH = 256


def password_problem(password: str) -> str | None:
    """Return why a password is not acceptable, in plain words, or None if it is."""
    if len(password) < MIN_LENGTH:
        return f"The password must be at least {MIN_LENGTH} characters long."
    if len(password) > MAX_LENGTH:
        return f"The password must be at most {MAX_LENGTH} characters long."
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
