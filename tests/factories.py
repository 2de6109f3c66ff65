"""Builders of test data: valid records that each test bends to its purpose.

One builder per kind of record, and nothing else here: no fixtures, no database, no app.

* ``expert_record`` (with ``deployment_record`` for its deployments): an expert record
  as in ``expert.schema.json``, canonical, rostered, and eligible for the default role;
  ``ranked_expert`` is the same record ranked by its years of the required skill;
* ``needs_record`` with ``role_record``: a needs assessment as in ``needs.schema.json``;
* ``expert_row``: a stored ``roster.models.Expert``, for a test to add to its session;
* ``pdf`` and its hostile kin: CV files.

Accounts are made through the app's own service by the ``make_user`` fixture
(``tests/conftest.py``), which needs the app.
"""

import copy
import csv
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

from pypdf import PdfWriter

from roster.models import Expert

# --- interchange records ------------------------------------------------------------------

_BASE_EXPERT: dict[str, Any] = {
    "external_id": "EXP-T-0001",
    "full_name": "Awa Ndiaye",
    "email": "expert1@example.org",
    "nationalities": ["SN"],
    "residence_country": "SN",
    "gender": "woman",
    "consent": {"gender": True},
    "roster_status": "rostered",
    "seniority": "P4",
    "years_experience": 12,
    "languages": [{"code": "fr", "level": "native"}, {"code": "en", "level": "C1"}],
    "skills": [{"code": "electoral-management", "years": 8}],
    "accessibility_expertise": [],
    "summary": "Electoral operations adviser.",
    "availability": [{"from": "2027-01-01", "to": "2027-12-31"}],
    # Unrated: a rating would enter every score (deployment_record gives a rated one).
    "deployments": [
        {
            "mission": "Support to the 2021 elections",
            "country": "NE",
            "role": "Voter Registration Adviser",
            "from": "2020-06-01",
            "to": "2021-04-30",
        }
    ],
}
_BASE_DEPLOYMENT: dict[str, Any] = _BASE_EXPERT["deployments"][0] | {"rating": 4}
_BASE_ROLE: dict[str, Any] = {
    "id": "R1",
    "title": "Electoral Adviser",
    "seniority": "P4",
    "min_years": 10,
    "required_skills": ["electoral-management"],
    "desired_skills": ["mediation"],
    "required_languages": [{"code": "fr", "level": "C1"}],
    "description": "Advise the commission on electoral operations.",
}
_BASE_NEEDS: dict[str, Any] = {
    "id": "NA-TEST",
    "title": "Support to the electoral cycle",
    "country": "ML",
    "start": "2027-03-01",
    "end": "2027-06-30",
    "gender_target": 0.5,
}


