"""Codes and the normalisation of what people type for them (matching.vocabulary)."""

import csv
import json
from collections import Counter
from pathlib import Path

import pycountry
import pytest

from matching import vocabulary
from matching.vocabulary import (
    ACCESSIBILITY_EXPERTISE,
    EXPERTISE_AREAS,
    GENDERS,
    LANGUAGE_LEVELS,
    OFFICIAL_UN_LANGUAGES,
    ROSTER_STATUSES,
    SENIORITY,
    TAXONOMY,
    UN_MEMBER_STATES,
    UN_REGIONAL_GROUPS,
    Normalised,
    VocabularyError,
    country_name,
    language_name,
    level_rank,
    normalise_accessibility,
    normalise_country,
    normalise_language,
    normalise_skill,
    un_region,
)
from tests.spec import EXAMPLES, SPEC, needs_spec

DATA = Path(vocabulary.__file__).parent / "data"


# --- taxonomy ----------------------------------------------------------------------


def test_vocabularies_come_from_the_taxonomy():
    assert list(LANGUAGE_LEVELS) == TAXONOMY["language_levels"]
    assert EXPERTISE_AREAS == TAXONOMY["expertise_areas"]
    assert ACCESSIBILITY_EXPERTISE == TAXONOMY["accessibility_expertise"]
    assert list(GENDERS) == TAXONOMY["genders"]
    assert list(ROSTER_STATUSES) == TAXONOMY["roster_statuses"]
    assert list(SENIORITY) == TAXONOMY["seniority"]


@pytest.mark.parametrize(
    ("level", "rank"),
    [("A1", 1), ("A2", 2), ("B1", 3), ("B2", 4), ("C1", 5), ("C2", 6), ("native", 7)],
)
def test_language_levels_rank_from_a1_to_native(level, rank):
    assert level_rank(level) == rank


@pytest.mark.parametrize("level", ["c1", "fluent", "", None])
def test_an_unknown_language_level_is_refused(level):
    with pytest.raises(VocabularyError, match="unknown language level"):
        level_rank(level)


@needs_spec
@pytest.mark.parametrize(
    "name", ["taxonomy.json", "expert.schema.json", "needs.schema.json", "shortlist.schema.json"]
)
def test_shipped_copies_equal_the_spec(name):
    shipped = json.loads((DATA / name).read_text(encoding="utf-8"))
    assert shipped == json.loads((SPEC / name).read_text(encoding="utf-8"))


# --- languages ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["fr", "en", "ar", "pt-BR", "ase", "fsl", "bzs", "zh-Hans", "wo"])
def test_a_canonical_language_tag_is_kept_without_a_note(code):
    assert normalise_language(code) == Normalised(code, None)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("FR", "fr"),
        ("pt-br", "pt-BR"),
        ("fra", "fr"),
        ("sgn-US", "ase"),
        (" fr ", "fr"),
        ("cmn", "zh"),
        ("French", "fr"),
        ("arabic", "ar"),
        ("Francais", "fr"),
        ("Français", "fr"),
        ("Portugese", "pt"),
        ("Espanol", "es"),
        ("Swahilli", "sw"),
        ("Kiswahili", "sw"),
        ("Englsh", "en"),
        ("Russain", "ru"),
        ("Geramn", "de"),
        ("Frensh", "fr"),
        ("Amharik", "am"),
        ("Mandarin", "zh"),
        ("Brazilian Portuguese", "pt-BR"),
        ("American Sign Language", "ase"),
        ("French Sign Language", "fsl"),
        ("Anglais", "en"),
        ("Mandinka", "man"),
    ],
)
def test_language_names_tags_and_misspellings_are_read_as_tags(written, code):
    result = normalise_language(written)
    assert result.code == code
    assert result.note is not None and result.note.startswith(f"language {written!r} read as")


def test_the_language_note_names_the_input_the_tag_and_the_language():
    assert normalise_language("Francais").note == "language 'Francais' read as 'fr' (French)"
    assert normalise_language("pt-br").note == (
        "language 'pt-br' read as 'pt-BR' (Portuguese (Brazil))"
    )


