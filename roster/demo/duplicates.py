"""Demo duplicates: the same person registered twice, as a recruiter's name search finds them.

Someone on the roster registers again years later: with the name spelt another way (a
second romanisation, accents dropped, family name first, a hyphen lost), the same or a
new email address, and details that overlap the first profile's (nationality, languages,
expertise, past deployments, birth year where given). Each variant keeps a rapidfuzz
similarity to the first spelling that a search on names finds (``NAME_SIMILARITY``).
"""

import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, utils

from roster.demo.lifecycle import Story
from roster.demo.people import SENIORITY, People
from roster.demo.reference import Draws, history_data, start_of

# About one person in two hundred registers twice.
DUPLICATE_SHARE = 0.005
# People registered before this number are the first ones a duplicate can copy.
FIRST_DUPLICATE = 25
# rapidfuzz token_sort_ratio (0-100) of a variant with the first spelling, at least.
NAME_SIMILARITY = 85.0
# How many earlier people a duplicate is drawn from (a reservoir, so memory stays flat).
POOL_SIZE = 500
# What the second profile is now: mostly still waiting, sometimes rostered unnoticed.
STATUS_SHARES = {"applicant": 30, "under_review": 45, "rostered": 25}
# The second registration comes at least this long after the first.
SECOND_REGISTRATION_AFTER = timedelta(days=180)


def name_similarity(first: str, second: str) -> float:
    """rapidfuzz's token_sort_ratio of two names, case and punctuation ignored (0-100)."""
    return fuzz.token_sort_ratio(first, second, processor=utils.default_process)


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )


