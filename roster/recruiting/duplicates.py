"""Likely duplicates: the same person registered twice, found without comparing all pairs.

Two records with the same email address (trimmed, any case) are the same person. Other
pairs are compared only when they share a **blocking key** (``keys_of``):

* ``e:`` the email address; ``l:`` its local part, its words sorted and digits dropped
  (``awa.ndiaye77`` and ``ndiaye_awa`` agree), when 5 letters or more;
* ``n:`` the first three letters of each folded name word (``roster.recruiting.names``:
  accents, transliterations and name order do not matter) with each nationality;
* ``b:`` the same with the year of birth, where consented;
* ``p:`` two words' first three letters together, for names of two words or more.

A typo, another romanisation or a swapped name order leaves at least one word, and so
one block, in common; a changed email leaves the name's blocks. Within a block, names
are compared with rapidfuzz over the folded names (``name_similarity``), and only pairs
alike enough (``NAME_FLOOR``) are scored on the rest: email, year of birth, nationality,
residence, languages and expertise (``score_pair``). The record has no telephone field to
compare. A pair scoring ``THRESHOLD`` or more is a likely duplicate, kept as a
``DuplicatePair`` with its evidence: what agrees and what differs. The threshold is tuned
on planted duplicates and look-alikes (``benchmarks/bench_duplicates.py``).

Records merged into another (``merged_into_id`` set) are compared with nobody, and a
pair said to be two people (``not_same``) is never shown again.
"""

import gc
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import delete, insert, select, tuple_
from sqlmodel import Session

from roster.models import (
    DuplicateKey,
    DuplicatePair,
    Expert,
    ExpertLanguage,
    ExpertNationality,
    ExpertSkill,
    FoundBy,
    PairStatus,
    utcnow,
)
from roster.recruiting.names import name_tokens

# A pair is a likely duplicate at this score (0-100) or more.
THRESHOLD = 88.0
# Below this name similarity, a pair sharing a block is not scored further (unless the
# email agrees): two people who merely share a nationality and three letters.
NAME_FLOOR = 75.0
PREFIX = 3
MIN_LOCAL = 5
# A block this large is compared through rapidfuzz's matrices (``cdist``) first.
MATRIX_BLOCK = 6
# One record's candidates are first compared on their stored ``name_key``, this much below
# the name floor: that key folds a few scripts otherwise than the comparison does.
KEY_MARGIN = 15.0
PARALLEL_BLOCK = 300
# A block larger than this says nothing (the same name given by a thousand test records,
# a shared address like info@): it is skipped, and its records are compared through
# their other keys.
BLOCK_LIMIT = 500
# At most this many likely duplicates are kept for one record at registration or import.
MAX_PER_RECORD = 10
_NOT_LETTERS = re.compile(r"[^a-z]+")
# Marks that are accents on letters of these scripts (COMBINING ACUTE ACCENT, ARABIC FATHA).


@dataclass(frozen=True)
class Person:
    """What the duplicate check reads of one record."""

    id: int
    key: str
    tokens: tuple[str, ...]
    email: str
    local: str
    birth_year: int | None
    nationalities: frozenset[str]
    residence: str | None
    languages: frozenset[str]
    skills: frozenset[str]


@dataclass(frozen=True)
class Found:
    """A likely duplicate: the two ids (smaller first), the score and the evidence."""

    first_id: int
    second_id: int
    score: float
    evidence: dict[str, Any]


@dataclass
class SweepReport:
    """What a sweep did: records read, keys, comparisons made, pairs found and new."""

    records: int = 0
    keys: int = 0
    comparisons: int = 0
    scored: int = 0
    skipped_blocks: int = 0
    found: list[Found] = field(default_factory=list)
    new: int = 0


def normal_email(email: str | None) -> str:
    """The address as compared: trimmed, lower case."""
    return (email or "").strip().lower()


def email_local(email: str) -> str:
    """The local part, words sorted, digits dropped: ``ndiaye.awa77`` is ``awa.ndiaye``."""
    local = email.partition("@")[0].partition("+")[0]
    return ".".join(sorted(w for w in _NOT_LETTERS.split(local) if w))


def _tokens(full_name: str) -> tuple[str, ...]:
    """The folded words of a name (``roster.recruiting.names``)."""
    return tuple(name_tokens(full_name))