def test_sign_languages_are_languages_of_their_own():
    codes = {normalise_language(code).code for code in ("ase", "fsl", "bzs")}
    assert codes == {"ase", "fsl", "bzs"}
    assert language_name("fsl") == "French Sign Language"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("xx", "unknown language 'xx'"),
        ("qqq", "unknown language 'qqq': 'qqq' is a private-use code"),
        ("und", "unknown language 'und': is not a specific language"),
        ("Klingonese", "unknown language 'Klingonese': Klingon is a constructed language"),
        ("Esperanto", "unknown language 'Esperanto': Esperanto is a constructed language"),
        ("hello", "unknown language 'hello'"),
        ("sgn", "unknown language 'sgn': 'sgn' names a group of languages (sign languages)"),
        ("creole", "unknown language 'creole'"),
        ("", "language is empty"),
        ("   ", "language is empty"),
    ],
)
def test_an_unknown_language_is_an_error_saying_what(written, message):
    with pytest.raises(VocabularyError) as caught:
        normalise_language(written)
    assert str(caught.value).startswith(message)


@pytest.mark.parametrize("value", [None, 3, ["fr"]])
def test_a_language_that_is_not_text_is_an_error(value):
    with pytest.raises(VocabularyError, match="language must be text"):
        normalise_language(value)


def test_language_answers_are_cached_failures_included():
    normalise_language("Swahilli")
    with pytest.raises(VocabularyError):
        normalise_language("Klingonese")
    before = normalise_language.cache_info().hits
    normalise_language("Swahilli")
    with pytest.raises(VocabularyError):
        normalise_language("Klingonese")
    assert normalise_language.cache_info().hits == before + 2


@pytest.mark.parametrize("code", OFFICIAL_UN_LANGUAGES)
def test_the_official_un_languages_are_canonical_tags(code):
    assert normalise_language(code) == Normalised(code, None)


@pytest.mark.parametrize(
    ("code", "name"),
    [("fr", "French"), ("pt-BR", "Portuguese (Brazil)"), ("ase", "American Sign Language")],
)
def test_language_name_is_the_english_display_name(code, name):
    assert language_name(code) == name


def test_language_name_of_something_that_is_no_tag_is_an_error():
    with pytest.raises(VocabularyError):
        language_name("not a tag")


# --- expertise areas and accessibility expertise -------------------------------------


@pytest.mark.parametrize("code", sorted(EXPERTISE_AREAS))
def test_every_expertise_code_is_kept_without_a_note(code):
    assert normalise_skill(code) == Normalised(code, None)


@pytest.mark.parametrize(("code", "label"), sorted(EXPERTISE_AREAS.items()))
def test_every_expertise_label_reads_as_its_code(code, label):
    assert normalise_skill(label.upper()).code == code


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("voter registraton", "voter-registration"),
        ("Voter registraton", "voter-registration"),
        ("Voter Education", "voter-education"),
        ("voter_education", "voter-education"),
        ("electoral technolgy", "electoral-technology"),
        ("mediaton", "mediation"),
        ("procurment", "procurement"),
        ("Electoral idspute resolution", "dispute-resolution"),
        ("Voter and civic educaton", "voter-education"),
    ],
)
def test_expertise_near_spellings_are_read_as_codes(written, code):
    assert normalise_skill(written).code == code


def test_the_expertise_note_names_the_input_and_the_code():
    assert normalise_skill("Voter registraton").note == (
        "expertise area 'Voter registraton' read as 'voter-registration'"
    )


@pytest.mark.parametrize("written", ["fishing", "cooking", "voter", "elections", "gender", "ICT"])
def test_unrelated_words_are_no_expertise_area(written):
    with pytest.raises(VocabularyError) as caught:
        normalise_skill(written)
    assert str(caught.value) == f"unknown expertise area {written!r}: no near match"


def test_an_empty_expertise_area_is_an_error():
    with pytest.raises(VocabularyError, match="expertise area is empty"):
        normalise_skill(" ")


@pytest.mark.parametrize("code", sorted(ACCESSIBILITY_EXPERTISE))
def test_every_accessibility_code_is_kept_without_a_note(code):
    assert normalise_accessibility(code) == Normalised(code, None)


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("sign langauge", "sign-language"),
        ("Sign Language", "sign-language"),
        ("tactile ballot", "tactile-ballots"),
        ("easy read", "easy-read"),
        ("DPO engagement", "dpo-engagement"),
        ("accessible polling station", "accessible-polling-stations"),
        ("Braille and tactile ballot guides", "tactile-ballots"),
    ],
)
def test_accessibility_near_spellings_and_labels_are_read_as_codes(written, code):
    result = normalise_accessibility(written)
    assert result.code == code
    assert result.note == f"accessibility expertise {written!r} read as {code!r}"


