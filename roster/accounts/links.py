"""Links mailed to account holders: signed for one purpose, valid for a while, checked on return.

A reset link carries a fingerprint of the password hash, so it stops working once the
password changes (and an invitation's link once a new invitation is sent).
"""

import hashlib
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from roster.messages import N_, Message
from roster.models import User
from roster.refusal import OneProblem


class LinkInvalid(OneProblem):
    """A confirmation or reset link that is expired, tampered with or already used."""


@dataclass(frozen=True)
class Signer:
    """Signs and checks the links sent by email."""

    secret_key: str

    def _serializer(self, purpose: str) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret_key, salt=f"roster-{purpose}")

    def confirmation_token(self, user: User) -> str:
        """Return a token confirming ``user``'s email address."""
        return self._serializer("confirm").dumps({"user": user.public_id, "email": user.email})

    def reset_token(self, user: User) -> str:
        """Return a single-use token to choose a new password."""
        return self._serializer("reset").dumps({"user": user.public_id, "pw": fingerprint(user)})

    def load(self, purpose: str, token: str, max_age: int) -> dict:
        """Return a token's payload or raise ``LinkInvalid`` in plain words."""
        try:
            return self._serializer(purpose).loads(token, max_age=max_age)
        except SignatureExpired:
            expired = N_("This link has expired. Please ask for a new one.")
            raise LinkInvalid(Message(expired)) from None
        except BadSignature:
            raise LinkInvalid(
                Message(N_("This link is not valid. Please check that you copied all of it."))
            ) from None


def fingerprint(user: User) -> str:
    """A short digest of the password hash: a link carrying it dies with the password."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