def person(
    *,
    id: int,
    full_name: str,
    email: str | None,
    birth_year: int | None = None,
    nationalities: Iterable[str] = (),
    residence: str | None = None,
    languages: Iterable[str] = (),
    skills: Iterable[str] = (),
) -> Person:
    """A record as the duplicate check reads it."""
    tokens = _tokens(full_name or "")
    address = normal_email(email)
    return Person(
        id=id,
        key=" ".join(sorted(tokens)),
        tokens=tokens,
        email=address,
        local=email_local(address),
        birth_year=birth_year,
        nationalities=frozenset(nationalities),
        residence=residence,
        languages=frozenset(languages),
        skills=frozenset(skills),
    )


def keys_of(who: Person) -> set[str]:
    """The blocking keys of a record: records are compared only when they share one."""
    keys: set[str] = set()
    if who.email:
        keys.add(f"e:{who.email}"[:80])
    if len(who.local.replace(".", "")) >= MIN_LOCAL:
        keys.add(f"l:{who.local}"[:80])
    prefixes = sorted({token[:PREFIX] for token in who.tokens if len(token) >= 2})
    for prefix in prefixes:
        for country in who.nationalities:
            keys.add(f"n:{prefix}:{country}")
        if who.birth_year is not None:
            keys.add(f"b:{prefix}:{who.birth_year}")
    for one, two in combinations(prefixes[:4], 2):
        keys.add(f"p:{one}:{two}")
    return keys


def name_similarity(one: Person, two: Person) -> float:
    """How alike two folded names are (0-100): word order ignored, a typo in one word forgiven.

    The better of rapidfuzz's ratio of the sorted words and its ratio of the words in
    common followed by each name's other words (so that a typo which moves a word in the
    sorted order still scores high, while a name sharing one word of two does not).
    """
    if not one.key or not two.key:
        return 0.0
    common = set(one.tokens) & set(two.tokens)
    if not common:
        return fuzz.ratio(one.key, two.key)
    shared = sorted(common)
    aligned = fuzz.ratio(
        " ".join(shared + sorted(set(one.tokens) - common)),
        " ".join(shared + sorted(set(two.tokens) - common)),
    )
    return max(fuzz.ratio(one.key, two.key), aligned)


def _overlap(one: frozenset[str], two: frozenset[str]) -> float:
    return len(one & two) / len(one | two)


# How much each field weighs in a pair's score, where both records have it.
WEIGHTS = {
    "full_name": 50.0,
    "birth_year": 20.0,
    "nationalities": 10.0,
    "residence_country": 5.0,
    "languages": 10.0,
    "skills": 15.0,
}
EMAIL_LOCAL_BONUS = 3.0


def score_pair(one: Person, two: Person, name: float | None = None) -> tuple[float, dict[str, Any]]:
    """Score a pair (0-100) and say what agrees and what differs.

    The same email is certain (100). Otherwise a weighted mean (``WEIGHTS``) over the
    fields both records have: the names' similarity, the same year of birth, a
    nationality in common, the same residence, and the overlap of languages and of
    expertise; an email local part in common adds ``EMAIL_LOCAL_BONUS``. A field only
    one record has neither raises nor lowers the score.
    """
    agrees: list[str] = []
    differs: list[str] = []
    name = name_similarity(one, two) if name is None else name
    (agrees if name >= 99.5 else differs).append("full_name")
    if one.email and one.email == two.email:
        agrees.append("email")
        return 100.0, _evidence(name, agrees, differs, certain=True)
    differs.append("email")
    parts = {"full_name": name / 100}
    if one.birth_year is not None and two.birth_year is not None:
        parts["birth_year"] = float(one.birth_year == two.birth_year)
    if one.nationalities and two.nationalities:
        parts["nationalities"] = float(bool(one.nationalities & two.nationalities))
        if one.nationalities != two.nationalities:
            differs.append("nationalities")
        else:
            agrees.append("nationalities")
    if one.residence and two.residence:
        parts["residence_country"] = float(one.residence == two.residence)
    for label, mine, theirs in (
        ("languages", one.languages, two.languages),
        ("skills", one.skills, two.skills),
    ):
        if mine and theirs:
            parts[label] = _overlap(mine, theirs)
    for label, value in parts.items():
        if label not in ("full_name", "nationalities"):
            (agrees if value == 1 else differs).append(label)
    score = 100 * sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS[k] for k in parts)
    if one.local and one.local == two.local and len(one.local.replace(".", "")) >= MIN_LOCAL:
        agrees.append("email_local")
        score += EMAIL_LOCAL_BONUS
    score = round(max(0.0, min(100.0, score)), 1)
    return score, _evidence(name, agrees, differs, certain=False)


def _evidence(
    name: float, agrees: list[str], differs: list[str], *, certain: bool
) -> dict[str, Any]:
    return {
        "certain": certain,
        "name_similarity": round(name, 1),
        "agrees": agrees,
        "differs": differs,
    }


