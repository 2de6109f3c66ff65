"""Who may see an expert's gender, disability and year of birth: one rule, asked everywhere.

The expert gives each of the three with its own consent, for the purpose stated
beside it on their page (``PURPOSE_OF_SENSITIVE``): roster diversity statistics and
the gender balance of shortlists, never shown to planners individually. So:

* the **owner** sees all three on their own pages, "not given" where they chose not to;
* **staff** see a value only while its consent stands, and only when the reason they
  gave for opening the profile fits that purpose (``STAFF_MAY_SEE``): gender to a
  recruiter or an administrator reviewing a shortlist (its gender balance) or
  correcting the record; disability and year of birth to an administrator correcting
  the record. Vetting shows none of them: whether someone joins the roster must not
  turn on gender, disability or age;
* **planners** never see them individually (shortlists carry totals only);
* a **data manager** moving roster files gets every consented value, so that an
  export read back in changes nothing (the interchange contract's rule);
* anyone else sees nothing.
"""

import math
from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from roster.messages import N_
from roster.models import Expert, User
from roster.policy.standing import Standing, standing_of

# Counts under this are withheld wherever the roster publishes aggregates ("fewer than 5").
SMALL_COUNT = 5


class SensitiveField(StrEnum):
    """A field stored only with its own consent, in the interchange record's order."""

    GENDER = "gender"
    BIRTH_YEAR = "birth_year"
    DISABILITY = "disability"

    @property
    def label(self) -> str:
        """The field as a page names it, marked ``N_``: translate it where shown."""
        return {
            "gender": N_("gender"),
            "birth_year": N_("year of birth"),
            "disability": N_("disability"),
        }[self.value]


class ViewPurpose(StrEnum):
    """Why a member of staff opens a profile; said before it opens, audited, shown to the expert."""

    VETTING = "vetting"
    SHORTLIST_REVIEW = "shortlist-review"
    DEPLOYMENT_FOLLOW_UP = "deployment-follow-up"
    DATA_CORRECTION = "data-correction"
    OTHER = "other"

    @property
    def label(self) -> str:
        """The purpose as the form and the expert's views page name it, marked ``N_``."""
        return {
            "vetting": N_("Vetting"),
            "shortlist-review": N_("Shortlist review"),
            "deployment-follow-up": N_("Deployment follow-up"),
            "data-correction": N_("Data correction"),
            "other": N_("Other"),
        }[self.value]


VIEW_PURPOSES: dict[str, str] = {purpose.value: purpose.label for purpose in ViewPurpose}

# Marked ``N_``: translated where shown (the sensitive-data section).
PURPOSE_OF_SENSITIVE = N_(
    "used only for roster diversity statistics and gender balance of "
    "shortlists; never shown to planners individually"
)

# Which staff see which consented field, for which stated purposes of opening the profile.
STAFF_MAY_SEE: dict[SensitiveField, dict[Standing, frozenset[ViewPurpose]]] = {
    SensitiveField.GENDER: {
        Standing.RECRUITER: frozenset({ViewPurpose.SHORTLIST_REVIEW, ViewPurpose.DATA_CORRECTION}),
        Standing.ADMIN: frozenset({ViewPurpose.SHORTLIST_REVIEW, ViewPurpose.DATA_CORRECTION}),
    },
    SensitiveField.BIRTH_YEAR: {Standing.ADMIN: frozenset({ViewPurpose.DATA_CORRECTION})},
    SensitiveField.DISABILITY: {Standing.ADMIN: frozenset({ViewPurpose.DATA_CORRECTION})},
}

# STAFF_MAY_SEE in words, for the staff who open a profile and do not see everything.
STAFF_RULE_IN_WORDS = N_(
    "The roster shows these only where the expert consented, and only for the purposes "
    "that consent covers: gender to review a shortlist or to correct the record, "
    "disability and year of birth to an administrator correcting the record."
)


def consented_fields(expert: Expert) -> frozenset[SensitiveField]:
    """The sensitive fields whose consent the expert has given and not withdrawn."""
    return frozenset(f for f in SensitiveField if getattr(expert, f"{f.value}_consent_at"))


def visible_sensitive_fields(
    *,
    viewer: Collection[Standing],
    consented: Collection[SensitiveField | str],
    purpose: ViewPurpose | str | None = None,
) -> frozenset[SensitiveField]:
    """Decide which of an expert's sensitive fields a reader may see.

    Args:
        viewer: how the reader stands to the record (``standing.standing_of``);
            ``{Standing.DATA_MANAGER}`` for roster files.
        consented: the fields whose consent stands (``consented_fields``).
        purpose: why staff opened the profile (a ``ViewPurpose`` code); None when no
            reason was given, which shows staff nothing.
    Returns:
        The fields to show, or to write into an export. Fields left out are not shown
        at all (not even as "not given"), so the reader cannot tell whether consent was
        refused. The owner's set holds all three, consented or not.
    """
    if Standing.OWNER in viewer:
        return frozenset(SensitiveField)
    given = {SensitiveField(f) for f in consented}
    if Standing.DATA_MANAGER in viewer:
        return frozenset(given)
    try:
        reason = ViewPurpose(purpose) if purpose is not None else None
    except ValueError:
        reason = None
    return frozenset(
        f for f in given if any(reason in STAFF_MAY_SEE[f].get(standing, ()) for standing in viewer)
    )


