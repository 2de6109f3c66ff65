"""An expert's CV through the API: uploaded as a PDF checked by its content, downloaded,
removed; the page's checks, and one budget of uploads with the page."""

import pytest

from tests.api import me_support as support
from tests.api.me_support import browser_of, conforms, problem_paths, stored
from tests.factories import pdf

ana, ana_with_profile, document = support.ana, support.ana_with_profile, support.document


def test_an_expert_uploads_downloads_and_removes_the_cv(app, ana_with_profile, document):
    etag = ana_with_profile.get("/me").headers["ETag"]
    data = pdf(2)

    uploaded = ana_with_profile.put(
        "/me/cv?file_name=Ana%20Lima%20CV.pdf", data=data, content_type="application/pdf",
        headers={"If-Match": etag},
    )  # fmt: skip

    assert uploaded.status_code == 200, uploaded.get_json()
    conforms(document, "/me/cv", "put", uploaded)
    assert uploaded.headers["ETag"] != etag
    download = ana_with_profile.get("/me/cv")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data == data
    assert "Ana Lima CV.pdf" in browser_of(app).get("/me/cv").get_data(as_text=True)

    removed = ana_with_profile.delete("/me/cv", headers={"If-Match": uploaded.headers["ETag"]})
    assert removed.status_code == 200
    assert ana_with_profile.get("/me/cv").status_code == 404
    assert stored(app).cv_stored_name is None


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        (b"<html>not a pdf</html>", "application/pdf", 422),
        (b"", "application/pdf", 422),
        (pdf(), "text/plain", 415),
        (b"%PDF-" + b"0" * (5 * 1024 * 1024), "application/pdf", 413),
    ],
)
def test_a_cv_that_is_not_an_acceptable_pdf_is_refused(
    app, ana_with_profile, data, content_type, status
):
    etag = ana_with_profile.get("/me").headers["ETag"]

    answer = ana_with_profile.put(
        "/me/cv", data=data, content_type=content_type, headers={"If-Match": etag}
    )

    assert answer.status_code == status
    assert answer.mimetype == "application/problem+json"
    if status == 422:
        assert problem_paths(answer) == ["cv"]
    assert stored(app).cv_stored_name is None
    assert ana_with_profile.get("/me").headers["ETag"] == etag


def test_a_cv_upload_names_the_version_it_changes(app, ana_with_profile):
    missing = ana_with_profile.put("/me/cv", data=pdf(), content_type="application/pdf")
    stale = ana_with_profile.put(
        "/me/cv", data=pdf(), content_type="application/pdf", headers={"If-Match": '"old"'}
    )

    assert missing.status_code == 428 and stale.status_code == 412
    assert stored(app).cv_stored_name is None


def test_cv_uploads_count_against_one_budget_on_the_page_and_the_api(app, ana_with_profile):
    from tests.roster.conftest import upload_cv

    browser = browser_of(app)
    etag = ana_with_profile.get("/me").headers["ETag"]
    for _ in range(10):
        assert upload_cv(browser, b"plain text, not a pdf").status_code == 400
        sent = ana_with_profile.put(
            "/me/cv", data=b"plain text", content_type="application/pdf",
            headers={"If-Match": etag},
        )  # fmt: skip
        assert sent.status_code == 422

    refused = ana_with_profile.put(
        "/me/cv", data=pdf(), content_type="application/pdf", headers={"If-Match": etag}
    )

    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert "Too many CV uploads" in refused.get_json()["detail"]
    assert upload_cv(browser, pdf()).status_code == 429
    assert stored(app).cv_stored_name is None