@pytest.mark.parametrize("written", ["fishing", "cooking", "braile", "ramps"])
def test_unrelated_words_are_no_accessibility_expertise(written):
    with pytest.raises(VocabularyError, match=f"unknown accessibility expertise '{written}'"):
        normalise_accessibility(written)


# --- countries -----------------------------------------------------------------------


@pytest.mark.parametrize("code", ["ML", "FR", "US", "BR"])
def test_a_canonical_country_code_is_kept_without_a_note(code):
    assert normalise_country(code) == Normalised(code, None)


@pytest.mark.parametrize(
    ("written", "code"), [("ml", "ML"), ("Mali", "ML"), ("MLI", "ML"), ("france", "FR")]
)
def test_country_codes_in_any_case_and_names_are_read_as_alpha_2(written, code):
    assert normalise_country(written).code == code


def test_the_country_note_names_the_country():
    assert normalise_country("ml").note == "country 'ml' read as 'ML' (Mali)"


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("XK", "unknown country 'XK'"),
        ("Narnia", "unknown country 'Narnia'"),
        ("", "country is empty"),
    ],
)
def test_an_unknown_country_is_an_error(written, message):
    with pytest.raises(VocabularyError) as caught:
        normalise_country(written)
    assert str(caught.value) == message


@pytest.mark.parametrize(("code", "name"), [("ML", "Mali"), ("BO", "Bolivia"), ("TR", "Türkiye")])
def test_country_name_is_the_common_english_name(code, name):
    assert country_name(code) == name


def test_country_name_of_an_unknown_code_is_an_error():
    with pytest.raises(VocabularyError, match="unknown country 'ZZ'"):
        country_name("ZZ")


# --- UN regional groups --------------------------------------------------------------


def _table_rows() -> list[dict[str, str]]:
    with (DATA / "un_regional_groups.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


def test_the_table_lists_the_193_member_states_once_each():
    codes = [row["alpha2"] for row in _table_rows()]
    assert len(codes) == 193
    assert len(set(codes)) == 193
    assert UN_MEMBER_STATES.keys() == set(codes)


def test_every_member_state_is_an_iso_country():
    unknown = [
        row["alpha2"]
        for row in _table_rows()
        if pycountry.countries.get(alpha_2=row["alpha2"]) is None
    ]
    assert unknown == []


def test_the_groups_have_their_known_sizes():
    # 53 Asia-Pacific states plus Kiribati; 28 WEOG states plus the United States.
    assert Counter(UN_MEMBER_STATES.values()) == {
        "African": 54,
        "Asia-Pacific": 54,
        "Eastern European": 23,
        "Latin American and Caribbean": 33,
        "Western European and Others": 29,
    }
    assert set(UN_MEMBER_STATES.values()) == set(UN_REGIONAL_GROUPS)


@pytest.mark.parametrize(
    ("code", "group"),
    [
        ("ML", "African"),
        ("ml", "African"),
        ("US", "Western European and Others"),
        ("TR", "Western European and Others"),
        ("IL", "Western European and Others"),
        ("AU", "Western European and Others"),
        ("KI", "Asia-Pacific"),
        ("CY", "Asia-Pacific"),
        ("RU", "Eastern European"),
        ("BR", "Latin American and Caribbean"),
    ],
)
def test_un_region_of_a_member_state(code, group):
    assert un_region(code) == group


@pytest.mark.parametrize("code", ["VA", "PS", "XK", "TW", "EH", "PR", "", "ZZ"])
def test_non_members_have_no_un_region(code):
    assert un_region(code) is None


@needs_spec
@pytest.mark.parametrize("name", ["roster.jsonl", "needs.json"])
def test_the_tests_copies_of_the_examples_equal_the_spec(name):
    copy = EXAMPLES / name
    assert copy.read_bytes() == (SPEC / "examples" / name).read_bytes()