def _bent(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of ``base`` with ``overrides`` applied; an override of None removes a field."""
    record = copy.deepcopy(base)
    for key, value in overrides.items():
        if value is None:
            record.pop(key, None)
        else:
            record[key] = copy.deepcopy(value)
    return record


def expert_record(key: int | str = 1, **overrides: Any) -> dict[str, Any]:
    """A valid, canonical expert record (schema key order) who meets ``role_record()``.

    ``key`` makes the id and email unique: a number gives ``EXP-T-0007`` and
    ``expert7@example.org``, a text is the external id itself (``"E1"``, ``e1@example.org``).
    Overrides replace fields; None removes one. Its one deployment is unrated, so that
    no score counts it; ``deployment_record()`` gives a rated one.
    """
    if isinstance(key, int):
        identity = {"external_id": f"EXP-T-{key:04d}", "email": f"expert{key}@example.org"}
    else:
        identity = {"external_id": key, "email": f"{key.lower()}@example.org"}
    return _bent(_BASE_EXPERT | identity, overrides)


def ranked_expert(
    key: int | str, years: int, gender: str = "man", **overrides: Any
) -> dict[str, Any]:
    """``expert_record`` whose years of electoral management (the skill ``role_record()``
    requires) set the rank: the more years, the higher the score."""
    skills = [{"code": "electoral-management", "years": years}]
    return expert_record(key, gender=gender, **({"skills": skills} | overrides))


def deployment_record(**overrides: Any) -> dict[str, Any]:
    """A past deployment of an expert record, rated 4; overrides replace fields."""
    return _bent(_BASE_DEPLOYMENT, overrides)


def role_record(role_id: str = "R1", **overrides: Any) -> dict[str, Any]:
    """A role asking for electoral management and French C1, one position."""
    return _bent(_BASE_ROLE | {"id": role_id}, overrides)


def needs_record(*roles: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A needs assessment for Mali, March to June 2027, with ``roles`` (one default role)."""
    return _bent(_BASE_NEEDS | {"roles": list(roles) or [role_record()]}, overrides)


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    """Write records as JSON Lines and return the path."""
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def write_as(path, records: list[dict]):
    """Write records in the format the suffix names, as another system would."""
    if path.suffix == ".jsonl":
        return write_jsonl(path, records)
    if path.suffix == ".json":
        path.write_text(json.dumps(records, indent=1), encoding="utf-8")
        return path
    from roster.interchange.formats import CSV_COLUMNS, CSV_CONSENT_COLUMN, record_to_csv_row

    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow([*CSV_COLUMNS, CSV_CONSENT_COLUMN])
        writer.writerows(record_to_csv_row(record) for record in records)
    return path


# --- stored rows ----------------------------------------------------------------------------


def expert_row(number: int = 1, **fields: Any) -> Expert:
    """A stored expert without an account, for a test to add to its session."""
    values = {
        "external_id": f"ROW-{number}",
        "full_name": f"Row Expert {number}",
        "email": f"row{number}@example.org",
    }
    return Expert(**(values | fields))


# --- CV files: real PDFs made with pypdf, and hostile ones made by hand -------------------

A4 = (595, 842)


def pdf(pages: int = 1, *, title: str | None = None) -> bytes:
    """A real PDF of blank A4 pages, with ``title`` in its metadata when given."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(*A4)
    if title is not None:
        writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(user_password: str) -> bytes:
    """A one-page PDF encrypted with RC4 (which pypdf reads without extra packages)."""
    writer = PdfWriter()
    writer.add_blank_page(*A4)
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def shifted(data: bytes) -> bytes:
    """``data`` with a comment after its header: every cross-reference offset is now wrong.

    Viewers open such a file (they rebuild the table), and so does pypdf when not strict.
    """
    header, rest = data.split(b"\n", 1)
    return header + b"\n% added by a careless tool\n" + rest


def _deflate(prefix: bytes, padding: bytes, padding_deflated: bytes) -> bytes:
    """zlib data of ``prefix + padding``, reusing ``padding`` deflated once on its own."""
    head = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = head.compress(prefix) + head.flush(zlib.Z_FULL_FLUSH)
    checksum = zlib.adler32(padding, zlib.adler32(prefix))
    return b"\x78\xda" + body + padding_deflated + struct.pack(">I", checksum)


def object_stream_pdf(pages: int, padding: bytes) -> bytes:
    """A PDF whose every page sits in its own object stream, followed by ``padding``.

    Each stream inflates to about ``len(padding)`` bytes and pypdf keeps each one it
    reads: with 70 MB of "x" per page, reading ten pages takes 700 MB; with 10 MB of
    spaces, pypdf skips each space one at a time, seconds per page.
    """
    squeeze = zlib.compressobj(9, zlib.DEFLATED, -15)
    padding_deflated = squeeze.compress(padding) + squeeze.flush()
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}

    def add(number: int, body: bytes) -> None:
        offsets[number] = len(out)
        out.extend(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    # 1 the catalog, 2 the page tree, 3.. the pages, then their object streams, then the xref.
    first_stream, xref = 3 + pages, 3 + 2 * pages
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(pages))
    add(1, b"<< /Type /Catalog /Pages 2 0 R >>")
    add(2, b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids))
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>"
    for i in range(pages):
        index = b"%d 0 " % (3 + i)
        data = _deflate(index + page, padding, padding_deflated)
        add(
            first_stream + i,
            b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (len(index), len(data))
            + data
            + b"\nendstream",
        )
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for number in range(1, xref + 1):
        if 3 <= number < first_stream:
            rows.append(struct.pack(">BIH", 2, first_stream + number - 3, 0))
        else:
            rows.append(struct.pack(">BIH", 1, offsets.get(number, len(out)), 0))
    table = zlib.compress(b"".join(rows))
    start = len(out)
    out.extend(
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Filter /FlateDecode "
        b"/Length %d >>\nstream\n%s\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n"
        % (xref, xref + 1, len(table), table, start)
    )
    return bytes(out)
