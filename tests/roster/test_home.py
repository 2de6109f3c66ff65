"""The public home page withholds every count that could point at a person."""

import pytest

from roster.policy.privacy import withhold_complement
from tests.factories import expert_record, write_jsonl


@pytest.mark.parametrize(
    ("counts", "published"),
    [
        ([6, 6, 0], [6, 6, 0]),  # Nothing small: all shown.
        ([6, 1, 9], [None, 1, 9]),  # One small: the smallest other goes too.
        ([6, 1, 2, 9], [6, 1, 2, 9]),  # Two small: the total gives away only their sum.
        ([1, 0, 0], [1, 0, 0]),  # Nothing else to hide: the total is small itself.
        ([7, 3, 7], [None, 3, 7]),  # Ties: the first of the smallest.
        # "fewer than 5" (1 to 4) and "withheld" (5 or more) adding up to 6: 1 and 5.
        ([5, 1, 9], [None, 1, None]),
        ([6, 1, 1, 9], [None, 1, 1, 9]),  # Two small adding up to 2: both 1.
    ],
)
def test_a_lone_small_count_takes_one_more_with_it(counts, published):
    assert withhold_complement(counts) == published


@pytest.fixture
def one_woman_one_latin_american(runner, tmp_path):
    """Six rostered experts: one woman, one from Latin America, five men from Africa."""
    men = [
        expert_record(n, gender="man", nationalities=["SN"], residence_country="SN")
        for n in range(1, 6)
    ]
    woman = expert_record(6, gender="woman", nationalities=["BR"], residence_country="BR")
    path = write_jsonl(tmp_path / "six.jsonl", men + [woman])
    assert runner.invoke(args=["roster", "import", str(path)]).exit_code == 0


def test_no_small_count_can_be_worked_out_from_a_total_or_a_share(
    client, one_woman_one_latin_american
):
    page = client.get("/").get_data(as_text=True)
    assert "6 rostered experts" in page
    # One of six is a woman: no percentage gives her count away.
    assert "17%" not in page
    assert "(fewer than 5 women of 6)" in " ".join(page.split())
    # Latin America's one expert is withheld, and so is Africa's five, else 6 - 5 = 1.
    region = page[page.index('id="by-region"') :]
    assert "Latin American and Caribbean</th><td>fewer than 5</td>" in region
    assert "African</th><td>withheld</td>" in region


def test_the_count_of_women_is_withheld_where_the_others_are_few(client, runner, tmp_path):
    women = [expert_record(n, gender="woman") for n in range(1, 6)]
    man = expert_record(6, gender="man")
    path = write_jsonl(tmp_path / "six.jsonl", women + [man])
    assert runner.invoke(args=["roster", "import", str(path)]).exit_code == 0
    page = " ".join(client.get("/").get_data(as_text=True).split())
    assert "83%" not in page
    assert "(withheld women of 6)" in page


def test_every_sign_language_is_listed_and_unlisted_languages_are_counted(
    app, client, runner, tmp_path
):
    # Five speakers each of 24 spoken languages and of one rare sign language.
    spoken = ["de", "it", "pt", "sw", "ha", "am", "tr", "fa", "ur", "hi", "bn", "id"]
    spoken += ["ms", "th", "vi", "ko", "ja", "pl", "uk", "ro", "nl", "sv", "el", "he"]
    records = []
    for n, code in enumerate([*spoken, "bzs"]):
        for k in range(5):
            number = n * 5 + k + 1
            languages = [{"code": "en", "level": "C1"}, {"code": code, "level": "B2"}]
            records.append(expert_record(number, languages=languages))
    path = write_jsonl(tmp_path / "many.jsonl", records)
    assert runner.invoke(args=["roster", "import", str(path)]).exit_code == 0
    page = " ".join(client.get("/").get_data(as_text=True).split())
    table = page[
        page.index('id="by-language"') : page.index("</table>", page.index('id="by-language"'))
    ]
    assert "Brazilian Sign Language</th><td>bzs</td><td>5</td>" in table
    assert table.count("<tr>") == 1 + 6 + 1 + 20  # header, official, sign, twenty others
    assert "4 more languages, each spoken by fewer rostered experts, are not listed." in page
