"""The CV: PDF by content, 5 MB at most, kept outside static/, downloaded by its owner and staff."""

from pathlib import Path

import pytest
from sqlalchemy import select

from roster.models import AuditEvent, Expert
from tests.conftest import stored_expert
from tests.factories import pdf
from tests.roster.conftest import download_cv, multipart, page_form, post_form, upload_cv

PDF = pdf()


def test_a_pdf_is_stored_outside_static_under_a_random_name(app, profiled_client, db_session):
    response = upload_cv(profiled_client, PDF, "Mon CV (2027).pdf")
    assert response.status_code == 302
    expert = stored_expert(db_session)
    [path] = (Path(app.instance_path) / "cvs").iterdir()
    assert path.name == expert.cv_stored_name and len(path.stem) == 32 and path.suffix == ".pdf"
    assert path.read_bytes() == PDF
    assert expert.cv_original_name == "Mon CV (2027).pdf"
    assert not list(Path(app.static_folder).rglob("*.pdf"))


def test_the_owner_downloads_it_as_an_attachment(profiled_client):
    upload_cv(profiled_client, PDF, "cv.pdf")
    response = profiled_client.get("/me/cv/download")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"MZ\x90\x00\x03" + b"\x00" * 200, "cv.pdf", "not a PDF document"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, "photo.pdf", "not a PDF document"),
        (b"%PDF-1.4\nbut it never ends properly", "cv.pdf", "cannot be read as a PDF document"),
        (b"", "cv.pdf", "The file is empty"),
    ],
)
def test_files_that_are_not_pdfs_are_refused_whatever_their_name(
    app, profiled_client, data, name, message
):
    response = upload_cv(profiled_client, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert not (Path(app.instance_path) / "cvs").exists() or not list(
        (Path(app.instance_path) / "cvs").iterdir()
    )


def test_a_file_between_5_and_6_mb_gets_a_form_error(profiled_client, db_session):
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024) + b"\n%%EOF\n"
    response = upload_cv(profiled_client, big)
    assert response.status_code == 400
    assert "the largest CV accepted is 5 MB" in response.get_data(as_text=True)
    assert stored_expert(db_session).cv_stored_name is None


def test_a_20_mb_upload_gets_413_with_a_readable_page(profiled_client):
    huge = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024) + b"\n%%EOF\n"
    response = upload_cv(profiled_client, huge)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "The file is 20.0 MB; the largest CV accepted is 5 MB." in page
    assert "<html" in page


def test_folders_in_file_names_are_stripped(app, profiled_client, db_session):
    assert upload_cv(profiled_client, PDF, "../../static/evil.pdf").status_code == 302
    assert stored_expert(db_session).cv_original_name == "evil.pdf"
    assert not (Path(app.static_folder) / "evil.pdf").exists()
    assert upload_cv(profiled_client, PDF, "..\\..\\" + "x" * 400 + ".pdf").status_code == 302
    name = stored_expert(db_session).cv_original_name
    assert len(name) <= 255 and name.endswith(".pdf") and "\\" not in name


def test_replacing_a_cv_deletes_the_old_file(app, profiled_client, db_session):
    upload_cv(profiled_client, PDF, "first.pdf")
    first = stored_expert(db_session).cv_stored_name
    upload_cv(profiled_client, pdf(2), "second.pdf")
    files = [p.name for p in (Path(app.instance_path) / "cvs").iterdir()]
    assert files == [stored_expert(db_session).cv_stored_name] and first not in files


def test_removing_the_cv_deletes_the_file(app, profiled_client, db_session):
    upload_cv(profiled_client, PDF)
    assert post_form(profiled_client, "/me/cv/remove", form_url="/me/cv").status_code == 302
    assert stored_expert(db_session).cv_stored_name is None
    assert list((Path(app.instance_path) / "cvs").iterdir()) == []
    assert profiled_client.get("/me/cv/download").status_code == 404


