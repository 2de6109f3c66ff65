"""Validating and normalising expert records and needs assessments (matching.records)."""

import copy
import json

import pytest
from email_validator import validate_email
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from matching import schema
from matching.records import (
    EXPERT_SCHEMA,
    NEEDS_SCHEMA,
    FieldError,
    RecordError,
    normalise_expert,
    normalise_needs,
)
from tests.factories import deployment_record, expert_record, needs_record, role_record
from tests.spec import EXAMPLES


def errors_of(function, record: dict) -> list[tuple[str, str]]:
    """The (field, message) pairs of the RecordError that ``function`` raises on ``record``."""
    with pytest.raises(RecordError) as caught:
        function(record)
    return [(error.field, error.message) for error in caught.value.errors]


# --- the spec's examples and round trips ------------------------------------------------


def _example_experts() -> list[dict]:
    lines = (EXAMPLES / "roster.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def test_the_example_roster_has_six_experts():
    assert len(_example_experts()) == 6


@pytest.mark.parametrize("raw", _example_experts(), ids=lambda raw: raw["external_id"])
def test_every_example_expert_is_accepted_and_round_trips(raw):
    canonical, notes = normalise_expert(raw)
    if "gender" in raw and not raw.get("consent", {}).get("gender"):
        assert notes == ["gender dropped: no consent"]
        assert canonical == {key: value for key, value in raw.items() if key != "gender"}
    else:
        assert (canonical, notes) == (raw, [])
    assert normalise_expert(canonical) == (canonical, [])


def test_the_example_needs_assessment_is_accepted_with_defaults_filled():
    raw = json.loads((EXAMPLES / "needs.json").read_text(encoding="utf-8"))
    canonical, notes = normalise_needs(raw)
    assert notes == []
    assert canonical == {**raw, "allow_partial_availability": False}
    assert normalise_needs(canonical) == (canonical, [])


def test_a_canonical_expert_comes_back_equal_and_without_notes():
    record = expert_record()
    assert normalise_expert(record) == (record, [])


def test_the_canonical_record_has_the_schemas_key_order():
    shuffled = dict(reversed(list(expert_record(deployments=[deployment_record()]).items())))
    canonical, _ = normalise_expert(shuffled)
    assert list(canonical) == [key for key in EXPERT_SCHEMA["properties"] if key in canonical]
    assert list(canonical["deployments"][0]) == [
        "mission",
        "country",
        "role",
        "from",
        "to",
        "rating",
    ]


def test_normalising_does_not_change_the_input():
    raw = expert_record(languages=[{"code": "Francais", "level": "C1"}], nationalities=["sn"])
    before = copy.deepcopy(raw)
    normalise_expert(raw)
    assert raw == before


def test_empty_optional_lists_are_kept_and_absent_ones_stay_absent():
    canonical, _ = normalise_expert(expert_record(availability=[], accessibility_expertise=None))
    assert canonical["availability"] == []
    assert "accessibility_expertise" not in canonical


# --- codes normalised in records ---------------------------------------------------------


def test_codes_written_as_names_are_normalised_with_notes():
    canonical, notes = normalise_expert(
        expert_record(
            nationalities=["sn"],
            residence_country="France",
            languages=[{"code": "Francais", "level": "native"}, {"code": "arabic", "level": "B2"}],
            skills=[{"code": "Voter registraton", "years": 8}],
            accessibility_expertise=["sign langauge"],
        )
    )
    assert canonical["nationalities"] == ["SN"]
    assert canonical["residence_country"] == "FR"
    assert canonical["languages"] == [
        {"code": "fr", "level": "native"},
        {"code": "ar", "level": "B2"},
    ]
    assert canonical["skills"] == [{"code": "voter-registration", "years": 8}]
    assert canonical["accessibility_expertise"] == ["sign-language"]
    assert notes == [
        "country 'sn' read as 'SN' (Senegal)",
        "country 'France' read as 'FR' (France)",
        "language 'Francais' read as 'fr' (French)",
        "language 'arabic' read as 'ar' (Arabic)",
        "expertise area 'Voter registraton' read as 'voter-registration'",
        "accessibility expertise 'sign langauge' read as 'sign-language'",
    ]
    assert normalise_expert(canonical) == (canonical, [])


def test_a_deployment_country_is_normalised():
    deployment = {"country": "niger", "role": "Adviser", "from": "2020-01-01", "to": "2020-12-31"}
    canonical, notes = normalise_expert(expert_record(deployments=[deployment]))
    assert canonical["deployments"][0]["country"] == "NE"
    assert notes == ["country 'niger' read as 'NE' (Niger)"]


def test_a_language_listed_twice_keeps_the_higher_level():
    canonical, notes = normalise_expert(
        expert_record(
            languages=[
                {"code": "fr", "level": "B2"},
                {"code": "en", "level": "C1"},
                {"code": "French", "level": "native"},
            ]
        )
    )
    assert canonical["languages"] == [
        {"code": "fr", "level": "native"},
        {"code": "en", "level": "C1"},
    ]
    assert notes[-1] == "language 'fr' listed twice; kept level native"


def test_an_expertise_area_listed_twice_keeps_the_more_years():
    canonical, notes = normalise_expert(
        expert_record(
            skills=[
                {"code": "mediation", "years": 2},
                {"code": "Mediation and good offices", "years": 9},
            ]
        )
    )
    assert canonical["skills"] == [{"code": "mediation", "years": 9}]
    assert notes[-1] == "expertise area 'mediation' listed twice; kept 9 years"


def test_repeated_accessibility_expertise_and_nationalities_are_kept_once():
    canonical, notes = normalise_expert(
        expert_record(
            nationalities=["SN", "sn"],
            accessibility_expertise=["easy-read", "Easy read", "easy-read"],
        )
    )
    assert canonical["nationalities"] == ["SN"]
    assert canonical["accessibility_expertise"] == ["easy-read"]
    assert "nationality 'SN' listed twice; kept it once" in notes
    assert notes.count("accessibility expertise 'easy-read' listed twice; kept it once") == 2


# --- consent ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"), [("gender", "woman"), ("disability", True), ("birth_year", 1980)]
)
@pytest.mark.parametrize(
    "consent", [None, {}, {"gender": False, "disability": False, "birth_year": False}]
)
def test_a_sensitive_field_without_consent_is_dropped_with_a_note(field, value, consent):
    canonical, notes = normalise_expert(expert_record(**{field: value, "consent": consent}))
    assert field not in canonical
    assert f"{field} dropped: no consent" in notes