def shown_to(
    *, user: User | None, expert: Expert, purpose: ViewPurpose | str | None = None
) -> frozenset[SensitiveField]:
    """``visible_sensitive_fields`` for a signed-in ``user`` reading a stored profile.

    Args:
        user: the reader.
        expert: whose profile it is.
        purpose: why staff opened it; None on the owner's own pages.
    """
    return visible_sensitive_fields(
        viewer=standing_of(user=user, expert=expert),
        consented=consented_fields(expert),
        purpose=purpose,
    )


# --- The small-count rule ----------------------------------------------------------
#
# Every aggregate the roster publishes about people follows one rule:
#
# 1. A count under SMALL_COUNT (other than 0) is never shown: it reads "fewer than 5"
#    (primary suppression).
# 2. Where a published total (a row's, a column's, the grand total, or any other sum the
#    pages show) has among its parts exactly one withheld non-zero count, the total minus
#    the shown parts would give it away, so one more count of that line is withheld: the
#    smallest shown non-zero part, else the total itself; it reads "withheld" (secondary
#    suppression). This repeats over every line, rows and columns alike, until no line
#    has exactly one withheld non-zero count.
# 3. A reader also knows that "fewer than 5" means 1 to 4 and "withheld" means 5 or more.
#    With several withheld counts in a line, or lines crossing, those bounds can still
#    pin a small count (a "fewer than 5" and a "withheld" adding up to 6 are 1 and 5).
#    So for every small count the least and greatest values consistent with everything
#    published are computed (a linear programme over the lines; its matrix is totally
#    unimodular, so the bounds are whole numbers an integer reader also reaches), and
#    while some small count has only one possible value, one more count of a line
#    through it is withheld as in rule 2.
#
# Tables that publish the same figure (the experts in each roster status, say) share
# its key, so the figure is withheld in all of them or in none.

Key = Hashable


class Hidden(StrEnum):
    """Why a published figure is withheld."""

    SMALL = "small"  # under SMALL_COUNT: "fewer than 5"
    COMPLEMENT = "complement"  # a total would give a small count away: "withheld"


Figure = int | Hidden


@dataclass(frozen=True)
class Line:
    """A published sum: ``total`` is the sum of ``parts``."""

    parts: tuple[Key, ...]
    total: Key

    @property
    def members(self) -> tuple[Key, ...]:
        """The parts, then the total."""
        return (*self.parts, self.total)


def withhold(
    values: Mapping[Key, int],
    lines: Sequence[Line],
    *,
    keep_shown: Collection[Key] = (),
    keep_hidden: Collection[Key] = (),
) -> dict[Key, Figure]:
    """Apply the small-count rule to figures published together with the sums between them.

    Args:
        values: every figure to publish, by key (a count of people).
        lines: the sums the pages publish between them (a row and its total ...).
        keep_shown: figures another page shows already: not chosen to be withheld,
            unless nothing else in a line can be.
        keep_hidden: figures another page withholds already: withheld here too.
    Returns:
        Each key's figure: the count, or ``Hidden.SMALL`` / ``Hidden.COMPLEMENT``.
    """
    hidden = {key for key, value in values.items() if 0 < value < SMALL_COUNT}
    hidden |= {key for key in keep_hidden if values.get(key, 0) > 0}
    solved: dict[frozenset, Key | None] = {}  # components checked already, by withheld keys
    while True:
        line = next((line for line in lines if _lone_hidden(line, values, hidden)), None)
        lines_to_widen = [line] if line is not None else None
        if lines_to_widen is None:
            pinned = _first_pinned(values, lines, hidden, solved)
            if pinned is None:
                break
            lines_to_widen = [line for line in lines if pinned in line.members]
        partner = _partner(lines_to_widen, values, hidden, frozenset(keep_shown))
        if partner is None:
            partner = _partner(lines_to_widen, values, hidden, frozenset())
        if partner is None:  # every figure of these lines is withheld or zero already
            break
        hidden.add(partner)
    return {
        key: (Hidden.SMALL if value < SMALL_COUNT else Hidden.COMPLEMENT)
        if key in hidden
        else value
        for key, value in values.items()
    }


