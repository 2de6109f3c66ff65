"""The CSV variant of the expert record: its columns, and rows to records and back.

List fields are joined with ``;``, pairs with ``:`` and ranges with ``/``, as the
interchange contract says. Cells are written so that a spreadsheet opening the file
runs none of them as a formula, and read back exactly as they were.
"""

from typing import Any

from roster.interchange.problems import FormatError

CSV_COLUMNS = (
    "external_id",
    "full_name",
    "email",
    "nationalities",
    "residence_country",
    "gender",
    "birth_year",
    "disability",
    "roster_status",
    "years_experience",
    "seniority",
    "languages",
    "skills",
    "accessibility_expertise",
    "summary",
    "availability",
)
# The spec's CSV columns cannot say what the expert consented to, so sensitive values
# would always be dropped; an optional last column carries it (e.g. "gender;birth_year").
CSV_CONSENT_COLUMN = "consent"
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's advice
# on CSV injection). Export puts a single quote before such a cell, and before a cell
# that starts with a quote itself, so that import takes off exactly the quote it added.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_QUOTED_STARTS = (*FORMULA_STARTS, "'")


def header_problem(header: list[str]) -> str:
    """Say what is wrong with a CSV header row."""
    missing = [name for name in CSV_COLUMNS if name not in header]
    unknown = [name for name in header if name not in CSV_COLUMNS and name != CSV_CONSENT_COLUMN]
    parts = []
    if missing:
        parts.append("missing columns: " + ", ".join(missing))
    if unknown:
        parts.append("unknown columns: " + ", ".join(unknown))
    if not parts:
        parts.append("columns out of order")
    return "wrong CSV header (" + "; ".join(parts) + "); expected: " + ",".join(CSV_COLUMNS)


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _pair(part: str, column: str, example: str) -> tuple[str, str]:
    code, sep, value = part.rpartition(":")
    if not sep or not code.strip():
        raise FormatError(f"{column}: '{part}' is not of the form {example}")
    return code.strip(), value.strip()


def _integer(cell: str, column: str) -> int:
    try:
        return int(cell)
    except ValueError:
        raise FormatError(f"{column}: '{cell}' is not a whole number") from None


def csv_row_to_record(row: dict[str, str]) -> dict[str, Any]:
    """Turn one CSV row into an expert record of the JSON shape (validated later)."""
    row = {key: unquoted_cell(value).strip() for key, value in row.items()}
    record: dict[str, Any] = {
        "external_id": row["external_id"],
        "full_name": row["full_name"],
        "email": row["email"],
        "nationalities": _split(row["nationalities"]),
        "roster_status": row["roster_status"],
    }
    for key in ("residence_country", "gender", "seniority", "summary"):
        if row[key]:
            record[key] = row[key]
    for key in ("birth_year", "years_experience"):
        if row[key]:
            record[key] = _integer(row[key], key)
    if row["disability"]:
        flag = row["disability"].lower()
        if flag not in ("true", "false", "yes", "no", "1", "0"):
            raise FormatError(f"disability: '{row['disability']}' is not true or false")
        record["disability"] = flag in ("true", "yes", "1")
    record["languages"] = [
        {"code": code, "level": level}
        for code, level in (_pair(p, "languages", "fr:C1") for p in _split(row["languages"]))
    ]
    record["skills"] = []
    for part in _split(row["skills"]):
        code, _, years = part.partition(":")
        skill: dict[str, Any] = {"code": code.strip()}
        if years.strip():
            skill["years"] = _integer(years.strip(), "skills")
        record["skills"].append(skill)
    record["accessibility_expertise"] = _split(row["accessibility_expertise"])
    record["availability"] = []
    for part in _split(row["availability"]):
        start, sep, end = part.partition("/")
        if not sep:
            raise FormatError(f"availability: '{part}' is not of the form 2027-01-10/2027-06-30")
        record["availability"].append({"from": start.strip(), "to": end.strip()})
    if CSV_CONSENT_COLUMN in row:
        record["consent"] = {field: True for field in _split(row[CSV_CONSENT_COLUMN])}
    return record


def record_to_csv_row(record: dict[str, Any]) -> list[str]:
    """Turn an expert record into a CSV row (deployment history is JSON-only)."""

    def text(key: str) -> str:
        value = record.get(key)
        if value is None:
            return ""
        return str(value).lower() if isinstance(value, bool) else str(value)

    lists = {
        "nationalities": ";".join(record["nationalities"]),
        "languages": ";".join(f"{lang['code']}:{lang['level']}" for lang in record["languages"]),
        "skills": ";".join(
            f"{skill['code']}:{skill['years']}" if skill.get("years") is not None else skill["code"]
            for skill in record["skills"]
        ),
        "accessibility_expertise": ";".join(record.get("accessibility_expertise", [])),
        "availability": ";".join(f"{w['from']}/{w['to']}" for w in record.get("availability", [])),
    }
    row = [lists[column] if column in lists else text(column) for column in CSV_COLUMNS]
    consent = record.get("consent", {})
    row.append(";".join(field for field, given in consent.items() if given))
    return [quoted_cell(cell) for cell in row]


def quoted_cell(cell: str) -> str:
    """A cell as exported: a quote before one a spreadsheet would run as a formula."""
    return "'" + cell if cell.startswith(_QUOTED_STARTS) else cell


def unquoted_cell(cell: str) -> str:
    """A cell as imported: without the quote that ``quoted_cell`` put before it."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(_QUOTED_STARTS) else cell