def _found(one: Person, two: Person, score: float, evidence: dict[str, Any]) -> Found:
    first, second = sorted((one.id, two.id))
    return Found(first, second, score, evidence)


# Reading records -------------------------------------------------------------------------


def read_people(session: Session, expert_ids: Sequence[int] | None = None) -> list[Person]:
    """Read the records not merged into another (of ``expert_ids``, or all) for comparison."""
    active = Expert.merged_into_id.is_(None)
    if expert_ids is not None:
        if not expert_ids:
            return []
        active = active & Expert.id.in_(list(expert_ids))
    children: dict[str, dict[int, list[str]]] = {}
    for name, table in (
        ("nationalities", ExpertNationality.country),
        ("languages", ExpertLanguage.code),
        ("skills", ExpertSkill.code),
    ):
        grouped: dict[int, list[str]] = defaultdict(list)
        query = select(table.class_.expert_id, table).join(
            Expert, Expert.id == table.class_.expert_id
        )
        for expert_id, code in session.execute(query.where(active)):
            grouped[expert_id].append(code)
        children[name] = grouped
    rows = session.execute(
        select(
            Expert.id,
            Expert.full_name,
            Expert.email,
            Expert.birth_year,
            Expert.residence_country,
        ).where(active)
    )
    return [
        person(
            id=eid,
            full_name=name,
            email=email,
            birth_year=year,
            residence=home,
            nationalities=children["nationalities"].get(eid, ()),
            languages=children["languages"].get(eid, ()),
            skills=children["skills"].get(eid, ()),
        )
        for eid, name, email, year, home in rows
    ]


# Keys ------------------------------------------------------------------------------------


def refresh_keys(*, session: Session, people: Sequence[Person]) -> int:
    """Store the blocking keys of these records, replacing theirs; return how many."""
    ids = [who.id for who in people]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(delete(DuplicateKey).where(DuplicateKey.expert_id.in_(chunk)))
    rows = [{"key": key, "expert_id": who.id} for who in people for key in keys_of(who)]
    for start in range(0, len(rows), 5000):
        session.execute(insert(DuplicateKey), rows[start : start + 5000])
    return len(rows)


def _sharing_keys(session: Session, who: Person) -> list[int]:
    """Ids of the records sharing a blocking key with ``who`` (blocks over ``BLOCK_LIMIT``
    left out): an index lookup, never the whole roster."""
    by_key = _ids_by_key(session, keys_of(who))
    return sorted(
        {eid for ids in by_key.values() if len(ids) <= BLOCK_LIMIT for eid in ids} - {who.id}
    )


def compare_with(who: Person, others: Iterable[Person]) -> list[Found]:
    """The likely duplicates of ``who`` among ``others`` (already blocked), best first."""
    found = []
    for other in others:
        if other.id == who.id:
            continue
        name = name_similarity(who, other)
        if name < NAME_FLOOR and not (who.email and who.email == other.email):
            continue
        score, evidence = score_pair(who, other, name)
        if score >= THRESHOLD:
            found.append(_found(who, other, score, evidence))
    return sorted(found, key=lambda f: (-f.score, f.first_id, f.second_id))


def candidates_for(*, session: Session, expert_id: int) -> list[Found]:
    """The likely duplicates of one record among the roster, best first.

    Reads only the records that share a blocking key with it (an index lookup), never
    the whole roster. The record's own keys are compared as they are now, stored or not.
    """
    mine = read_people(session, [expert_id])
    if not mine:
        return []
    who = mine[0]
    return compare_with(
        who, read_people(session, _alike(session, who, _sharing_keys(session, who)))
    )


def _alike(session: Session, who: Person, ids: Sequence[int]) -> list[int]:
    """Of ``ids``, those whose names may be alike enough, or whose email is the same.

    The stored ``name_key`` of each (``roster.recruiting.names``) is compared in C first,
    with a margin (``KEY_MARGIN``) below the name floor for the scripts that key folds
    otherwise; only the records passing are folded here, and only those alike enough are
    read whole.
    """
    mine = session.scalar(select(Expert.name_key).where(Expert.id == who.id)) or who.key
    kept = []
    for start in range(0, len(ids), 1000):
        rows = session.execute(
            select(Expert.id, Expert.name_key, Expert.full_name, Expert.email).where(
                Expert.id.in_(ids[start : start + 1000])
            )
        ).all()
        if not rows:
            continue
        keys = [row.name_key or "" for row in rows]
        cutoff = NAME_FLOOR - KEY_MARGIN
        bound = process.cdist([mine], keys, scorer=fuzz.ratio, score_cutoff=cutoff, workers=1)
        sets = process.cdist(
            [mine], keys, scorer=fuzz.token_set_ratio, score_cutoff=cutoff, workers=1
        )
        for row, ratio, shared in zip(rows, bound[0], sets[0], strict=True):
            same_email = bool(who.email) and normal_email(row.email) == who.email
            if not same_email and not (ratio or shared):
                continue
            other = person(id=row.id, full_name=row.full_name, email=row.email)
            if same_email or name_similarity(who, other) >= NAME_FLOOR:
                kept.append(row.id)
    return kept