def _lone_hidden(line: Line, values: Mapping[Key, int], hidden: set[Key]) -> bool:
    return sum(1 for key in line.members if key in hidden and values[key] > 0) == 1


def _partner(
    lines: Sequence[Line], values: Mapping[Key, int], hidden: set[Key], keep: frozenset
) -> Key | None:
    """The figure to withhold next: the smallest shown non-zero part, else a total."""
    candidates = [
        (key == line.total, values[key], position, index)
        for index, line in enumerate(lines)
        for position, key in enumerate(line.members)
        if key not in hidden and key not in keep and values[key] > 0
    ]
    if not candidates:
        return None
    *_, position, index = min(candidates)
    return lines[index].members[position]


def _bounds(key: Key, values: Mapping[Key, int]) -> tuple[float, float]:
    """What a reader knows of a withheld figure from its words alone."""
    return (1, SMALL_COUNT - 1) if values[key] < SMALL_COUNT else (SMALL_COUNT, math.inf)


def _first_pinned(
    values: Mapping[Key, int],
    lines: Sequence[Line],
    hidden: set[Key],
    solved: dict[frozenset, Key | None],
) -> Key | None:
    """A small withheld figure that the published figures leave only one value, or None."""
    touching = [line for line in lines if any(key in hidden for key in line.members)]
    if not touching:
        return None
    # Withheld figures linked through lines form components, each solved on its own.
    parent: dict[Key, Key] = {}

    def root(key: Key) -> Key:
        while parent.setdefault(key, key) != key:
            key = parent[key]
        return key

    for line in touching:
        keys = [key for key in line.members if key in hidden]
        for other in keys[1:]:
            parent[root(other)] = root(keys[0])
    components: dict[Key, list[Line]] = {}
    for line in touching:
        first = next(key for key in line.members if key in hidden)
        components.setdefault(root(first), []).append(line)
    for component in components.values():
        signature = frozenset(k for line in component for k in line.members if k in hidden)
        if signature not in solved:
            solved[signature] = _pinned_in(component, values, hidden)
        if solved[signature] is not None:
            return solved[signature]
    return None


def _pinned_in(lines: list[Line], values: Mapping[Key, int], hidden: set[Key]) -> Key | None:
    unknowns = list(dict.fromkeys(k for line in lines for k in line.members if k in hidden))
    small = [key for key in unknowns if values[key] < SMALL_COUNT]
    if not small:
        return None
    if len(lines) == 1:
        return _pinned_on_one_line(lines[0], values, hidden, small)
    from scipy.optimize import linprog  # only where lines cross: most pages never need it

    column = {key: i for i, key in enumerate(unknowns)}
    matrix, rhs = [], []
    for line in lines:
        row = [0.0] * len(unknowns)
        known = 0
        for key in line.members:
            sign = -1 if key == line.total else 1
            if key in hidden:
                row[column[key]] += sign
            else:
                known += sign * values[key]
        matrix.append(row)
        rhs.append(-known)
    bounds = [
        (low, None if high == math.inf else high)
        for low, high in (_bounds(key, values) for key in unknowns)
    ]
    for key in small:
        objective = [0.0] * len(unknowns)
        objective[column[key]] = 1.0
        low = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
        objective[column[key]] = -1.0
        high = linprog(objective, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
        if low.status == 0 and high.status == 0 and -high.fun - low.fun < 0.5:
            return key
    return None


def _pinned_on_one_line(
    line: Line, values: Mapping[Key, int], hidden: set[Key], small: list[Key]
) -> Key | None:
    """The closed form of the bounds where the withheld figures share one line."""
    withheld = [key for key in line.members if key in hidden]
    signs = {key: (-1 if key == line.total else 1) for key in withheld}
    # sum(sign * x) over the withheld equals what the shown figures leave.
    rest = -sum(
        (-1 if key == line.total else 1) * values[key] for key in line.members if key not in hidden
    )
    for key in small:
        # Move key to one side: signs[key] * x = rest - sum(others); bound the others.
        low_others = high_others = 0.0
        for other in withheld:
            if other == key:
                continue
            low, high = _bounds(other, values)
            if signs[other] > 0:
                low_others, high_others = low_others + low, high_others + high
            else:
                low_others, high_others = low_others - high, high_others - low
        a, b = rest - high_others, rest - low_others
        if signs[key] < 0:
            a, b = -b, -a
        low, high = _bounds(key, values)
        if min(high, b) - max(low, a) < 0.5:
            return key
    return None


def withhold_complement(counts: Sequence[int]) -> list[int | None]:
    """Return ``counts`` as a list published with its total: withheld ones as None.

    Small counts stay in the list (pages show them as "fewer than 5"); None is a count
    withheld because the total would give a small one away (``withhold``). A lone small
    count takes the smallest other non-zero count with it, and more where the words
    "fewer than 5" and "withheld" would still pin it.
    """
    values: dict[Key, int] = dict(enumerate(counts))
    values["total"] = sum(counts)
    figures = withhold(values, [Line(tuple(range(len(counts))), "total")], keep_shown={"total"})
    return [None if figures[i] == Hidden.COMPLEMENT else count for i, count in enumerate(counts)]


@dataclass(frozen=True)
class CountTable:
    """Counts of people by two characteristics, as a page will publish them.

    ``row_totals`` says whether each row's total is published (true where the columns
    split people without overlap, such as roster statuses); likewise ``column_totals``.
    The grand total is published where both are. Figures that other tables publish too
    take the same key (``row_keys``, ``column_keys``, ``total_key``).
    """

    name: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    row_totals: bool = False
    column_totals: bool = False
    row_keys: tuple[Key, ...] | None = None
    column_keys: tuple[Key, ...] | None = None
    total_key: Key | None = None

    def cell_key(self, row: int, column: int) -> Key:
        """The key of one cell."""
        return (self.name, row, column)

    def row_key(self, row: int) -> Key:
        """The key of a row's total."""
        return self.row_keys[row] if self.row_keys else (self.name, row, "total")

    def column_key(self, column: int) -> Key:
        """The key of a column's total."""
        return self.column_keys[column] if self.column_keys else (self.name, "total", column)

    def grand_key(self) -> Key:
        """The key of the grand total."""
        return self.total_key if self.total_key is not None else (self.name, "total")


@dataclass(frozen=True)
class PublishedTable:
    """A ``CountTable`` after the small-count rule: figures, not counts."""

    name: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[Figure, ...], ...]
    row_totals: tuple[Figure, ...] | None
    column_totals: tuple[Figure, ...] | None
    total: Figure | None