@pytest.mark.parametrize(
    ("field", "value"), [("gender", "woman"), ("disability", True), ("birth_year", 1980)]
)
def test_a_sensitive_field_with_consent_is_kept(field, value):
    consent = {"gender": True, field: True}
    canonical, notes = normalise_expert(expert_record(**{field: value, "consent": consent}))
    assert canonical[field] == value
    assert notes == []


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"email": None}, "email", "missing required field 'email'"),
        ({"foo": 1}, "foo", "unknown field 'foo'"),
        (
            {"roster_status": "active"},
            "roster_status",
            "'roster_status' must be one of applicant, under_review, rostered, declined, "
            "inactive, suspended, withdrawn, not 'active'",
        ),
        (
            {"years_experience": "ten"},
            "years_experience",
            "'years_experience' must be a whole number, not text",
        ),
        (
            {"years_experience": 71},
            "years_experience",
            "'years_experience' must be at most 70, not 71",
        ),
        (
            {"birth_year": 1800, "consent": {"birth_year": True}},
            "birth_year",
            "'birth_year' must be at least 1900, not 1800",
        ),
        ({"full_name": ""}, "full_name", "'full_name' must not be empty"),
        (
            {"external_id": "x" * 65},
            "external_id",
            "'external_id' must be at most 64 characters long",
        ),
        (
            {"email": "not an address"},
            "email",
            "'email' is not a valid email address: 'not an address'",
        ),
        (
            {"email": "someone@localhost"},
            "email",
            "'email' is not a valid email address: 'someone@localhost'",
        ),
        ({"nationalities": []}, "nationalities", "'nationalities' must list at least 1 item"),
        ({"nationalities": "SN"}, "nationalities", "'nationalities' must be a list, not text"),
        ({"nationalities": ["Narnia"]}, "nationalities[0]", "unknown country 'Narnia'"),
        ({"residence_country": "XK"}, "residence_country", "unknown country 'XK'"),
        (
            {"consent": {"gender": "yes"}},
            "consent.gender",
            "'consent.gender' must be true or false, not text",
        ),
        ({"languages": [{"code": "fr"}]}, "languages[0].level", "missing required field 'level'"),
        (
            {"languages": [{"code": "fr", "level": "fluent"}]},
            "languages[0].level",
            "'languages[0].level' must be one of A1, A2, B1, B2, C1, C2, native, not 'fluent'",
        ),
        (
            {"languages": [{"code": "Klingonese", "level": "C1"}]},
            "languages[0].code",
            "unknown language 'Klingonese': Klingon is a constructed language, "
            "not a working language of the roster",
        ),
        ({"languages": ["fr"]}, "languages[0]", "'languages[0]' must be an object, not text"),
        (
            {"skills": [{"code": "fishing"}]},
            "skills[0].code",
            "unknown expertise area 'fishing': no near match",
        ),
        (
            {"skills": [{"code": "mediation", "years": -1}]},
            "skills[0].years",
            "'skills[0].years' must be at least 0, not -1",
        ),
        (
            {"accessibility_expertise": ["cooking"]},
            "accessibility_expertise[0]",
            "unknown accessibility expertise 'cooking': no near match",
        ),
        (
            {"availability": [{"from": "2027-13-01", "to": "2027-12-31"}]},
            "availability[0].from",
            "'availability[0].from' must be a date written YYYY-MM-DD, not '2027-13-01'",
        ),
        (
            {
                "availability": [
                    {"from": "2027-01-01", "to": "2027-06-30"},
                    {"from": "2027-05-01", "to": "2027-04-01"},
                ]
            },
            "availability[1]",
            "'from' 2027-05-01 is after 'to' 2027-04-01",
        ),
        (
            {
                "deployments": [
                    {"country": "NE", "role": "Adviser", "from": "2021-01-01", "to": "2020-01-01"}
                ]
            },
            "deployments[0]",
            "'from' 2021-01-01 is after 'to' 2020-01-01",
        ),
        (
            {
                "deployments": [
                    {
                        "country": "NE",
                        "role": "Adviser",
                        "from": "2020-01-01",
                        "to": "2020-12-31",
                        "rating": 6,
                    }
                ]
            },
            "deployments[0].rating",
            "'deployments[0].rating' must be at most 5, not 6",
        ),
    ],
)
def test_an_invalid_expert_is_refused_with_a_plain_message(changes, field, message):
    assert errors_of(normalise_expert, expert_record(**changes)) == [(field, message)]


