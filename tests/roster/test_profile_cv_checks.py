"""What a CV must be (a readable PDF with pages, 5 MB at most) and how it is served (as PDF)."""

import html
import re
import time
from pathlib import Path

import pytest
from werkzeug.http import parse_options_header

from tests.conftest import stored_expert
from tests.factories import encrypted_pdf, object_stream_pdf, pdf, shifted
from tests.roster.conftest import download_cv, multipart, page_form, post_form, upload_cv

PDF = pdf()
MB = 1024 * 1024
UNREADABLE = "This file cannot be read as a PDF document"
TOO_COMPLEX = "This PDF is too complex to be checked, so it was not accepted."


def stored_files(app) -> list[Path]:
    folder = Path(app.instance_path) / "cvs"
    return list(folder.iterdir()) if folder.exists() else []


def message_of(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.4 %%EOF", UNREADABLE),
        (
            b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n%%EOF\n",
            UNREADABLE,
        ),
        # A catalog and a trailer, no page tree: what these tests uploaded as a "PDF" before.
        (
            b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
            UNREADABLE,
        ),
        (pdf(pages=0), "This PDF has no pages."),
        (encrypted_pdf("secret"), "This PDF is protected by a password or encryption"),
        # Opens without a password, but still encrypted: printing and copying may be barred.
        (encrypted_pdf(""), "This PDF is protected by a password or encryption"),
    ],
    ids=["stub", "html-polyglot", "no-page-tree", "no-pages", "password", "owner-password"],
)
def test_files_that_only_look_like_pdfs_are_refused_in_plain_words(
    app, profiled_client, db_session, data, message
):
    response = upload_cv(profiled_client, data, "cv.pdf")
    assert response.status_code == 400
    assert message in message_of(response)
    assert stored_expert(db_session).cv_stored_name is None and stored_files(app) == []


def test_a_pdf_that_viewers_repair_is_accepted_and_pypdf_says_nothing(
    app, profiled_client, db_session, caplog, recwarn
):
    # Offsets all wrong by a few bytes: pypdf repairs it (not strict), as viewers do.
    assert upload_cv(profiled_client, shifted(pdf(pages=2)), "repaired.pdf").status_code == 302
    assert stored_expert(db_session).cv_original_name == "repaired.pdf"
    # ... while the 15-byte stub that passed the old check does not.
    assert upload_cv(profiled_client, b"%PDF-1.4 %%EOF", "stub.pdf").status_code == 400
    assert stored_expert(db_session).cv_original_name == "repaired.pdf"
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]
    assert len(recwarn) == 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "hostile",
    [
        # Ten pages, each in an object stream of 10 MB of spaces: minutes of parsing.
        lambda: object_stream_pdf(10, b" " * (10 * MB)),
        # Ten object streams of 70 MB of "x" each, from a 0.7 MB file: 700 MB held at once.
        lambda: object_stream_pdf(10, b"x" * (70 * MB)),
    ],
    ids=["slow-to-parse", "inflates-to-700-mb"],
)
def test_a_hostile_pdf_is_refused_within_seconds(app, profiled_client, db_session, hostile):
    data = hostile()
    assert len(data) < MB
    started = time.monotonic()
    response = upload_cv(profiled_client, data, "cv.pdf")
    assert response.status_code == 400
    assert TOO_COMPLEX in message_of(response)
    # The check stops at 5 s of CPU (or 512 MB) in its own process; the page waits no more.
    assert time.monotonic() - started < 20
    assert stored_expert(db_session).cv_stored_name is None and stored_files(app) == []


def disposition(response) -> tuple[str, dict[str, str]]:
    return parse_options_header(response.headers["Content-Disposition"])


def assert_served_as_pdf(response, name: str) -> None:
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    kind, options = disposition(response)
    # werkzeug reads filename* (the exact name) over the ASCII stand-in, as browsers do.
    assert kind == "attachment" and options["filename"] == name


def upload_as(client, file_parameters: str, data: bytes = PDF):
    """Upload ``data`` with the file part's name parameters written as a browser does."""
    boundary = "cvboundary7d1f"
    fields = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in page_form(client, "/me/cv").items()
    )
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="cv"; {file_parameters}\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    body = (fields + part).encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return client.post(
        "/me/cv", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )


