"""Likely duplicates for recruiters and admins: the review list, a pair side by side, decisions."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from roster.auth.access import roles_required
from roster.db import get_session
from roster.duplicates.forms import MergeForm, NotSameForm, OpenPairForm
from roster.i18n import translate
from roster.messages import N_, Message
from roster.models import DuplicatePair, RoleName
from roster.recruiting import duplicate_review as review
from roster.recruiting.merge import CHOOSABLE, MergeRefused
from roster.refusal import Changed
from roster.web import display
from roster.web.forms import show_refusal

blueprint = Blueprint("duplicates", __name__, url_prefix="/duplicates")
blueprint.context_processor(display.context)
STAFF = (RoleName.RECRUITER, RoleName.ADMIN)
FOUND_BY = {
    "registration": N_("at registration"),
    "import": N_("at import"),
    "sweep": N_("by the sweep"),
}
EVIDENCE = {
    "full_name": N_("name"),
    "email": N_("email"),
    "email_local": N_("email's name part"),
    "nationalities": N_("nationalities"),
    "residence_country": N_("residence"),
    "languages": N_("languages"),
    "skills": N_("expertise"),
}


@blueprint.context_processor
def _labels() -> dict:
    def found_by_label(code: str) -> str:
        return translate(Message(FOUND_BY.get(code, code)))

    def evidence_labels(codes: list[str]) -> str:
        return ", ".join(translate(Message(EVIDENCE[c])) for c in codes if c in EVIDENCE)

    return {"found_by_label": found_by_label, "evidence_labels": evidence_labels}


def _pair_or_404(public_id: str) -> DuplicatePair:
    pair = review.pair_by_public_id(session=get_session(), public_id=public_id)
    if pair is None:
        abort(404, "There is no such pair of records.")
    return pair


@blueprint.get("")
@roles_required(*STAFF)
def index():
    """Open pairs, best score first, a page at a time."""
    page = review.open_pairs(session=get_session(), page=request.args.get("page", 1, type=int))
    return render_template("duplicates/index.html", page=page)


@blueprint.route("/<public_id>", methods=["GET", "POST"])
@roles_required(*STAFF)
def pair(public_id: str):
    """Say that opening the pair is recorded; on POST, record it and show the two records."""
    found = _pair_or_404(public_id)
    form = OpenPairForm()
    if form.validate_on_submit():
        review.record_review(session=get_session(), pair=found, by=current_user)
        return _side_by_side(found)
    status = 400 if form.is_submitted() else 200
    return render_template("duplicates/open.html", pair=found, form=form), status


def _side_by_side(found: DuplicatePair, merge: MergeForm | None = None, status: int = 200):
    first, second = review.experts_of(session=get_session(), pair=found)
    merge = merge or MergeForm(formdata=None)
    merge.version_first.data = str(first.version)
    merge.version_second.data = str(second.version)
    rows = review.compare(first, second)
    chosen = {name: request.form.get(f"keep_{name}") for name in CHOOSABLE}
    return render_template(
        "duplicates/pair.html",
        pair=found,
        first=first,
        second=second,
        rows=rows,
        chosen=chosen,
        survivor=request.form.get("survivor") or first.public_id,
        merge=merge,
        not_same=NotSameForm(formdata=None),
    ), status


@blueprint.post("/<public_id>/not-same")
@roles_required(*STAFF)
def not_same(public_id: str):
    """Remember that the pair is two people."""
    found = _pair_or_404(public_id)
    if not NotSameForm().validate_on_submit():
        abort(400, "The form expired; open the pair again.")
    try:
        review.not_same(session=get_session(), pair=found, by=current_user)
    except Changed as changed:
        abort(409, translate(changed.message))
    flash(translate(Message(N_("Remembered: these are two people."))), "success")
    return redirect(url_for("duplicates.index"))


@blueprint.post("/<public_id>/merge")
@roles_required(*STAFF)
def merge(public_id: str):
    """Merge the pair field by field; stale records give the page again with their values."""
    found = _pair_or_404(public_id)
    form = MergeForm()
    if not form.validate_on_submit():
        abort(400, "The form expired; open the pair again.")
    first, second = review.experts_of(session=get_session(), pair=found)
    choices = {
        name: request.form[f"keep_{name}"] for name in CHOOSABLE if f"keep_{name}" in request.form
    }
    try:
        merged = review.merge_pair(
            session=get_session(),
            pair=found,
            survivor_public_id=request.form.get("survivor", ""),
            choices=choices,
            versions={
                first.public_id: form.version_first.data,
                second.public_id: form.version_second.data,
            },
            by=current_user,
        )
    except MergeRefused as refusal:
        show_refusal(form, refusal)
        return _side_by_side(found, form, 400)
    except Changed as changed:
        get_session().rollback()
        form.form_errors.append(translate(changed.message))
        return _side_by_side(_pair_or_404(public_id), form, 409)
    flash(
        translate(
            Message(
                N_("Merged: %(merged)s is now part of %(survivor)s."),
                {"merged": merged.merged.external_id, "survivor": merged.survivor.external_id},
            )
        ),
        "success",
    )
    return redirect(url_for("duplicates.index"))