class Duplicates:
    """Chooses who registers twice, and writes the second registration."""

    def __init__(self, seed: int, today: date, people: People) -> None:
        self.draws = Draws(seed, "duplicates")
        self.people = people
        self.now = start_of(today)
        self.spellings: list[list[str]] = history_data()["spellings"]
        self.pool: list[tuple[dict[str, Any], Story]] = []
        self.seen = 0

    def remember(self, record: dict[str, Any], story: Story) -> None:
        """Keep a person who could register again: named in two words or more, profile filled."""
        if (
            len(record["full_name"].split()) < 2
            or not record["languages"]
            or not record["skills"]
            or "years_experience" not in record
            or story.created_at > self.now - SECOND_REGISTRATION_AFTER * 2
        ):
            return
        self.seen += 1
        if len(self.pool) < POOL_SIZE:
            self.pool.append((record, story))
        elif (slot := self.draws.rng.randrange(self.seen)) < POOL_SIZE:
            self.pool[slot] = (record, story)

    def original_for(self, number: int) -> tuple[dict[str, Any], Story] | None:
        """The earlier person whom number ``number`` is a second registration of, if any."""
        if number < FIRST_DUPLICATE or not self.pool or not self.draws.chance(DUPLICATE_SHARE):
            return None
        return self.draws.rng.choice(self.pool)

    def status(self) -> str:
        """The second profile's roster status."""
        return self.draws.pick(STATUS_SHARES)

    def registered_after(self, story: Story) -> datetime:
        """The earliest the second registration can be."""
        return min(story.created_at + SECOND_REGISTRATION_AFTER, self.now - timedelta(days=150))

    def name(self, full_name: str) -> str:
        """Another spelling of ``full_name`` that a search on names still finds."""
        for _ in range(30):
            variant = full_name
            for _ in range(self.draws.rng.choice((1, 1, 2))):
                variant = self._vary(variant)
            variant = " ".join(variant.split())
            if variant != full_name and name_similarity(variant, full_name) >= NAME_SIMILARITY:
                return variant
        words = full_name.split()
        return " ".join(words[1:] + words[:1])

    def _vary(self, name: str) -> str:
        """One change of the kind people make writing their name on a second form.

        Names in another script than the Latin one are only written family name first.
        """
        rng = self.draws.rng
        words = name.split()
        ways = ["swap"]
        if all(not ch.isalpha() or "LATIN" in unicodedata.name(ch, "") for ch in name):
            ways += ["spelling", "spelling", "letter"]
            if _without_accents(name) != name:
                ways += ["accents", "accents"]
            if "-" in name:
                ways.append("hyphen")
        way = rng.choice(ways)
        if way == "accents":
            return _without_accents(name)
        if way == "hyphen":
            return name.replace("-", " ", 1)
        if way == "spelling":
            found = [(old, new) for old, new in self.spellings if old in name]
            if found:
                old, new = rng.choice(found)
                return name.replace(old, new, 1)
        if way == "letter":
            return self._letter(name)
        return " ".join(words[-1:] + words[:-1])

    def _letter(self, name: str) -> str:
        """A double consonant written once, or a single one written twice."""
        rng = self.draws.rng
        doubled = [i for i in range(1, len(name)) if name[i] == name[i - 1] and name[i].isalpha()]
        if doubled:
            i = rng.choice(doubled)
            return name[:i] + name[i + 1 :]
        single = [
            i
            for i in range(1, len(name) - 1)
            if name[i] in "bcdfglmnprst" and name[i - 1].isalpha() and name[i + 1] in "aeiouy"
        ]
        if not single:
            return name
        i = rng.choice(single)
        return name[: i + 1] + name[i:]

    def record(self, original: dict[str, Any], number: int, status: str) -> dict[str, Any]:
        """The second registration, as number ``number``, of the person in ``original``."""
        rng, people = self.draws.rng, self.people
        external_id = f"DEMO-{number:06d}"
        full_name = self.name(original["full_name"])
        words = full_name.split()
        same_email = self.draws.chance(0.35)
        email = (
            original["email"]
            if same_email
            else people.email(people.latin(words[0]), people.latin(words[-1]), external_id)
        )
        grade = original.get("seniority", "P3")
        elapsed = rng.randint(0, 3)
        years = min(original["years_experience"] + elapsed, SENIORITY[grade][1])
        kept = [s for s in original["skills"] if self.draws.chance(0.8)]
        skills = [
            {"code": s["code"], "years": min(s.get("years", 1) + elapsed, years)}
            for s in (kept if len(kept) >= 2 else original["skills"])
        ]
        languages = self._languages(original["languages"])
        nationalities = list(original["nationalities"])
        if len(nationalities) > 1 and self.draws.chance(0.3):
            nationalities = nationalities[:1]
        residence = original.get("residence_country") or nationalities[0]
        if self.draws.chance(0.2):
            residence = people.residence(nationalities)
        deployments = [dict(d) for d in original.get("deployments", [])]
        if deployments and self.draws.chance(0.4):
            deployments.pop()
        record = {
            "external_id": external_id,
            "full_name": full_name,
            "email": email,
            "nationalities": nationalities,
            "residence_country": residence,
            **self._sensitive(original),
            "roster_status": status,
            "seniority": grade,
            "years_experience": years,
            "languages": languages,
            "skills": skills,
            "accessibility_expertise": list(original.get("accessibility_expertise", [])),
            "summary": people.summary(years, skills, deployments, residence, languages),
            "availability": people.availability(at_least=int(status == "under_review")),
            "deployments": deployments,
        }
        return record

    def _languages(self, languages: list[dict[str, str]]) -> list[dict[str, str]]:
        """The same languages, a level here and there told differently, sometimes one left out."""
        levels = self.people.levels
        result = []
        for lang in languages:
            level = levels.index(lang["level"])
            if lang["level"] != "native" and self.draws.chance(0.2):
                level = max(0, min(len(levels) - 2, level + self.draws.rng.choice((-1, 1))))
            result.append({"code": lang["code"], "level": levels[level]})
        if len(result) > 2 and self.draws.chance(0.2):
            result.pop()
        return result

    def _sensitive(self, original: dict[str, Any]) -> dict[str, Any]:
        """The same gender, birth year and disability, each consented again or not."""
        consent = dict(original.get("consent", {}))
        for field in list(consent):
            if consent[field] and self.draws.chance(0.25):
                consent[field] = False
        values = {
            field: original[field]
            for field in ("gender", "birth_year", "disability")
            if field in original and consent.get(field)
        }
        return values | {"consent": consent}