@pytest.mark.parametrize("raw", [[], "EXP-1", None, 3])
def test_a_record_that_is_not_an_object_is_refused(raw):
    [(field, message)] = errors_of(normalise_expert, raw)
    assert field == "record"
    assert message.startswith("an expert record must be a JSON object, not")


def test_every_error_of_a_record_is_reported_in_field_order():
    raw = expert_record(
        email=None,
        foo="bar",
        roster_status="active",
        nationalities=["Narnia"],
        languages=[{"code": "Klingonese", "level": "C1"}]
        + [{"code": "fr", "level": "B1"}] * 9
        + [{"code": "en", "level": "X"}],
        availability=[{"from": "2027-05-01", "to": "2027-04-01"}],
    )
    fields = [field for field, _ in errors_of(normalise_expert, raw)]
    assert fields == [
        "availability[0]",
        "email",
        "foo",
        "languages[0].code",
        "languages[10].level",
        "nationalities[0]",
        "roster_status",
    ]


def test_a_record_error_reads_as_one_sentence_per_field():
    with pytest.raises(RecordError) as caught:
        normalise_expert(expert_record(email=None, foo=1))
    assert str(caught.value) == "email: missing required field 'email'; foo: unknown field 'foo'"
    assert caught.value.errors[0] == FieldError("email", "missing required field 'email'")


def test_test_domains_are_valid_email_addresses():
    canonical, _ = normalise_expert(expert_record(email="someone@roster.test"))
    assert canonical["email"] == "someone@roster.test"


# --- needs assessments --------------------------------------------------------------------


