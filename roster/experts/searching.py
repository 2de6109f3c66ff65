"""The search page and what is done from it: export to CSV and bulk roster-status changes.

The rules are ``roster.recruiting`` services; this module reads the request, calls one,
and renders. Every refusal is the search page (or the confirmation page) again, with a
400 and its problem said beside the filter or field it names.
"""

from dataclasses import replace
from urllib.parse import parse_qsl, urlencode

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import format_number, ngettext
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from roster.db import engines, get_session
from roster.experts.forms import BulkConfirmForm, BulkForm, ExpertSearchForm, ExportForm
from roster.i18n import translate
from roster.models import RosterStatus
from roster.recruiting import bulk, export
from roster.recruiting.search import (
    Facets,
    SearchCriteria,
    SearchRefused,
    current_index,
    facet_counts,
    parse_criteria,
    parse_page,
    parse_sort,
    run_search,
)
from roster.web.display import status_label
from roster.web.files import experts_csv
from roster.web.forms import show_refusal

LANGUAGES_SHOWN = 12  # of the languages facet: the most held


def _links(criteria: SearchCriteria, sort: str):
    """Address builders for the template: sort, page and facet links of this search."""
    base = criteria.arguments()

    def address(pairs) -> str:
        query = urlencode(pairs)
        return url_for("experts.search") + (f"?{query}" if query else "")

    def sort_url(key: str) -> str:
        current = sort.removeprefix("-")
        wanted = f"-{key}" if current == key and not sort.startswith("-") else key
        return address([*base, *([("sort", wanted)] if wanted != "name" else [])])

    def page_url(number: int) -> str:
        extra = [("sort", sort)] if sort != "name" else []
        return address([*base, *extra, *([("page", str(number))] if number > 1 else [])])

    def facet_url(facet: str, code: str) -> str | None:
        narrowed = _narrowed(criteria, facet, code)
        return None if narrowed is None or narrowed == criteria else address(narrowed.arguments())

    return {"sort_url": sort_url, "page_url": page_url, "facet_url": facet_url}


def _narrowed(criteria: SearchCriteria, facet: str, code: str) -> SearchCriteria | None:
    if facet == "status":
        return replace(criteria, statuses=(*criteria.statuses, RosterStatus(code)))
    if facet == "region":
        return replace(criteria, regions=(*criteria.regions, code))
    if facet == "expertise":
        return replace(criteria, skills=(*criteria.skills, code))
    if facet == "accessibility":
        return replace(criteria, accessibility=(*criteria.accessibility, code))
    if facet == "language" and not criteria.language:
        return replace(criteria, language=code)
    if facet == "verified":
        return replace(criteria, expertise=code)
    return None


def _facets_shown(facets: Facets) -> Facets:
    return replace(facets, language=facets.language[:LANGUAGES_SHOWN])


def search_page(
    args: MultiDict,
    *,
    export_form: ExportForm | None = None,
    bulk_form: BulkForm | None = None,
    status: int = 200,
    query_string: str | None = None,
):
    """The search page for the address's arguments ``args``; 400 with what to correct.

    Given the address's ``query_string`` (a GET of the page), a search written otherwise
    than canonically (a form's empty fields, a code in lower case) is redirected to its
    canonical address, so that the address bookmarked or shared is short and the same.
    """
    form = ExpertSearchForm(args)
    context = {
        "form": form,
        "page": None,
        "facets": None,
        "number": format_number,
        "export_form": export_form or ExportForm(formdata=None),
        "bulk_form": bulk_form or BulkForm(formdata=None),
    }
    typed = [form.q.validate(form), form.text.validate(form)]
    if not all(typed):
        return render_template("experts/search.html", **context), 400
    try:
        criteria = parse_criteria(args)
        sort = parse_sort(args.get("sort"))
        number = parse_page(args.get("page"))
        session = get_session()
        # A rebuild behind the roster at most (seconds), except in tests: they see it as it is.
        index = current_index(session, stale_ok=not current_app.testing, engine=engines().read)
        found = run_search(session=session, criteria=criteria, page=number, sort=sort, index=index)
        facets = facet_counts(session=session, criteria=criteria, index=index)
    except SearchRefused as refusal:
        show_refusal(form, refusal)
        return render_template("experts/search.html", **context), 400
    query = criteria.to_query()
    canonical = _links(criteria, sort)["page_url"](number)
    if query_string is not None and canonical != _search_url(query_string):
        return redirect(canonical)
    for action_form in (context["export_form"], context["bulk_form"]):
        action_form.query.data = query
    context["export_form"].sort.data = sort
    context |= {
        "criteria": criteria,
        "query": query,
        "sort": sort,
        "page": found,
        "facets": _facets_shown(facets),
        **_links(criteria, sort),
    }
    return render_template("experts/search.html", **context), status


