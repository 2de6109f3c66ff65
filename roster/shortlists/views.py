"""A role's shortlist page: issued or live, widened or weighed; each candidate's outcome and
call-out."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import format_decimal, gettext
from flask_login import current_user

from matching.messages import TEMPLATES
from matching.scoring import CRITERIA
from roster.auth.access import roles_required
from roster.db import get_session
from roster.i18n import reason_text, translate
from roster.matchers import current_matcher
from roster.messages import N_
from roster.missions import candidates as on_role
from roster.missions import shortlists as services
from roster.missions.records import NeedsChanged, NeedsInvalid
from roster.models import Expert, MissionRole, RoleName, Shortlist, ShortlistEntry
from roster.refusal import Refused
from roster.shortlists.forms import OutcomeForm, WeighForm, WidenForm
from roster.web import display
from roster.web.files import cv_download
from roster.web.forms import show_refusal
from roster.web.pages import render_form

blueprint = Blueprint("shortlists", __name__, url_prefix="/needs/<public_id>/roles/<role_key>")
blueprint.context_processor(display.context)
PLANNERS = (RoleName.PLANNER, RoleName.ADMIN)
TEMPLATE = "shortlists/role.html"

CRITERION_WORDS = services.CRITERION_NAMES
CALL_OUT_WORDS = {
    "awaiting": N_("called out, awaiting an answer"),
    "reminded": N_("called out and reminded, awaiting an answer"),
    "available": N_("answered: available"),
    "unavailable": N_("answered: not available"),
    "withdrawn": N_("call-out withdrawn"),
    "expired": N_("called out; the answer links expired unanswered"),
}


def said(reason: dict) -> str:
    """A matcher's reason in the page's language; its English sentence where its code is unknown."""
    if reason.get("code") in TEMPLATES:
        return reason_text(reason)
    return reason.get("text", "")


@blueprint.context_processor
def _helpers() -> dict:
    return {
        "said": said,
        "outcome_word": lambda outcome: gettext(on_role.OUTCOME_WORDS[outcome]),
        "criterion_word": lambda name: gettext(CRITERION_WORDS.get(name, name)),
        "call_out_word": lambda state: gettext(CALL_OUT_WORDS[state]) if state else "",
        "call_out_state": on_role.call_out_state,
        "number": lambda value, places=3: format_decimal(value, format="0." + "0" * places),
        "weight": lambda value: format_decimal(value, format="0.######"),
        "criteria": CRITERIA,
        "max_weight": services.MAX_WEIGHT,
    }


def _role_or_404(public_id: str, role_key: str) -> MissionRole:
    role = on_role.role_by_key(session=get_session(), public_id=public_id, role_key=role_key)
    if role is None:
        abort(404, gettext("There is no such role of a needs assessment."))
    return role


def _shortlist_or_404(role: MissionRole, shortlist_id: str) -> Shortlist:
    shortlist = on_role.shortlist_of(session=get_session(), role=role, public_id=shortlist_id)
    if shortlist is None:
        abort(404, gettext("There is no such shortlist of this role."))
    return shortlist


def _entry_or_404(shortlist: Shortlist, rank: int | str) -> ShortlistEntry:
    wanted = int(rank) if str(rank).isdigit() else None
    entry = next((e for e in shortlist.entries if e.rank == wanted), None)
    if entry is None:
        abort(404, gettext("There is no candidate at that rank on this shortlist."))
    return entry


def _widen_form(role: MissionRole, formdata=None) -> WidenForm:
    form = WidenForm(formdata=formdata)
    form.lower.choices = [
        (
            language["code"],
            gettext(
                "%(language)s: %(level)s instead of %(wanted)s",
                language=display.language_label(language["code"]),
                level=display.level_label(services.lower_level(language["level"])),
                wanted=display.level_label(language["level"]),
            ),
        )
        for language in services.lowerable_languages(role)
    ]
    form.optional.choices = [(code, display.skill_label(code)) for code in role.required_skills]
    return form


def _weigh_form(in_use: dict[str, float], formdata=None) -> WeighForm:
    """The planner's weights as sent, or prefilled with the weights in use."""
    form = WeighForm(formdata=formdata)
    if formdata is None:
        for name, value in in_use.items():
            if name in form:
                form[name].data = repr(float(value))
    return form


