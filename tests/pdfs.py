"""Real PDF files for the CV tests, made with pypdf, and hostile ones made by hand."""

import io
import struct
import zlib

from pypdf import PdfWriter

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
