"""Demo people: who they are, what they speak and know, where they served before.

Each person is an interchange record (expert.schema.json) drawn from the reference data
in ``roster/data/demo_roster.json``; dates are relative to the demo's day.
"""

import unicodedata
import zlib
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from faker import Faker

from roster.demo.reference import (
    Draws,
    country_name,
    demo_regions,
    language_name,
    reference_data,
    taxonomy,
    weighted,
)

EMAIL_DOMAINS = ("example.org", "example.net", "example.com")
GENDER_SHARES = {"woman": 45, "man": 50, "non-binary": 2, "undisclosed": 3}
# grade: (fewest years, most years, share of the roster)
SENIORITY = {
    "P2": (2, 5, 16),
    "P3": (5, 9, 30),
    "P4": (8, 14, 28),
    "P5": (12, 22, 18),
    "D1": (18, 35, 8),
}
RATING_SHARES = {1: 1, 2: 4, 3: 15, 4: 52, 5: 28}
# Careers declared reach back this many years; the last of them ended some months ago.
CAREER_YEARS = 21
LAST_DEPLOYMENT_ENDED = timedelta(days=150)


def _join(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _count(number: int, noun: str) -> str:
    words = ("no", "one", "two", "three", "four", "five")
    spelled = words[number] if number < len(words) else str(number)
    return f"{spelled} {noun}" if number == 1 else f"{spelled} {noun}s"


class People:
    """One deterministic stream of demo people; holds the random state and seeded Fakers."""

    def __init__(self, seed: int, today: date) -> None:
        self.seed = seed
        self.draws = Draws(seed, "people")
        self.rng = self.draws.rng
        self.today = today
        self.availability_span = (today, date(today.year + 2, 12, 31))
        self.deployment_span = (
            date(today.year - CAREER_YEARS, 1, 1),
            today - LAST_DEPLOYMENT_ENDED,
        )
        self.ref = reference_data()
        self.levels: list[str] = taxonomy()["language_levels"]
        self.skill_codes = list(taxonomy()["expertise_areas"])
        self.access_codes = list(taxonomy()["accessibility_expertise"])
        self.fakers: dict[str, Faker] = {}
        self.email_counts: dict[str, int] = {}
        self.translit = str.maketrans(self.ref["transliteration"])
        shares = {
            (region, code): group["weight"]
            * info["w"]
            / sum(c["w"] for c in group["countries"].values())
            for region, group in self.ref["regions"].items()
            for code, info in group["countries"].items()
        }
        self.countries, self.country_cum = weighted(shares)
        self.info = {
            code: info
            for group in self.ref["regions"].values()
            for code, info in group["countries"].items()
        }
        self.region = demo_regions()
        self.neighbours: dict[str, list[str]] = {code: [] for code in self.skill_codes}
        for cluster in self.ref["skill_clusters"]:
            for code in cluster:
                self.neighbours[code] += [c for c in cluster if c != code]

    def pick(self, shares: dict[Any, float]) -> Any:
        """One key of shares, drawn in proportion to its value."""
        return self.draws.pick(shares)

    def faker(self, locale: str) -> Faker:
        """The Faker for a locale, created once and seeded from the roster seed."""
        if locale not in self.fakers:
            # only the person provider: loading every provider costs ~50 ms a locale
            fake = Faker(locale, providers=["faker.providers.person"])
            fake.seed_instance(zlib.crc32(f"{self.seed}:{locale}".encode()))
            self.fakers[locale] = fake
        return self.fakers[locale]

    def latin(self, text: str) -> str | None:
        """ASCII letters of a name for an email address, or None for an unknown script."""
        text = text.lower()
        for pair, latin in self.ref["transliteration_digraphs"].items():
            text = text.replace(pair, latin)
        folded = unicodedata.normalize("NFKD", text.translate(self.translit))
        letters = [ch for ch in folded if ch.isalpha()]
        if not letters or any(not ch.isascii() for ch in letters):
            return None
        return "".join(letters)

    def name(self, source: str, sex: str) -> tuple[str, str | None, str | None]:
        """Full name plus romanised given and family names from a Faker locale or a pool."""
        if source.startswith("pool:"):
            pool = self.ref["name_pools"][source.removeprefix("pool:")]
            given, family = self.rng.choice(pool[sex]), self.rng.choice(pool["family"])
            return f"{given} {family}", self.latin(given), self.latin(family)
        fake = self.faker(source)
        if source == "ja_JP":
            given, _, given_latin = getattr(fake, f"first_name_{sex}_pair")()
            family, _, family_latin = fake.last_name_pair()
            return family + given, self.latin(given_latin), self.latin(family_latin)
        given = getattr(fake, f"first_name_{sex}")()
        family = getattr(fake, f"last_name_{sex}")()
        if source in self.ref["family_first"]:
            sep = "" if source in self.ref["no_space"] else " "
            full = f"{family}{sep}{given}"
        else:
            full = f"{given} {family}"
        return full, self.latin(given), self.latin(family)

    def email(self, given: str | None, family: str | None, external_id: str) -> str:
        """A unique ASCII address at an example domain."""
        domain = self.rng.choice(EMAIL_DOMAINS)
        if given and family:
            style = self.rng.random()
            local = (
                f"{given}.{family}"
                if style < 0.6
                else f"{given[0]}.{family}"
                if style < 0.85
                else f"{given}{family}"
            )
        else:
            local = f"expert.{external_id.lower()}"
        key = f"{local}@{domain}"
        seen = self.email_counts.get(key, 0)
        self.email_counts[key] = seen + 1
        return key if not seen else f"{local}{seen + 1}@{domain}"

    def nationalities(self) -> list[str]:
        """One nationality weighted by regional group, and a second one for about 5%."""
        first = self.rng.choices(self.countries, cum_weights=self.country_cum)[0][1]
        if self.rng.random() >= 0.05:
            return [first]
        while (
            second := self.rng.choices(self.countries, cum_weights=self.country_cum)[0][1]
        ) == first:
            pass
        return [first, second]

    def residence(self, nationalities: list[str]) -> str:
        """Usually the first nationality; else the second one or a regional hub."""
        draw = self.rng.random()
        if draw < 0.82:
            return nationalities[0]
        if len(nationalities) > 1 and draw < 0.92:
            return nationalities[1]
        return self.rng.choice(self.ref["residence_hubs"])

    def languages(self, nationalities: list[str], name_langs: list[str], sign: bool) -> list[dict]:
        """Native and national languages of the country, then UN languages at usual levels."""
        levels: dict[str, int] = {}
        idx = self.levels.index

        def add(code: str, low: str, high: str) -> None:
            level = self.rng.randint(idx(low), idx(high))
            levels[code] = max(levels.get(code, -1), level)

        info = self.info[nationalities[0]]
        for code in name_langs:
            add(code, "native", "native")
        for code, share, low, *high in info["langs"]:
            if self.rng.random() < share:
                add(code, low, high[0] if high else low)
        for other in nationalities[1:]:
            add(self.info[other]["langs"][0][0], "C1", "native")
        second = self.ref["second_languages"]
        usual = {**second["default"], **second[self.region[nationalities[0]]]}
        spoken = {code.split("-")[0] for code in levels}
        for code, (share, low, high) in usual.items():
            if code not in spoken and self.rng.random() < share:
                add(code, low, high)
        if sign:
            add(info.get("sign", self.ref["default_sign_language"]), "B1", "native")
        ranked = sorted(levels.items(), key=lambda item: -item[1])
        return [{"code": code, "level": self.levels[level]} for code, level in ranked]

    def skills(self, years: int) -> list[dict]:
        """2-6 expertise areas clustered around a primary one, years within the career."""
        count = self.pick({2: 15, 3: 30, 4: 28, 5: 17, 6: 10})
        chosen = [self.rng.choice(self.skill_codes)]
        while len(chosen) < count:
            near = self.neighbours[self.rng.choice(chosen)]
            pool = near if near and self.rng.random() < 0.75 else self.skill_codes
            code = self.rng.choice(pool)
            if code not in chosen:
                chosen.append(code)
        primary = {"code": chosen[0], "years": self.rng.randint(max(1, years * 2 // 3), years)}
        return [primary] + [
            {"code": code, "years": self.rng.randint(1, years)} for code in chosen[1:]
        ]

    def accessibility(self, skills: list[dict], disability: bool, sign: bool) -> list[str]:
        """Accessibility expertise for ~15%, likelier with a disability or inclusion work."""
        affinity = {s["code"] for s in skills} & set(self.ref["accessibility_affinity"])
        share = 0.6 if disability else 0.25 if affinity else 0.08
        if self.rng.random() >= share:
            return []
        codes = self.rng.sample(self.access_codes, self.pick({1: 55, 2: 30, 3: 15}))
        if sign and "sign-language" not in codes:
            codes[0] = "sign-language"
        return codes

    def windows(
        self, start: date, end: date, count: int, shortest: int, longest: int
    ) -> list[tuple[date, date]]:
        """Ordered, non-overlapping date windows, one in each equal slice of start..end."""
        count = min(count, (end - start).days // (shortest + 1))
        slice_days = (end - start).days // max(count, 1)
        result = []
        for i in range(count):
            length = self.rng.randint(shortest, min(longest, slice_days - 1))
            first = start + timedelta(
                days=i * slice_days + self.rng.randint(0, slice_days - 1 - length)
            )
            result.append((first, first + timedelta(days=length)))
        return result

    def deployments(
        self, years: int, skills: list[dict], nationalities: list[str], languages: list[dict]
    ) -> list[dict]:
        """Past missions abroad, chronological, in hosts that favour the expert's languages."""
        first_day, last_day = self.deployment_span
        start = max(first_day, date(self.today.year - years, 1, 1))
        count = self.rng.randint(0 if years < 6 else 1, min(5, 1 + years // 4))
        if (last_day - start).days // max(count, 1) < 120:
            count = (last_day - start).days // 120
        fluent = {
            lang["code"].split("-")[0]
            for lang in languages
            if self.levels.index(lang["level"]) >= self.levels.index("B2")
        }
        hosts = {
            code: weight * (2 if lang in fluent else 0.5)
            for code, (lang, weight) in self.ref["hosts"].items()
            if code not in nationalities
        }
        result = []
        for first, last in self.windows(start, last_day, count, 45, 540):
            skill = skills[0] if self.rng.random() < 0.5 else self.rng.choice(skills)
            record = {
                "mission": self.mission(first, last),
                "country": self.pick(hosts),
                "role": self.rng.choice(self.ref["skills"][skill["code"]]["roles"]),
                "from": first.isoformat(),
                "to": last.isoformat(),
            }
            if self.rng.random() < 0.9:
                record["rating"] = self.pick(RATING_SHARES)
            if self.rng.random() < 0.2:
                record["comments"] = self.rng.choice(self.ref["comments"])
            result.append(record)
        return result

    def mission(self, first: date, last: date) -> str:
        """A mission or project name dated around the deployment."""
        begin = first.year - self.rng.randint(0, 1)
        end = max(last.year, begin + self.rng.randint(2, 4))
        template = self.rng.choice(self.ref["missions"])
        return template.format(year=last.year, start=begin, end=end)

    def summary(
        self,
        years: int,
        skills: list[dict],
        deployments: list[dict],
        residence: str,
        languages: list[dict],
    ) -> str:
        """One opening sentence and up to two more from the skills and languages."""
        title = self.ref["skills"][skills[0]["code"]]["title"]
        fields = {
            "title": title,
            "Title": title[0].upper() + title[1:],
            "years": years,
            "Years": years,
            "home": country_name(residence),
            "a_title": ("an " if title[0] in "aeiou" else "a ") + title,
            "assignments": _count(len(deployments), "international assignment"),
            "missions": _count(len(deployments), "electoral assistance mission"),
        }
        if deployments:
            fields |= {
                "role": deployments[-1]["role"],
                "country": country_name(deployments[-1]["country"]),
            }
            sentences = [self.rng.choice(self.ref["openers"]).format(**fields)]
        else:
            sentences = [self.rng.choice(self.ref["home_openers"]).format(**fields)]
        extra = []
        for skill in self.rng.sample(skills, min(2, len(skills))):
            did = self.ref["skills"][skill["code"]]["did"]
            if deployments and self.rng.random() < 0.5:
                did += " in " + country_name(self.rng.choice(deployments)["country"])
            extra.append(did + ".")
        names = [language_name(lang["code"]) for lang in languages[:4]]
        extra.append(self.rng.choice(self.ref["language_sentences"]).format(langs=_join(names)))
        sentences += self.rng.sample(extra, self.rng.randint(0, 2))
        return " ".join(sentences)

    def sensitive(self, gender: str, years: int) -> tuple[bool, dict[str, Any]]:
        """Disability, and the sensitive fields with their consent: a value only if consented."""
        disability = self.rng.random() < 0.047
        year = self.today.year
        birth_year = self.rng.randint(
            max(year - 71, year - years - 45), min(year - 31, year - years - 22)
        )
        consent = {
            "gender": self.rng.random() < 0.85,
            "disability": self.rng.random() < (0.85 if disability else 0.7),
            "birth_year": self.rng.random() < 0.7,
        }
        values = {"gender": gender, "birth_year": birth_year, "disability": disability}
        fields = {field: value for field, value in values.items() if consent[field]}
        return disability, fields | {"consent": consent}

    def availability(self, *, at_least: int = 0) -> list[dict[str, str]]:
        """Up to three windows from the demo's day to the end of the year after next."""
        count = max(at_least, self.pick({0: 12, 1: 43, 2: 30, 3: 15}))
        return [
            {"from": first.isoformat(), "to": last.isoformat()}
            for first, last in self.windows(*self.availability_span, count, 30, 365)
        ]

    def expert(self, number: int, *, status: str) -> dict[str, Any]:
        """The demo person with this sequence number and roster status.

        A profile under review is complete: it declares some availability.
        """
        external_id = f"DEMO-{number:06d}"
        nationalities = self.nationalities()
        source = self.rng.choice(self.info[nationalities[0]]["names"])
        source, name_langs = (source, []) if isinstance(source, str) else source
        gender = self.pick(GENDER_SHARES)
        sex = {"woman": "female", "man": "male"}.get(gender) or self.rng.choice(("female", "male"))
        full_name, given, family = self.name(source, sex)
        seniority = self.pick({grade: share for grade, (_, _, share) in SENIORITY.items()})
        years = self.rng.randint(*SENIORITY[seniority][:2])
        disability, private = self.sensitive(gender, years)
        sign = self.rng.random() < (0.25 if disability else 0.025)
        languages = self.languages(nationalities, name_langs, sign)
        skills = self.skills(years)
        deployments = self.deployments(years, skills, nationalities, languages)
        residence = self.residence(nationalities)
        return {
            "external_id": external_id,
            "full_name": full_name,
            "email": self.email(given, family, external_id),
            "nationalities": nationalities,
            "residence_country": residence,
            **private,
            "roster_status": status,
            "seniority": seniority,
            "years_experience": years,
            "languages": languages,
            "skills": skills,
            "accessibility_expertise": self.accessibility(skills, disability, sign),
            "summary": self.summary(years, skills, deployments, residence, languages),
            "availability": self.availability(at_least=int(status == "under_review")),
            "deployments": deployments,
        }