# Recording pairs -------------------------------------------------------------------------


def record_pairs(*, session: Session, found: Sequence[Found], found_by: FoundBy) -> int:
    """Keep new likely duplicates as open pairs; a pair already known (open, not the same
    person, or merged) is left as it is. Returns how many are new."""
    if not found:
        return 0
    ids = sorted({f.first_id for f in found})
    known: set[tuple[int, int]] = set()
    for start in range(0, len(ids), 500):
        known.update(
            session.execute(
                select(DuplicatePair.first_id, DuplicatePair.second_id).where(
                    DuplicatePair.first_id.in_(ids[start : start + 500])
                )
            ).all()
        )
    now = utcnow()
    new = [
        DuplicatePair(
            first_id=f.first_id,
            second_id=f.second_id,
            score=f.score,
            evidence=f.evidence,
            found_by=found_by.value,
            found_at=now,
        )
        for f in found
        if (f.first_id, f.second_id) not in known
    ]
    session.add_all(new)
    session.flush()
    return len(new)


def _ids_by_key(session: Session, keys: Iterable[str]) -> dict[str, list[int]]:
    """The stored records holding each of ``keys``."""
    wanted = sorted(set(keys))
    found: dict[str, list[int]] = defaultdict(list)
    for start in range(0, len(wanted), 500):
        for key, expert_id in session.execute(
            select(DuplicateKey.key, DuplicateKey.expert_id).where(
                DuplicateKey.key.in_(wanted[start : start + 500])
            )
        ):
            found[key].append(expert_id)
    return found


def check_records(*, session: Session, expert_ids: Sequence[int], found_by: FoundBy) -> int:
    """Store the keys of these records and record their likely duplicates; return how many new.

    Used at registration (one record) and after an import (the records it wrote): one
    lookup of the records sharing their keys, then comparisons within the shared blocks.
    """
    people = read_people(session, expert_ids)
    if not people:
        return 0
    refresh_keys(session=session, people=people)
    session.flush()
    mine = {who.id: keys_of(who) for who in people}
    by_key = _ids_by_key(session, (key for keys in mine.values() for key in keys))
    others = {eid for ids in by_key.values() if len(ids) <= BLOCK_LIMIT for eid in ids} - set(mine)
    if len(people) == 1:  # registration: read whole only the records whose names are alike
        others = set(_alike(session, people[0], sorted(others)))
    known = {who.id: who for who in people}
    known.update((who.id, who) for who in read_people(session, sorted(others)))
    found: dict[tuple[int, int], Found] = {}
    for who in people:
        partners = {
            eid
            for key in mine[who.id]
            if len(members := by_key.get(key, ())) <= BLOCK_LIMIT
            for eid in members
        }
        blocked = [known[eid] for eid in sorted(partners) if eid in known and eid != who.id]
        for pair in compare_with(who, blocked)[:MAX_PER_RECORD]:
            found[(pair.first_id, pair.second_id)] = pair
    return record_pairs(session=session, found=list(found.values()), found_by=found_by)


# The sweep -------------------------------------------------------------------------------