def test_needs_get_the_schema_defaults():
    raw = needs_record(role_record("R1"), role_record("R2"), gender_target=None)
    canonical, notes = normalise_needs(raw)
    assert notes == []
    assert canonical["gender_target"] == 0.5
    assert canonical["exclude_nationals"] is True
    assert canonical["allow_partial_availability"] is False
    assert [role["positions"] for role in canonical["roles"]] == [1, 1]
    assert "start" not in canonical["roles"][0]
    assert normalise_needs(canonical) == (canonical, [])


def test_given_values_win_over_defaults():
    canonical, _ = normalise_needs(needs_record(gender_target=0.3, exclude_nationals=False))
    assert (canonical["gender_target"], canonical["exclude_nationals"]) == (0.3, False)


def test_role_codes_are_normalised_with_notes():
    role = {
        "id": "R1",
        "title": "Adviser",
        "required_skills": ["Voter registraton", "voter-registration"],
        "desired_languages": [{"code": "Bambara", "level": "B1"}],
        "accessibility_expertise": ["tactile ballot"],
    }
    canonical, notes = normalise_needs(needs_record(country="mali", roles=[role]))
    assert canonical["country"] == "ML"
    assert canonical["roles"][0]["required_skills"] == ["voter-registration"]
    assert canonical["roles"][0]["desired_languages"] == [{"code": "bm", "level": "B1"}]
    assert canonical["roles"][0]["accessibility_expertise"] == ["tactile-ballots"]
    assert "expertise area 'voter-registration' listed twice; kept it once" in notes


def test_a_role_language_required_twice_keeps_the_stricter_level():
    role = {
        "id": "R1",
        "title": "Adviser",
        "required_languages": [{"code": "fr", "level": "B2"}, {"code": "French", "level": "C1"}],
    }
    canonical, _ = normalise_needs(needs_record(roles=[role]))
    assert canonical["roles"][0]["required_languages"] == [{"code": "fr", "level": "C1"}]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start": "2027-07-01"}, "start", "'start' 2027-07-01 is after 'end' 2027-06-30"),
        ({"roles": []}, "roles", "'roles' must list at least 1 item"),
        ({"country": "Narnia"}, "country", "unknown country 'Narnia'"),
        ({"gender_target": 1.5}, "gender_target", "'gender_target' must be at most 1, not 1.5"),
        (
            {"max_region_share": 0},
            "max_region_share",
            "'max_region_share' must be more than 0, not 0",
        ),
        ({"id": None}, "id", "missing required field 'id'"),
        (
            {"roles": [{"id": "R1", "title": "A"}, {"id": "R1", "title": "B"}]},
            "roles[1].id",
            "role id 'R1' is used more than once",
        ),
        (
            {"roles": [{"id": "R1", "title": "A", "start": "2027-05-01", "end": "2027-04-01"}]},
            "roles[0]",
            "'start' 2027-05-01 is after 'end' 2027-04-01",
        ),
        (
            {"roles": [{"id": "R1", "title": "A", "start": "2027-01-01"}]},
            "roles[0].start",
            "role starts 2027-01-01, before the mission starts 2027-03-01",
        ),
        (
            {"roles": [{"id": "R1", "title": "A", "start": "2027-07-01"}]},
            "roles[0].start",
            "role starts 2027-07-01, after the mission ends 2027-06-30",
        ),
        (
            {"roles": [{"id": "R1", "title": "A", "end": "2027-08-01"}]},
            "roles[0].end",
            "role ends 2027-08-01, after the mission ends 2027-06-30",
        ),
        (
            {"roles": [{"id": "R1", "title": "A", "required_skills": ["fishing"]}]},
            "roles[0].required_skills[0]",
            "unknown expertise area 'fishing': no near match",
        ),
        (
            {"roles": [{"id": "R1", "title": "A", "positions": 0}]},
            "roles[0].positions",
            "'roles[0].positions' must be at least 1, not 0",
        ),
        (
            {
                "roles": [
                    {
                        "id": "R1",
                        "title": "A",
                        "desired_languages": [{"code": "fr", "level": "good"}],
                    }
                ]
            },
            "roles[0].desired_languages[0].level",
            "'roles[0].desired_languages[0].level' must be one of A1, A2, B1, B2, C1, C2, native, "
            "not 'good'",
        ),
    ],
)
def test_an_invalid_needs_assessment_is_refused_with_a_plain_message(changes, field, message):
    assert errors_of(normalise_needs, needs_record(**changes)) == [(field, message)]


