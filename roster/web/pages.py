"""A form page's one flow: validate, call the service, then redirect or show what to correct."""

from collections.abc import Callable, Iterable

from flask import flash, redirect, render_template
from flask_wtf import FlaskForm

from roster.i18n import translate
from roster.messages import Message
from roster.refusal import Changed, Refused
from roster.web.forms import set_version, show_refusal


def render_form(template: str, form: FlaskForm, status: int = 200, **context):
    """Render a form page (its error summary lists ``form``'s problems)."""
    return render_template(template, form=form, **context), status


def submit(
    form: FlaskForm,
    template: str,
    save: Callable[[], Iterable[Message] | None],
    *,
    saved: Message | str,
    next_url: str | Callable[[], str],
    version: int | None = None,
    **context,
):
    """Validate ``form`` and run ``save``; redirect to ``next_url`` with its notes flashed.

    ``next_url`` may be a function, asked once saved (the address of a record just made).
    Otherwise the page again, with what to correct: 400 for input refused (by the form or
    by the service's ``Refused``), 409 when the record changed meanwhile (``Changed``; the
    form is sent again with ``version``, the record's stored version, so that a second try
    saves what the person checked).
    """
    status = 200
    if form.validate_on_submit():
        try:
            notes = save() or []
        except Changed as changed:
            form.form_errors.append(translate(changed.message))
            if version is not None:
                set_version(form, version)
            status = 409
        except Refused as refusal:
            show_refusal(form, refusal)
            status = 400
        else:
            flash(translate(saved), "success")
            for note in notes:
                flash(translate(note), "info")
            return redirect(next_url() if callable(next_url) else next_url)
    elif form.is_submitted():
        status = 400
    return render_form(template, form, status, **context)
