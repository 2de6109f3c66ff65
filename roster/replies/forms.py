"""The reply page's one form: confirm the answer the link carries."""

from flask_wtf import FlaskForm


class ConfirmReplyForm(FlaskForm):
    """Confirm the answer (the link's token carries it; the form carries only its guard)."""