def blocks(
    people: Sequence[Person], keys: Sequence[set[str]] | None = None
) -> dict[str, list[int]]:
    """Positions in ``people`` by blocking key, for keys shared by two records or more."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for index, who in enumerate(people):
        for key in keys[index] if keys is not None else keys_of(who):
            by_key[key].append(index)
    return {key: members for key, members in by_key.items() if len(members) > 1}


def _block_pairs(
    people: Sequence[Person], members: list[int], seen: set[tuple[int, int]], *, every: bool
) -> Iterator[tuple[int, int, float]]:
    """Pairs of a block not compared yet, whose names may be alike, with their similarity.

    A block of ``MATRIX_BLOCK`` records or more is compared first by rapidfuzz's matrices
    (``cdist``, in C, on all cores): ``ratio`` and ``token_set_ratio`` of the sorted names,
    whose better is never below ``name_similarity``, so that only the pairs that may reach
    ``NAME_FLOOR`` are compared one by one, and none is missed. ``every``: all pairs (the
    same email).
    """
    if every or len(members) < MATRIX_BLOCK:
        candidates: Iterable[tuple[int, int]] = combinations(members, 2)
    else:
        keys = [people[i].key for i in members]
        # Threads pay off only on large blocks: starting them costs more than a small one.
        workers = -1 if len(members) >= PARALLEL_BLOCK else 1
        best = process.cdist(
            keys, keys, scorer=fuzz.ratio, score_cutoff=NAME_FLOOR, workers=workers
        )
        sets = process.cdist(
            keys, keys, scorer=fuzz.token_set_ratio, score_cutoff=NAME_FLOOR, workers=workers
        )
        alike = (best + sets).nonzero()
        candidates = ((members[a], members[b]) for a, b in zip(*alike, strict=True) if a < b)
    for i, j in candidates:
        pair = (i, j) if i < j else (j, i)
        if pair in seen:
            continue
        seen.add(pair)
        yield i, j, name_similarity(people[i], people[j])


def find_all(people: Sequence[Person], keys: Sequence[set[str]] | None = None) -> SweepReport:
    """Every likely duplicate among ``people``: pairs compared only within shared blocks.

    ``comparisons`` counts the pairs whose names were compared one by one (each pair
    once, however many blocks it shares); never all pairs.
    """
    report = SweepReport(records=len(people))
    seen: set[tuple[int, int]] = set()
    with _no_collection():
        _compare_blocks(people, keys, seen, report)
    report.found.sort(key=lambda f: (-f.score, f.first_id, f.second_id))
    return report


@contextmanager
def _no_collection() -> Iterator[None]:
    """The cyclic garbage collector paused: the sweep makes millions of small objects and no
    cycles, and collecting each generation as it fills costs a third of the sweep."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _compare_blocks(
    people: Sequence[Person],
    keys: Sequence[set[str]] | None,
    seen: set[tuple[int, int]],
    report: SweepReport,
) -> None:
    for key, members in blocks(people, keys).items():
        if len(members) > BLOCK_LIMIT:
            report.skipped_blocks += 1
            continue
        certain = key.startswith("e:")
        for i, j, name in _block_pairs(people, members, seen, every=certain):
            report.comparisons += 1
            if name < NAME_FLOOR and not certain:
                continue
            report.scored += 1
            score, evidence = score_pair(people[i], people[j], name)
            if score >= THRESHOLD:
                report.found.append(_found(people[i], people[j], score, evidence))


def _store_keys(session: Session, people: Sequence[Person], keys: Sequence[set[str]]) -> int:
    """Make the stored keys exactly these: only the differences are written."""
    wanted = {(key, who.id) for who, mine in zip(people, keys, strict=True) for key in mine}
    stored = set(session.execute(select(DuplicateKey.key, DuplicateKey.expert_id)).all())
    gone = sorted(stored - wanted)
    for start in range(0, len(gone), 500):
        session.execute(
            delete(DuplicateKey).where(
                tuple_(DuplicateKey.key, DuplicateKey.expert_id).in_(gone[start : start + 500])
            )
        )
    new = [{"key": key, "expert_id": eid} for key, eid in sorted(wanted - stored)]
    for start in range(0, len(new), 5000):
        session.execute(insert(DuplicateKey), new[start : start + 5000])
    return len(wanted)


def sweep(*, session: Session) -> SweepReport:
    """Compare the whole roster within its blocks, bring every key up to date, record new pairs.

    The nightly job and ``flask roster duplicates sweep`` run it; the caller commits.
    """
    people = read_people(session)
    keys = [keys_of(who) for who in people]
    report = find_all(people, keys)
    report.keys = _store_keys(session, people, keys)
    report.new = record_pairs(session=session, found=report.found, found_by=FoundBy.SWEEP)
    return report


def mark_not_same(*, session: Session, pair: DuplicatePair, by_id: int) -> None:
    """Remember that the pair is two people: it is never shown again."""
    pair.status = PairStatus.NOT_SAME.value
    pair.decided_by_id, pair.decided_at = by_id, utcnow()
    session.add(pair)


__all__ = [
    "NAME_FLOOR",
    "THRESHOLD",
    "Found",
    "Person",
    "SweepReport",
    "candidates_for",
    "check_records",
    "compare_with",
    "find_all",
    "keys_of",
    "mark_not_same",
    "name_similarity",
    "person",
    "read_people",
    "record_pairs",
    "refresh_keys",
    "score_pair",
    "sweep",
]
