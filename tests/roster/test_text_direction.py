"""Invisible controls of text direction: refused in one-line fields by the forms and the
import alike, overrides refused in summaries too; Arabic and Hebrew names, with their
direction marks, kept and shown isolated from the text around them."""

import html
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from matching.records import RecordError, normalise_expert
from roster.models import Deployment, Expert, ExpertLanguage, User
from tests.conftest import register, sign_in
from tests.factories import expert_record, write_as, write_jsonl
from tests.roster.conftest import EXPERT_NAME, IDENTITY, page_form, post_form

DIRECTION_CONTROLS = [chr(c) for c in [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]]
OVERRIDES = ["\u202d", "\u202e"]
MARKS = ["\u200e", "\u200f", "\u061c"]
ARABIC_NAME = "عائشة بنت محمد\u200f (A.)"  # a Latin initial after the name, a mark between
HEBREW_NAME = "מרים כהן\u200f!"


def spoken(char: str) -> str:
    """How the roster names a direction control: "an invisible right-to-left override (U+202E)"."""
    return f"an invisible {unicodedata.name(char).lower()} (U+{ord(char):04X})"


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def stored_expert(db_session, external_id: str | None = None) -> Expert | None:
    with db_session(write=False) as session:
        statement = select(Expert).order_by(Expert.id)
        if external_id is not None:
            statement = statement.where(Expert.external_id == external_id)
        return session.scalar(statement)


def import_file(runner, path):
    return runner.invoke(args=["roster", "import", str(path)])


# --- the forms -------------------------------------------------------------------


@pytest.mark.parametrize(
    "char", DIRECTION_CONTROLS, ids=[f"U+{ord(c):04X}" for c in DIRECTION_CONTROLS]
)
def test_the_identity_form_refuses_a_direction_control_in_the_name_and_names_it(
    profiled_client, db_session, char
):
    response = post_form(
        profiled_client, "/me/identity", IDENTITY | {"full_name": f"Awa{char}Ndiaye"}
    )
    assert response.status_code == 400
    page = page_text(response)
    assert f"Full name contains {spoken(char)}, which would change the order" in page
    assert 'href="#full_name"' in page  # the error summary leads to the field
    assert stored_expert(db_session).full_name == EXPERT_NAME


@pytest.mark.parametrize(
    "url, data, label",
    [
        ("/me/identity", IDENTITY | {"residence_country": "Mali\u202e"}, "Country of residence"),
        (
            "/me/deployments",
            {"mission": "UNOWAS\u2067", "country": "NE", "role": "Adviser"},
            "Mission",
        ),
        ("/me/deployments", {"mission": "", "country": "NE", "role": "Ad\u202bviser"}, "Your role"),
        ("/me/languages", {"languages-0-code": "\u202dfr", "languages-0-level": "C1"}, "Language"),
        ("/me/summary", {"summary": "Led audits.\n\u202enoitartsiger retov"}, "Summary"),
    ],
    ids=["residence", "mission", "role", "language", "summary"],
)
def test_every_profile_text_field_refuses_what_changes_its_order(
    profiled_client, db_session, url, data, label
):
    dates = {"start": "2020-06-01", "end": "2021-04-30"} if "deployments" in url else {}
    response = post_form(profiled_client, url, data | dates)
    assert response.status_code == 400
    char = next(c for c in "".join(data.values()) if c in DIRECTION_CONTROLS)
    assert f"{label} contains {spoken(char)}" in page_text(response)
    with db_session(write=False) as session:
        for table in (Deployment, ExpertLanguage):
            assert session.scalar(select(func.count()).select_from(table)) == 0
    expert = stored_expert(db_session)
    assert not expert.summary and expert.residence_country == "SN"


def test_a_summary_keeps_embeddings_isolates_and_marks(profiled_client, db_session):
    summary = (
        "Trained polling staff in \u2067اللغة العربية\u2069 and French.\n"
        "Quoted the law as \u202bقانون الانتخابات\u202c (2019).\u200f"
    )
    assert post_form(profiled_client, "/me/summary", {"summary": summary}).status_code == 302
    assert stored_expert(db_session).summary == summary
    page = profiled_client.get("/me/data").get_data(as_text=True)
    assert f'<div class="summary-text" dir="auto">{html.escape(summary)}</div>' in page


def test_registration_refuses_an_override_in_the_name(client, db_session):
    response = register(client, email="spoof@example.org", name="Awa \u202eeyaidN")
    assert response.status_code == 400
    assert "Full name contains an invisible right-to-left override (U+202E)" in page_text(response)
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_staff_forms_refuse_direction_controls(app, make_user, db_session, profiled_client):
    make_user("admin@example.org", "admin", "recruiter")
    admin = app.test_client()
    sign_in(admin, "admin@example.org")
    new = post_form(
        admin,
        "/admin/users/new",
        {"display_name": "Rita\u2066 Okafor", "email": "rita@example.org", "roles": "recruiter"},
    )
    assert new.status_code == 400
    assert "Name contains an invisible left-to-right isolate (U+2066)" in page_text(new)
    expert = stored_expert(db_session)
    opened = post_form(
        admin, f"/experts/{expert.public_id}", {"purpose": "other", "note": "audit\u202e"}
    )
    assert opened.status_code == 400
    assert "contains an invisible right-to-left override (U+202E)" in page_text(opened)
    with db_session(write=False) as session:
        assert session.scalar(select(func.count()).select_from(User)) == 2


