"""The dashboard: the roster by gender, region, language and accessibility, and where it is thin."""

from flask import Blueprint, current_app, render_template, request
from flask_babel import format_decimal
from flask_login import current_user

from matching.vocabulary import ACCESSIBILITY_EXPERTISE, EXPERTISE_AREAS
from roster.auth.access import roles_required
from roster.dashboard import charts
from roster.dashboard.forms import PeriodForm
from roster.db import get_session, session_scope
from roster.messages import N_
from roster.models import RoleName, utcnow
from roster.policy.privacy import SMALL_COUNT
from roster.recruiting import exposure as exposure_report
from roster.recruiting.dashboard_kept import kept_dashboard
from roster.recruiting.diversity import DEMAND_MONTHS, QUARTERS
from roster.web import display
from roster.web.forms import show_refusal

blueprint = Blueprint("dashboard", __name__)

# How the page names each code; translated where shown. Languages take CLDR's names,
# expertise areas and accessibility expertise the taxonomy's labels.
STATUS_LABELS = {
    "applicant": N_("Applicant"),
    "under_review": N_("Under review"),
    "rostered": N_("Rostered"),
    "declined": N_("Declined"),
    "inactive": N_("Inactive"),
    "suspended": N_("Suspended"),
    "withdrawn": N_("Withdrawn"),
}
ROW_LABELS = {
    "status": STATUS_LABELS,
    "gender": {
        "woman": N_("Women"),
        "man": N_("Men"),
        "non-binary": N_("Non-binary"),
        "self-described": N_("Self-described"),
        "undisclosed": N_("Chose not to say"),
        "not-recorded": N_("Not recorded (no consent)"),
    },
    "region": {
        "African": N_("African"),
        "Asia-Pacific": N_("Asia-Pacific"),
        "Eastern European": N_("Eastern European"),
        "Latin American and Caribbean": N_("Latin American and Caribbean"),
        "Western European and Others": N_("Western European and Others"),
        "none": N_("Not in a UN regional group"),
    },
    "disability": {
        "yes": N_("With a disability"),
        "no": N_("Without a disability"),
        "not-recorded": N_("Not recorded (no consent)"),
    },
    "age": {
        "under-30": N_("Under 30"),
        "30-39": N_("30 to 39"),
        "40-49": N_("40 to 49"),
        "50-59": N_("50 to 59"),
        "60-plus": N_("60 and over"),
        "not-recorded": N_("Not recorded (no consent)"),
    },
    "accessibility": ACCESSIBILITY_EXPERTISE,
    "area": EXPERTISE_AREAS,
}
BAND_WORDS = {
    "ample": N_("ample"),
    "limited": N_("limited"),
    "thin": N_("thin"),
    "small": N_("very thin"),
    "withheld": N_("withheld"),
    "no-demand": N_("not asked"),
    "none": N_("none"),
}
BANDS = {
    "ample": N_("ample: 5 or more rostered per position asked"),
    "limited": N_("limited: 2 to 5 rostered per position asked"),
    "thin": N_("thin: fewer than 2 rostered per position asked"),
    "small": N_("very thin: fewer than 5 rostered"),
    "withheld": N_("not shown: the count is withheld"),
    "no-demand": N_("no position asked"),
    "none": N_("nobody rostered, nothing asked"),
}


def points(change: float) -> str:
    """A change of share in percentage points, signed, to one decimal: +0.8, -1.0, 0.0."""
    value = round(change * 100, 1)
    return (
        format_decimal(value, format="+#,##0.0;-#,##0.0")
        if value
        else format_decimal(0, format="0.0")
    )


def one_decimal(value: float) -> str:
    """A ratio to one decimal, in the page's locale."""
    return format_decimal(value, format="#,##0.0")


@blueprint.get("/dashboard")
@roles_required(RoleName.RECRUITER, RoleName.ADMIN)
def index():
    """The roster's make-up by status, expertise area and quarter, and supply against demand.

    Administrators also see disability and age bands; everyone sees the same figures
    withheld, whoever reads.
    """
    # Kept by the app (one per process) while the roster, its history and the demand
    # stay unchanged; brought up to date in a thread beside the requests after a change.
    app = current_app._get_current_object()
    kept = kept_dashboard(
        session=get_session(),
        store=app.extensions.setdefault("dashboard", {}),
        opener=lambda: session_scope(app, write=False),
    )
    return render_template(
        "dashboard/index.html",
        figures=kept.figures,
        kept=kept,
        show_sensitive=current_user.has_role(RoleName.ADMIN),
        status_labels=STATUS_LABELS,
        row_labels=ROW_LABELS,
        bands=BANDS,
        band_words=BAND_WORDS,
        charts=charts,
        small_count=SMALL_COUNT,
        quarters=QUARTERS,
        demand_months=DEMAND_MONTHS,
        long_date=display.long_date,
        timestamp=display.timestamp,
        points=points,
        one_decimal=one_decimal,
    )


def decimal(value: float, places: int = 1) -> str:
    """A figure to ``places`` decimals, in the page's locale."""
    return format_decimal(value, format="#,##0." + "0" * places)


@blueprint.get("/dashboard/exposure")
@roles_required(RoleName.RECRUITER, RoleName.ADMIN)
def exposure():
    """How concentrated the top positions of the shortlists issued in a period are.

    The experts shown most are named, each linked to their profile, which asks why it is
    opened and records it, as from the search.
    """
    form = PeriodForm(formdata=request.args)
    try:
        period = exposure_report.parse_period(
            since=form.since.data, until=form.until.data, today=utcnow().date()
        )
    except exposure_report.ExposureRefused as refused:
        show_refusal(form, refused)
        return _exposure_page(form, None), 400
    form.since.data, form.until.data = period.since.isoformat(), period.until.isoformat()
    return _exposure_page(form, exposure_report.exposure(session=get_session(), period=period))


def _exposure_page(form: PeriodForm, report: exposure_report.Exposure | None) -> str:
    return render_template(
        "dashboard/exposure.html",
        form=form,
        report=report,
        most_exposed=exposure_report.MOST_EXPOSED,
        top_share_of=exposure_report.TOP_SHARE_OF,
        default_days=exposure_report.DEFAULT_DAYS,
        long_date=display.long_date,
        decimal=decimal,
    )