def test_a_role_inside_the_mission_period_is_accepted():
    role = {"id": "R1", "title": "A", "start": "2027-03-01", "end": "2027-05-31"}
    canonical, _ = normalise_needs(needs_record(roles=[role]))
    assert (canonical["roles"][0]["start"], canonical["roles"][0]["end"]) == (
        "2027-03-01",
        "2027-05-31",
    )


# --- robustness and speed ------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(sorted(EXPERT_SCHEMA["properties"])) | st.text(max_size=12)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.dictionaries(field_names, json_values, max_size=5))
def test_normalise_expert_raises_nothing_but_record_error(changes):
    raw = {**expert_record(), **changes}
    try:
        canonical, notes = normalise_expert(raw)
    except RecordError as error:
        assert error.errors
        assert all(isinstance(e, FieldError) and e.field and e.message for e in error.errors)
    else:
        assert normalise_expert(canonical) == (canonical, [])


needs_field_names = st.sampled_from(sorted(NEEDS_SCHEMA["properties"])) | st.text(max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    raw=st.dictionaries(st.text(max_size=12), json_values, max_size=6)
    | json_values
    | st.dictionaries(needs_field_names, json_values, max_size=3).map(
        lambda changes: {**needs_record(), **changes}
    )
    | st.just(needs_record())
)
def test_normalise_needs_raises_nothing_but_record_error_on_any_value(raw):
    try:
        canonical, notes = normalise_needs(raw)
    except RecordError as error:
        assert error.errors
        assert all(isinstance(e, FieldError) and e.field and e.message for e in error.errors)
    else:
        assert normalise_needs(canonical) == (canonical, [])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.dictionaries(field_names, json_values, max_size=5))
def test_the_fast_schema_check_reports_what_jsonschema_reports(changes):
    raw = {**expert_record(), **changes}
    whole = Draft202012Validator(EXPERT_SCHEMA, format_checker=schema._FORMATS)
    expected = {
        (e.field, e.message)
        for error in whole.iter_errors(raw)
        if not (
            error.validator == "uniqueItems"
            and list(error.path) in (["nationalities"], ["accessibility_expertise"])
        )
        for e in schema._messages(error, ())
    }
    found = {(e.field, e.message) for e in schema._EXPERT_CHECKER.field_errors(raw)}
    assert found == expected


@given(
    local=st.from_regex(r"[a-z0-9._+-]{1,20}", fullmatch=True),
    domain=st.from_regex(r"[a-z0-9-]{1,12}(\.[a-z0-9-]{1,8}){0,2}\.[a-z]{2,6}", fullmatch=True),
)
def test_the_quick_email_check_only_accepts_what_email_validator_accepts(local, domain):
    address = f"{local}@{domain}"
    if schema._plain_email(address):
        validate_email(address, check_deliverability=False, test_environment=True)


def test_repeated_values_are_remembered_but_memory_is_bounded(monkeypatch):
    monkeypatch.setattr(schema, "_MEMO_SIZE", 10)
    for index in range(50):
        normalise_expert(expert_record(years_experience=index % 70))
    assert len(schema._EXPERT_CHECKER._memory) <= 10


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    language=st.text(max_size=20),
    skill=st.text(max_size=40),
    country=st.text(max_size=10),
    access=st.text(max_size=30),
    day=st.text(max_size=12),
)
def test_random_codes_and_dates_raise_nothing_but_record_error(
    language, skill, country, access, day
):
    raw = expert_record(
        languages=[{"code": language, "level": "C1"}],
        skills=[{"code": skill, "years": 3}],
        nationalities=[country],
        residence_country=country,
        accessibility_expertise=[access],
        availability=[{"from": day, "to": "2027-01-01"}],
    )
    try:
        canonical, _ = normalise_expert(raw)
    except RecordError as error:
        assert error.errors
    else:
        assert normalise_expert(canonical) == (canonical, [])