@pytest.mark.parametrize("name", [ARABIC_NAME, HEBREW_NAME, "Awa\u061c Ndiaye"])
def test_names_in_arabic_and_hebrew_are_kept_with_their_marks_and_shown_isolated(
    app, make_user, profiled_client, db_session, name
):
    response = post_form(profiled_client, "/me/identity", IDENTITY | {"full_name": name})
    assert response.status_code == 302, page_text(response)
    assert stored_expert(db_session).full_name == name
    shown = html.escape(name)
    assert f"<dd><bdi>{shown}</bdi></dd>" in profiled_client.get("/me").get_data(as_text=True)
    form = profiled_client.get("/me/identity").get_data(as_text=True)
    [box] = re.findall(r'<input[^>]*id="full_name"[^>]*>', form)
    assert 'dir="auto"' in box  # typed right to left as soon as its first letter is
    make_user("recruiter@example.org", "recruiter")
    recruiter = app.test_client()
    sign_in(recruiter, "recruiter@example.org")
    found = recruiter.get("/experts").get_data(as_text=True)
    assert f"<bdi>{shown}</bdi></a>" in found


# --- the import --------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".jsonl", ".csv"])
def test_the_import_reports_line_field_and_reason_and_writes_nothing(
    runner, db_session, tmp_path, suffix
):
    records = [
        expert_record(1, full_name=ARABIC_NAME, summary="Led \u2067حملة\u2069 audits."),
        expert_record(2, full_name="Awa \u202eeyaidN"),
        expert_record(3, external_id="EXP-\u2066T-3", summary="\u202dseitud"),
    ]
    result = import_file(runner, write_as(tmp_path / f"bidi{suffix}", records))
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    first = 1 if suffix == ".jsonl" else 2  # a CSV's first record is on its second line
    assert (
        f"line {first + 1} (EXP-T-0002): full_name: holds an invisible right-to-left override "
        "(U+202E), which would change the order in which the text is shown"
    ) in result.output
    assert (
        f"line {first + 2}: external_id: holds an invisible left-to-right isolate (U+2066)"
    ) in result.output
    assert "summary: holds an invisible left-to-right override (U+202D)" in result.output
    assert f"line {first}" not in result.output  # the Arabic name and its isolates are fine
    assert "nothing was imported" in result.output
    assert stored_expert(db_session) is None


def test_arabic_and_hebrew_names_are_imported_as_they_are(runner, db_session, tmp_path):
    records = [expert_record(1, full_name=ARABIC_NAME), expert_record(2, full_name=HEBREW_NAME)]
    result = import_file(runner, write_jsonl(tmp_path / "names.jsonl", records))
    assert result.exit_code == 0, result.output
    assert stored_expert(db_session, "EXP-T-0001").full_name == ARABIC_NAME
    assert stored_expert(db_session, "EXP-T-0002").full_name == HEBREW_NAME


# --- one rule, whatever the text ---------------------------------------------------

PROPERTY = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
pieces = st.sampled_from(["Awa", "Ndiaye", "عائشة", "محمد", "מרים", "12", " ", "(", ")", "-", "."])
texts = st.lists(
    pieces | st.sampled_from(MARKS + DIRECTION_CONTROLS) | st.text(max_size=3), max_size=12
).map("".join)


def imported(field: str, value: str) -> tuple[str | None, str | None]:
    """What the import stores of ``value`` in ``field``, or the reason it refuses it."""
    try:
        record, _ = normalise_expert(expert_record(1, **{field: value}))
    except RecordError as error:
        return None, next(e.message for e in error.errors if e.field == field)
    return record[field], None


def expected_refusal(value: str, refused: list[str]) -> str | None:
    return next((c for c in value.strip() if c in refused), None)


@PROPERTY
@given(name=texts.filter(lambda t: t.strip() and len(t) <= 200))
def test_a_name_is_refused_exactly_when_it_holds_a_direction_control(
    profiled_client, db_session, name
):
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in name.strip()):
        return  # refused for another reason: the text rule's own tests
    response = profiled_client.post(
        "/me/identity",
        data=page_form(profiled_client, "/me/identity") | IDENTITY | {"full_name": name},
    )
    stored, reason = imported("full_name", name)
    char = expected_refusal(name, DIRECTION_CONTROLS)
    if char is None:
        assert response.status_code == 302, page_text(response)
        assert stored == stored_expert(db_session).full_name == name.strip()
        assert all(name.count(mark) == stored.count(mark) for mark in MARKS)
    else:
        assert response.status_code == 400
        assert f"Full name contains {spoken(char)}" in page_text(response)
        assert reason.startswith(f"holds {spoken(char)}")


@PROPERTY
@given(summary=texts.map(lambda t: t.replace("(", "\n")).filter(lambda t: len(t) <= 2000))
def test_a_summary_is_refused_exactly_when_it_holds_an_override(
    profiled_client, db_session, summary
):
    if any(unicodedata.category(c) in ("Cc", "Cs") and c not in "\n\t" for c in summary):
        return
    response = post_form(profiled_client, "/me/summary", {"summary": summary})
    stored, reason = imported("summary", summary)
    char = expected_refusal(summary, OVERRIDES)
    if char is None:
        assert response.status_code == 302, page_text(response)
        assert (stored_expert(db_session).summary or "") == stored == summary.strip()
    else:
        assert response.status_code == 400
        assert f"Summary contains {spoken(char)}" in page_text(response)
        assert reason.startswith(f"holds {spoken(char)}")