@pytest.mark.parametrize(
    "sent, shown, ascii_name",
    [
        ('filename="cv.html"', "cv.pdf", "cv.pdf"),
        # RFC 5987's filename*, which multipart parsers read before filename.
        ("filename=\"cv.pdf\"; filename*=UTF-8''evil.html", "evil.pdf", "evil.pdf"),
        ('filename="Mon CV (2027).PDF"', "Mon CV (2027).pdf", "Mon CV (2027).pdf"),
        ('filename="curriculum"', "curriculum.pdf", "curriculum.pdf"),
        # Browsers send a quote in a file name as %22.
        ('filename="My %22best%22 CV.svg"', 'My "best" CV.pdf', "My _best_ CV.pdf"),
        (
            'filename="Aïssatou Diallo — CV.html"',
            "Aïssatou Diallo — CV.pdf",
            "Aissatou Diallo  CV.pdf",
        ),
        ('filename="Резюме.docx"', "Резюме.pdf", "cv.pdf"),
    ],
    ids=["html", "filename-star", "upper-case", "no-extension", "quotes", "accents", "cyrillic"],
)
def test_a_cv_is_always_downloaded_as_a_pdf_named_pdf(
    profiled_client, signed_in, db_session, sent, shown, ascii_name
):
    assert upload_as(profiled_client, sent).status_code == 302
    assert stored_expert(db_session).cv_original_name == shown
    page = profiled_client.get("/me/cv").get_data(as_text=True)
    assert f"<strong>{html.escape(shown)}</strong>" in page.replace("&#34;", "&quot;")
    mine = profiled_client.get("/me/cv/download")
    assert_served_as_pdf(mine, shown)
    header = mine.headers["Content-Disposition"]
    assert f'filename="{ascii_name}"' in header and header.isascii()
    staff = signed_in("rita@example.org", "recruiter")
    assert_served_as_pdf(download_cv(staff, stored_expert(db_session).public_id), shown)


def test_a_file_over_5_mb_is_reported_with_its_real_size(profiled_client, db_session):
    data = b"%PDF-1.4\n" + b"0" * (int(5.7 * MB) - 9)
    response = upload_cv(profiled_client, data)
    assert response.status_code == 400
    assert "The file is 5.7 MB; the largest CV accepted is 5 MB." in message_of(response)
    assert stored_expert(db_session).cv_stored_name is None


def test_an_upload_cut_at_the_request_limit_gets_the_cv_form_and_its_size(
    client, profiled_client, db_session
):
    data = b"%PDF-1.4\n" + b"0" * (int(7.2 * MB) - 9)
    response = upload_cv(profiled_client, data)
    assert response.status_code == 413
    page = message_of(response)
    # The error summary links to the file field, which is there to choose another file.
    message = "The file is 7.2 MB; the largest CV accepted is 5 MB."
    assert re.search(rf'role="alert".*<a href="#cv">{re.escape(message)}</a>', page)
    assert re.search(r'<input [^>]*id="cv" name="cv"[^>]* type="file"', page)
    assert ">Upload</button>" in page
    assert "<h1>Your CV</h1>" in page
    # The form works from there: the next upload, a good one, is taken.
    assert upload_cv(profiled_client, PDF).status_code == 302
    assert stored_expert(db_session).cv_stored_name
    # Elsewhere in the profile a cut request gets the plain page, as before ...
    response = post_form(profiled_client, "/me/summary", {"summary": "x" * (7 * MB)})
    assert response.status_code == 413
    assert "The file is too large. The largest file accepted is 5 MB." in message_of(response)
    # ... and someone signed out is asked to sign in, as for any upload.
    response = client.post("/me/cv", **multipart({}, data, "cv.pdf"))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_file_just_over_5_mb_does_not_read_as_5_0_mb(profiled_client):
    response = upload_cv(profiled_client, b"%PDF-" + b"0" * (5 * MB - 4))
    assert response.status_code == 400
    page = message_of(response)
    assert "The file is a little over 5 MB; the largest CV accepted is 5 MB." in page