def _criteria_of(query: str | None) -> tuple[MultiDict, SearchCriteria | None]:
    args = MultiDict(parse_qsl(query or "", keep_blank_values=False))
    try:
        return args, parse_criteria(args)
    except SearchRefused:
        return args, None


def export_csv():
    """Record the export with its reason, then stream the result as CSV."""
    form = ExportForm()
    args, criteria = _criteria_of(form.query.data)
    if criteria is None or not form.validate_on_submit():
        return search_page(args, export_form=form, status=400)
    sort = form.sort.data or "name"
    try:
        sort = parse_sort(sort)
        rows = export.record_export(
            session=get_session(),
            actor_id=current_user.id,
            criteria=criteria,
            sort=sort,
            reason=form.reason.data or "",
        )
    except (export.ExportRefused, SearchRefused) as refusal:
        show_refusal(form, refusal)
        return search_page(args, export_form=form, status=400)
    return experts_csv(criteria=criteria, sort=sort, rows=rows)


def _search_url(query: str | None) -> str:
    return url_for("experts.search") + (f"?{query}" if query else "")


def _chosen(form: BulkForm) -> list[str] | None:
    return list(form.expert.data or []) if form.scope.data == "ticked" else None


def _plan_page(form: BulkConfirmForm, plan: bulk.BulkPlan, status: int = 200):
    form.fingerprint.data = plan.fingerprint
    return render_template(
        "experts/bulk.html",
        form=form,
        plan=plan,
        search_url=_search_url(form.query.data),
        refusal_text=translate,
    ), status


def bulk_plan():
    """The confirmation page of a bulk change: who moves, who cannot and why."""
    form = BulkForm()
    args, criteria = _criteria_of(form.query.data)
    if criteria is None or not form.validate_on_submit():
        return search_page(args, bulk_form=form, status=400)
    try:
        plan = bulk.plan_status_change(
            session=get_session(),
            criteria=criteria,
            chosen=_chosen(form),
            to=form.to.data,
            by=current_user._get_current_object(),
        )
    except bulk.BulkRefused as refusal:
        show_refusal(form, refusal)
        return search_page(args, bulk_form=form, status=400)
    confirm = BulkConfirmForm(formdata=None)
    confirm.query.data, confirm.to.data = form.query.data, plan.to.value
    confirm.scope.data, confirm.expert.data = form.scope.data, form.expert.data
    return _plan_page(confirm, plan)


def bulk_apply():
    """Run the bulk change confirmed; the plan again (409) if the result changed meanwhile."""
    form = BulkConfirmForm()
    args, criteria = _criteria_of(form.query.data)
    if criteria is None:
        return search_page(args, status=400)
    session = get_session()
    by = current_user._get_current_object()
    status = 400
    if form.validate_on_submit():
        try:
            outcome = bulk.apply_status_change(
                session=session,
                criteria=criteria,
                chosen=_chosen(form),
                to=form.to.data,
                by=by,
                reason=form.reason.data or "",
                fingerprint=form.fingerprint.data or "",
            )
        except bulk.BulkChanged as changed:
            form.form_errors.append(translate(changed.message))
            status = 409
        except bulk.BulkRefused as refusal:
            show_refusal(form, refusal)
        else:
            _flash_outcome(outcome)
            return redirect(_search_url(form.query.data))
    try:
        plan = bulk.plan_status_change(
            session=session, criteria=criteria, chosen=_chosen(form), to=form.to.data, by=by
        )
    except bulk.BulkRefused as refusal:
        show_refusal(form, refusal)
        return search_page(args, status=400)
    return _plan_page(form, plan, status)


def _flash_outcome(outcome: bulk.BulkOutcome) -> None:
    flash(
        ngettext(
            "%(num)d expert moved to %(status)s.",
            "%(num)d experts moved to %(status)s.",
            outcome.moved,
            status=status_label(outcome.to.value),
        ),
        "success",
    )
    if outcome.skipped:
        names = ", ".join(name for name, _ in outcome.skipped[:20])
        flash(
            ngettext(
                "%(num)d expert was skipped: %(names)s.",
                "%(num)d experts were skipped: %(names)s.",
                len(outcome.skipped),
                names=names,
            ),
            "warning",
        )