def count_table_lines(table: CountTable) -> tuple[dict[Key, int], list[Line]]:
    """The figures a table publishes and the sums between them."""
    values: dict[Key, int] = {}
    lines: list[Line] = []
    n, m = len(table.rows), len(table.columns)
    for i in range(n):
        for j in range(m):
            values[table.cell_key(i, j)] = table.counts[i][j]
    row_sums = [sum(row) for row in table.counts]
    column_sums = [sum(table.counts[i][j] for i in range(n)) for j in range(m)]
    if table.row_totals:
        for i in range(n):
            values[table.row_key(i)] = row_sums[i]
            lines.append(Line(tuple(table.cell_key(i, j) for j in range(m)), table.row_key(i)))
    if table.column_totals:
        for j in range(m):
            values[table.column_key(j)] = column_sums[j]
            lines.append(Line(tuple(table.cell_key(i, j) for i in range(n)), table.column_key(j)))
    if table.row_totals and table.column_totals:
        values[table.grand_key()] = sum(row_sums)
        lines.append(Line(tuple(table.row_key(i) for i in range(n)), table.grand_key()))
        lines.append(Line(tuple(table.column_key(j) for j in range(m)), table.grand_key()))
    return values, lines


def withhold_tables(
    tables: Sequence[CountTable],
    *,
    extra: tuple[Mapping[Key, int], Sequence[Line]] | None = None,
    keep_shown: Collection[Key] = (),
    keep_hidden: Collection[Key] = (),
) -> dict[str, PublishedTable]:
    """Apply the small-count rule to tables published together.

    Args:
        tables: the tables of one set of pages; shared keys are one figure.
        extra: more figures and sums published beside them (a share's total, say).
        keep_shown, keep_hidden: as for ``withhold``.
    Returns:
        Each table's ``PublishedTable``, by name.
    Raises:
        ValueError: two tables give one shared figure different counts.
    """
    values: dict[Key, int] = {}
    lines: list[Line] = []
    for table in tables:
        table_values, table_lines = count_table_lines(table)
        for key, value in table_values.items():
            if values.setdefault(key, value) != value:
                raise ValueError(f"{key!r} is {values[key]} in one table, {value} in another")
        lines += table_lines
    if extra is not None:
        values.update(extra[0])
        lines += extra[1]
    figures = withhold(values, lines, keep_shown=keep_shown, keep_hidden=keep_hidden)
    published = {}
    for table in tables:
        n, m = len(table.rows), len(table.columns)
        published[table.name] = PublishedTable(
            name=table.name,
            rows=table.rows,
            columns=table.columns,
            cells=tuple(tuple(figures[table.cell_key(i, j)] for j in range(m)) for i in range(n)),
            row_totals=tuple(figures[table.row_key(i)] for i in range(n))
            if table.row_totals
            else None,
            column_totals=tuple(figures[table.column_key(j)] for j in range(m))
            if table.column_totals
            else None,
            total=figures[table.grand_key()] if table.row_totals and table.column_totals else None,
        )
    return published
