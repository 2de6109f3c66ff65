"""The mail that accounts receive: confirmation, reset, already registered, staff invitation.

Each function composes its message from ``templates/mail/`` and writes it to the
outbox in the caller's transaction; it is sent only once that transaction commits.
Links are signed for the user and built on the configured public address.
"""

from sqlmodel import Session

from roster.accounts.links import Signer
from roster.accounts.services import Registration
from roster.i18n import saved_language
from roster.links import public_url
from roster.mail import compose
from roster.models import User
from roster.outbox import queue_mail


def queue_confirmation(*, session: Session, signer: Signer, user: User) -> None:
    """Queue the link that confirms a new account's email address."""
    link = public_url("auth.confirm", token=signer.confirmation_token(user))
    mail = compose(
        "confirmation",
        to=user.email,
        language=saved_language(user),
        name=user.display_name,
        link=link,
    )
    queue_mail(session=session, mail=mail)


def queue_reset(*, session: Session, signer: Signer, user: User) -> None:
    """Queue a single-use link to choose a new password."""
    link = public_url("auth.reset_password", token=signer.reset_token(user))
    queue_mail(
        session=session,
        mail=compose("reset", to=user.email, language=saved_language(user), link=link),
    )


def queue_already_registered(*, session: Session, signer: Signer, user: User) -> None:
    """Tell an account's owner that someone tried to register with their address."""
    mail = compose(
        "already_registered",
        to=user.email,
        language=saved_language(user),
        login_link=public_url("auth.login"),
        reset_link=public_url("auth.reset_password", token=signer.reset_token(user)),
    )
    queue_mail(session=session, mail=mail)


def queue_registration_notice(
    *, session: Session, signer: Signer, registration: Registration
) -> None:
    """Queue what a registration leads to: a confirmation link for a new account, or a note
    to the owner of the existing one (none to a disabled account)."""
    if registration.new:
        queue_confirmation(session=session, signer=signer, user=registration.user)
    elif not registration.user.disabled:
        # The owner learns of the attempt; the stranger who made it sees the usual answer.
        queue_already_registered(session=session, signer=signer, user=registration.user)


def queue_staff_invitation(*, session: Session, signer: Signer, user: User) -> None:
    """Queue a new staff account's link to choose its password."""
    link = public_url("auth.reset_password", token=signer.reset_token(user))
    mail = compose(
        "staff_invitation",
        to=user.email,
        language=saved_language(user),
        name=user.display_name,
        link=link,
    )
    queue_mail(session=session, mail=mail)