def _weights_sent(formdata) -> dict | None:
    """The planner's weights in ``formdata`` (numbers, or the text sent), None if none."""
    form = WeighForm(formdata=formdata)
    if not any(key.startswith("weights-") for key in formdata):
        return None
    return form.asked()


def _show(refusal: Refused, widen_form: WidenForm, weigh_form: WeighForm) -> None:
    """Put a refusal on the form it is about: the weights', or the widening's."""
    if all(found.path.startswith("weights") for found in refusal.problems):
        show_refusal(weigh_form, refusal)
    else:
        show_refusal(widen_form, refusal)


def _widening(form: WidenForm) -> services.Widening:
    return services.Widening(
        partial=bool(form.partial.data),
        lower_languages=tuple(form.lower.data or ()),
        optional_skills=tuple(form.optional.data or ()),
    )


def _outcome_form(candidate: on_role.Candidate, formdata=None) -> OutcomeForm:
    form = OutcomeForm(formdata=formdata, prefix=f"c{candidate.rank}")
    form.PATHS = {name: f"c{candidate.rank}-{name}" for name in ("to", "reason", "rating")}
    form.to.choices = [
        (outcome.value, gettext(on_role.OUTCOME_WORDS[outcome]))
        for outcome, _required in candidate.next_outcomes
    ]
    if formdata is None:
        form.shown_at.data = candidate.outcome.value if candidate.outcome else ""
    return form


def _call_out_action(role: MissionRole) -> str:
    return url_for("callouts.send", public_id=role.needs.public_id, role_key=role.role_key)


def _render(
    role: MissionRole,
    *,
    shortlist: Shortlist | None = None,
    widening: services.Widening | None = None,
    weights: dict | None = None,
    widen_form: WidenForm | None = None,
    weigh_form: WeighForm | None = None,
    status: int = 200,
    forms: dict[int, OutcomeForm] | None = None,
    contact_rank: int | None = None,
):
    """The role's page: an issued shortlist as it was, or the live (perhaps widened or weighed)
    one; ``weights`` are the planner's for this request, checked by the service."""
    session = get_session()
    issued = on_role.shortlists_of(session=session, role=role)
    preview = bool(widening) or bool(weights)
    if shortlist is None and not preview and issued:
        shortlist = issued[0]
    matched = base = None
    fitted = current_matcher()
    if shortlist is not None:
        candidates = on_role.issued_candidates(
            session=session, role=role, shortlist=shortlist, viewer=current_user
        )
        eligible, constraints = shortlist.eligible_count, shortlist.constraints
        shortfall = constraints.get("shortfall") or {}
        binding, shortfall_notes = shortfall.get("binding"), shortfall.get("note_codes", [])
    else:
        matched = services.match_role(role=role, fitted=fitted, widening=widening, weights=weights)
        if preview:
            base = services.match_role(role=role, fitted=fitted)
        candidates = on_role.preview_candidates(session=session, role=role, matched=matched)
        eligible, constraints = matched.eligible_count, matched.result["constraints"]
        binding, shortfall_notes = matched.binding, matched.shortfall_notes
    forms = forms or {}
    for candidate in candidates:
        if candidate.entry is not None and candidate.rank not in forms:
            forms[candidate.rank] = _outcome_form(candidate)
    length = len(candidates)
    in_use = (base or matched).result["weights"] if matched else services.base_weights(fitted)
    shown_weights = dict(matched.result["weights"] if matched else shortlist.weights)
    return render_form(
        TEMPLATE,
        widen_form or _widen_form(role),
        status,
        weigh_form=weigh_form or _weigh_form(shown_weights if weights else in_use),
        weighed=bool(weights),
        preview=preview,
        weights_in_use=in_use,
        shown_weights=shown_weights,
        changed_weights=services.weights_differ(shown_weights, in_use) if shown_weights else [],
        reset_url=_reset_url(role, widening),
        role=role,
        needs=role.needs,
        shortlist=shortlist,
        latest=issued[0] if issued else None,
        issued=issued,
        matched=matched,
        base=base,
        new_in_top=len(set(matched.external_ids) - set(base.external_ids)) if base else 0,
        widening=widening,
        candidates=candidates,
        eligible=eligible,
        constraints=constraints,
        women_needed=services.women_needed(constraints.get("gender_target", 0), length),
        binding=binding,
        shortfall_notes=shortfall_notes,
        forms=forms,
        contact_rank=contact_rank,
        call_out_action=_call_out_action(role),
        terms=services.terms_of(
            request=matched.request if matched else shortlist.request, role=role
        ),
    )