def test_a_stale_version_uploads_nothing(app, profiled_client, db_session):
    values = page_form(profiled_client, "/me/cv")
    post_form(profiled_client, "/me/summary", {"summary": "changed meanwhile"})
    response = profiled_client.post("/me/cv", **multipart(values, PDF, "cv.pdf"))
    assert response.status_code == 409
    assert stored_expert(db_session).cv_stored_name is None
    folder = Path(app.instance_path) / "cvs"
    assert not folder.exists() or list(folder.iterdir()) == []


def test_recruiters_download_a_cv_and_the_download_is_audited(
    profiled_client, signed_in, db_session
):
    upload_cv(profiled_client, PDF)
    public_id = stored_expert(db_session).public_id
    staff = signed_in("rita@example.org", "recruiter", name="Rita Recruiter")
    response = download_cv(staff, public_id, "deployment-follow-up")
    assert response.status_code == 200 and response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    with db_session() as session:
        download = session.scalar(select(AuditEvent).where(AuditEvent.action == "cv.download"))
        assert download.detail == {"purpose": "deployment-follow-up"}
    views = " ".join(profiled_client.get("/me/views").get_data(as_text=True).split())
    assert "downloaded your CV" in views and "Deployment follow-up" in views


def test_a_cv_is_not_downloaded_without_a_reason(profiled_client, signed_in, db_session):
    upload_cv(profiled_client, PDF)
    public_id = stored_expert(db_session).public_id
    staff = signed_in("rita@example.org", "recruiter")
    response = post_form(staff, f"/experts/{public_id}/cv", {}, form_url=f"/experts/{public_id}")
    assert response.status_code == 400
    assert "Open the profile with a reason first" in response.get_data(as_text=True)
    assert staff.get(f"/experts/{public_id}/cv").status_code == 405
    with db_session() as session:
        assert session.scalar(select(AuditEvent).where(AuditEvent.action == "cv.download")) is None


@pytest.mark.parametrize("role", ["planner", "expert"])
def test_others_cannot_download_a_cv(profiled_client, signed_in, db_session, role):
    upload_cv(profiled_client, PDF)
    public_id = stored_expert(db_session).public_id
    other = signed_in(f"{role}@example.org", role)
    assert other.post(f"/experts/{public_id}/cv").status_code == 403
    # Their own /me/cv/download is about their own (absent) profile, never this one.
    response = other.get("/me/cv/download")
    assert response.status_code in (302, 403)
    assert response.data != PDF


def download_cv_by_guess(staff, guess: str):
    """Press a CV button whose address names ``guess``, with a valid reason and token."""
    data = {"purpose": "vetting", "note": ""}
    return post_form(staff, f"/experts/{guess}/cv", data, form_url="/account/password")


def test_unknown_or_sequential_ids_are_not_found(profiled_client, signed_in, db_session):
    upload_cv(profiled_client, PDF)
    staff = signed_in("rita@example.org", "recruiter")
    with db_session() as session:
        expert_id = session.scalar(select(Expert.id))
    for guess in (str(expert_id), "1", "2", "abc", "x" * 40):
        assert download_cv_by_guess(staff, guess).status_code == 404, guess


def test_a_stale_version_is_told_before_the_file_is_read(profiled_client):
    # The version is compared first: a stale form costs no PDF parsing.
    values = page_form(profiled_client, "/me/cv")
    post_form(profiled_client, "/me/summary", {"summary": "changed meanwhile"})
    response = profiled_client.post("/me/cv", **multipart(values, b"%PDF-1.4 %%EOF", "cv.pdf"))
    assert response.status_code == 409


def test_cv_uploads_are_limited_per_account(profiled_client):
    for _ in range(20):
        assert upload_cv(profiled_client, b"plain text, not a pdf").status_code == 400
    refused = upload_cv(profiled_client, PDF)
    assert refused.status_code == 429
    assert "Too many CV uploads. Please wait an hour" in refused.get_data(as_text=True)
