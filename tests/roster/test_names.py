"""Names are folded to one key across accents, punctuation, transliterations and word order."""

import pytest
from sqlalchemy import select

from roster.interchange.services import import_records
from roster.models import Expert
from roster.recruiting.names import VARIANT_GROUPS, name_key, name_tokens
from tests.factories import expert_record, expert_row


@pytest.mark.parametrize(
    "spellings",
    [
        ["Mohammed Ali", "Muhammad Ali", "Mohamed Aly", "Mohamad Ali", "Muhammed Ali"],
        ["Ahmed Hassan", "Ahmad Hasan", "Hasan, Ahmad"],
        ["Yusuf Mostafa", "Youssef Moustafa", "Yousef Mustapha", "Yusef Mustafa"],
        ["Abd al-Rahman Said", "Abdel Rahman Saeed", "Abdul Rahman Sa'id", "Abdulrahman Saʿid"],
        ["Mohamed El-Sayed", "Muhammad al Sayyid", "Sayed, Mohammed el"],
        ["José Núñez", "JOSE NUNEZ", "Jose  Nuñez", "Núñez José"],
        ["Søren Ørsted", "Soren Orsted"],
        ["Nguyễn Thị Minh Khai", "Nguyen Thi Minh Khai"],
        ["Philippe Dupont", "Filipe Dupont"],
        ["Khalid Rasheed", "Khaled Rashid", "Halid Rachid"],
        ["Mary-Jane O'Neill", "Mary Jane ONeill", "mary jane o’neil"],
    ],
)
def test_spellings_of_one_name_share_a_key(spellings):
    keys = {name_key(spelling) for spelling in spellings}
    assert len(keys) == 1, keys


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Ahmed Hassan", "Hassan Ahmadi"),
        ("Elena Marsh", "Alena Marsh"),
        ("Omar Diallo", "Amara Diallo"),
        ("Said Benali", "Sayyid Benali"),
        ("Abdou Diouf", "Abdallah Diouf"),
    ],
)
def test_different_names_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


def test_tokens_are_in_the_order_written_and_the_key_is_sorted():
    assert name_tokens("Mohamed El-Sayed") == ["muhamad", "sayid"]
    assert name_tokens("El-Sayed Mohamed") == ["sayid", "muhamad"]
    assert name_key("El-Sayed Mohamed") == "muhamad sayid"


def test_an_article_alone_is_kept_and_nothing_gives_an_empty_key():
    assert name_tokens("Al") == ["al"]
    assert name_key("") == ""
    assert name_key(" -- , ") == ""


def test_scripts_without_a_latin_spelling_are_kept_as_written():
    assert name_tokens("李小龙") == ["李小龙"]
    assert name_key("Фёдор Достоевский") == name_key("ФЕДОР ДОСТОЕВСКИЙ")


def test_folding_is_idempotent_and_every_variant_reaches_its_group():
    for group in VARIANT_GROUPS:
        keys = {name_key(variant) for variant in group}
        assert len(keys) == 1, group
        [key] = keys
        assert name_key(key) == key
    all_keys = [name_key(group[0]) for group in VARIANT_GROUPS]
    assert len(set(all_keys)) == len(all_keys)


def test_the_key_fits_its_column_however_long_the_name():
    assert len(name_key("Straße " * 60)) <= 200


def test_the_stored_key_follows_every_write_of_the_name(db_session):
    with db_session() as session:
        session.add(expert_row(1, full_name="Mohamed El-Sayed"))
    with db_session() as session:
        expert = session.scalar(select(Expert))
        assert expert.name_key == "muhamad sayid"
        expert.full_name = "José Núñez"
    with db_session() as session:
        assert session.scalar(select(Expert.name_key)) == "jose nunez"


def test_imports_write_the_key_when_they_insert_and_when_they_update(db_session):
    with db_session() as session:
        import_records(
            session=session,
            records=enumerate([expert_record(1, full_name="Youssef Mostafa")], 1),
            source="test",
        )
    with db_session() as session:
        assert session.scalar(select(Expert.name_key)) == "mustafa yusuf"
        import_records(
            session=session,
            records=enumerate([expert_record(1, full_name="Ahmed Ørsted")], 1),
            source="again",
        )
    with db_session() as session:
        assert session.scalar(select(Expert.name_key)) == "ahmad orsted"