def _reset_url(role: MissionRole, widening: services.Widening | None) -> str:
    """The page without the planner's weights: the widened preview, or the role's page."""
    if not widening:
        return url_for(".role", public_id=role.needs.public_id, role_key=role.role_key)
    return url_for(
        ".widen",
        public_id=role.needs.public_id,
        role_key=role.role_key,
        partial="y" if widening.partial else None,
        lower=list(widening.lower_languages),
        optional=list(widening.optional_skills),
    )


@blueprint.get("")
@roles_required(*PLANNERS)
def role(public_id: str, role_key: str):
    """The role's latest shortlist as issued, or the live one with a button to issue it;
    with the planner's weights in the query (``weights-<criterion>``), ranked under them."""
    role = _role_or_404(public_id, role_key)
    if any(key.startswith("weights-") for key in request.args):
        return _preview(role)
    return _render(role)


@blueprint.get("/widen")
@roles_required(*PLANNERS)
def widen(public_id: str, role_key: str):
    """The role's shortlist asked for more loosely, and how it differs, before it is issued."""
    return _preview(_role_or_404(public_id, role_key))


def _preview(role: MissionRole):
    """A preview, widened or weighed or both as the query asks; nothing is kept.

    ``widen`` previews a widening, the role's page the planner's weights: each reads both.
    """
    form = _widen_form(role, request.args)
    weigh_form = WeighForm(formdata=request.args)
    if not form.validate():
        return _render(role, widen_form=form, weigh_form=weigh_form, status=400)
    try:
        return _render(
            role,
            widening=_widening(form),
            weights=_weights_sent(request.args),
            widen_form=form,
            weigh_form=weigh_form,
        )
    except (services.WideningInvalid, services.WeightsInvalid) as refusal:
        _show(refusal, form, weigh_form)
        return _render(role, widen_form=form, weigh_form=weigh_form, status=400)


@blueprint.get("/shortlists/<shortlist_id>")
@roles_required(*PLANNERS)
def shortlist(public_id: str, role_key: str, shortlist_id: str):
    """An earlier shortlist of the role, as it was issued."""
    role = _role_or_404(public_id, role_key)
    return _render(role, shortlist=_shortlist_or_404(role, shortlist_id))


@blueprint.post("/issue")
@roles_required(*PLANNERS)
def issue(public_id: str, role_key: str):
    """Issue the role's shortlist (widened and weighed as previewed): kept as issued with its
    weights, candidates shortlisted."""
    role = _role_or_404(public_id, role_key)
    form = _widen_form(role, request.form)
    weigh_form = WeighForm(formdata=request.form)
    if not form.validate():
        return _render(role, widen_form=form, weigh_form=weigh_form, status=400)
    try:
        services.issue_shortlist(
            session=get_session(),
            role=role,
            by=current_user,
            fitted=current_matcher(),
            widen=_widening(form),
            weights=_weights_sent(request.form),
        )
    except Refused as refusal:
        _show(refusal, form, weigh_form)
        return _render(role, widen_form=form, weigh_form=weigh_form, status=400)
    flash(gettext("The shortlist was issued."), "success")
    return redirect(url_for(".role", public_id=public_id, role_key=role_key))


@blueprint.post("/terms")
@roles_required(*PLANNERS)
def save_terms(public_id: str, role_key: str):
    """Save the widened terms to the role itself (the needs assessment is saved again)."""
    role = _role_or_404(public_id, role_key)
    form = _widen_form(role, request.form)
    version = request.form.get("version", type=int)
    widening = _widening(form) if form.validate() else None
    if not widening or version is None:
        form.form_errors.append(gettext("Choose how to widen the role first."))
        return _render(role, widen_form=form, status=400)
    try:
        services.save_widened_terms(
            session=get_session(), role=role, by=current_user, widening=widening, version=version
        )
    except NeedsChanged as changed:
        form.form_errors.append(translate(changed.problems[0].message))
        return _render(role, widening=widening, widen_form=form, status=409)
    except (NeedsInvalid, services.WideningInvalid) as refusal:
        show_refusal(form, refusal)
        return _render(role, widen_form=form, status=400)
    flash(gettext("The role's terms were saved."), "success")
    return redirect(url_for(".role", public_id=public_id, role_key=role_key))


def _candidate_of(role: MissionRole, shortlist: Shortlist, rank: int) -> on_role.Candidate:
    candidates = on_role.issued_candidates(
        session=get_session(), role=role, shortlist=shortlist, viewer=current_user
    )
    return next(c for c in candidates if c.rank == rank)


@blueprint.post("/shortlists/<shortlist_id>/candidates/<rank>/outcome")
@roles_required(*PLANNERS)
def outcome(public_id: str, role_key: str, shortlist_id: str, rank: str):
    """Record a candidate's next outcome, if nobody recorded another since the page was shown."""
    role = _role_or_404(public_id, role_key)
    shortlist = _shortlist_or_404(role, shortlist_id)
    entry = _entry_or_404(shortlist, rank)
    candidate = _candidate_of(role, shortlist, entry.rank)
    form = _outcome_form(candidate, request.form)
    status = 400
    if form.validate():
        try:
            on_role.record_candidate_outcome(
                session=get_session(),
                role=role,
                entry=entry,
                by=current_user,
                to=form.to.data or "",
                shown_at=form.shown_at.data or "",
                reason=form.reason.data or "",
                rating=int(form.rating.data) if form.rating.data else None,
            )
        except on_role.OutcomeChanged as changed:
            form.form_errors.append(translate(changed.message))
            form.shown_at.data = candidate.outcome.value if candidate.outcome else ""
            status = 409
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            flash(gettext("The outcome was recorded."), "success")
            return redirect(_back(role, shortlist, entry.rank))
    return _render(role, shortlist=shortlist, status=status, forms={entry.rank: form})


def _back(role: MissionRole, shortlist: Shortlist, rank: int) -> str:
    return (
        url_for(
            ".shortlist",
            public_id=role.needs.public_id,
            role_key=role.role_key,
            shortlist_id=shortlist.public_id,
        )
        + f"#candidate-{rank}"
    )


@blueprint.post("/shortlists/<shortlist_id>/candidates/<rank>/reveal")
@roles_required(*PLANNERS)
def reveal(public_id: str, role_key: str, shortlist_id: str, rank: str):
    """Reveal who a candidate of a blind shortlist is (audited)."""
    role = _role_or_404(public_id, role_key)
    shortlist = _shortlist_or_404(role, shortlist_id)
    entry = _entry_or_404(shortlist, rank)
    try:
        on_role.reveal(session=get_session(), role=role, entry=entry, by=current_user)
    except Refused as refusal:
        abort(400, translate(refusal.problems[0].message))
    flash(gettext("The candidate's identity is now shown; the reveal was recorded."), "info")
    return redirect(_back(role, shortlist, entry.rank))


def _selected_expert(role: MissionRole, shortlist: Shortlist, rank: str, what: str):
    entry = _entry_or_404(shortlist, rank)
    if entry.expert_id is None:
        abort(404, gettext("This candidate is no longer on the roster."))
    expert = get_session().get(Expert, entry.expert_id)
    try:
        on_role.record_contact_view(
            session=get_session(), role=role, expert=expert, by=current_user, what=what
        )
    except Refused as refusal:
        abort(403, translate(refusal.problems[0].message))
    return expert


@blueprint.post("/shortlists/<shortlist_id>/candidates/<rank>/contact")
@roles_required(*PLANNERS)
def contact(public_id: str, role_key: str, shortlist_id: str, rank: str):
    """Show a selected candidate's contact details (the view is audited, the expert sees it)."""
    role = _role_or_404(public_id, role_key)
    shortlist = _shortlist_or_404(role, shortlist_id)
    _selected_expert(role, shortlist, rank, "contact")
    return _render(role, shortlist=shortlist, contact_rank=int(rank))


@blueprint.post("/shortlists/<shortlist_id>/candidates/<rank>/cv")
@roles_required(*PLANNERS)
def cv(public_id: str, role_key: str, shortlist_id: str, rank: str):
    """Download a selected candidate's CV (audited, the expert sees it)."""
    role = _role_or_404(public_id, role_key)
    shortlist = _shortlist_or_404(role, shortlist_id)
    return cv_download(_selected_expert(role, shortlist, rank, "cv"))
