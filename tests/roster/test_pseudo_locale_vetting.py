"""The vetting pages and the decision mail in the pseudo-locale: every word translated.

The profile is the complete one of ``test_pseudo_locale_profile`` (under review, one
area verified); the recruiter reads the pages in ``en-XA``.
"""

import re

from sqlalchemy import select

from roster.models import OutboxMessage
from tests.roster import test_pseudo_locale_profile as complete
from tests.roster.conftest import form_fields, post_form
from tests.roster.test_pseudo_locale import assert_all_marked
from tests.roster.test_pseudo_locale_mail import assert_all_marked as assert_mail_marked
from tests.roster.test_pseudo_locale_profile import (
    ELSEWHERE,
    EXPERT_EMAIL,
    EXPERT_NAME,
    REASON_REFUSALS,
)

# The complete profile, opened by a recruiter, both in en-XA (fixtures).
profile, pseudo = complete.profile, complete.pseudo

EVIDENCE = "Certificate of the commission seen"
def _opened(recruiter, public_id: str):
    response = post_form(recruiter, f"/vetting/{public_id}", {"purpose": "vetting"})
    assert response.status_code == 302
    return recruiter.get(f"/vetting/{public_id}")


def _send(recruiter, public_id: str, page: str, path: str, **fields: str):
    """Post the page's form for ``path`` with its token, the profile's version and ``fields``."""
    version = re.search(r'name="decision-version"[^>]*value="(\d+)"', page).group(1)
    prefix = "decision" if path == "decision" else f"area-{path.rsplit('/', 1)[-1]}"
    data = {"csrf_token": form_fields(page)["csrf_token"], f"{prefix}-version": version}
    data |= {f"{prefix}-{name}": value for name, value in fields.items()}
    return recruiter.post(f"/vetting/{public_id}/{path}", data=data, follow_redirects=True)


def test_the_queue_is_all_marked(profile):
    _, recruiter, _, data = profile
    response = recruiter.get("/vetting")
    assert EXPERT_NAME in response.get_data(as_text=True)
    assert_all_marked(response, *data, "SN")
    missing = recruiter.get("/vetting?page=4")
    assert missing.status_code == 404
    assert_all_marked(missing, *data)


def test_the_reason_form_and_the_vetting_page_are_all_marked(profile):
    _, recruiter, public_id, data = profile
    asked = recruiter.get(f"/vetting/{public_id}")
    assert_all_marked(asked, *data, *ELSEWHERE)
    refused = post_form(recruiter, f"/vetting/{public_id}", {"purpose": ""})
    assert refused.status_code == 400
    assert_all_marked(refused, *data, *ELSEWHERE, *REASON_REFUSALS)
    page = _opened(recruiter, public_id)
    shown = page.get_data(as_text=True)
    assert 'id="verify"' in shown and 'name="decision-to"' in shown
    assert_all_marked(page, *data, *ELSEWHERE)


def test_a_verification_and_a_decision_with_their_messages_are_all_marked(app, profile, db_session):
    _, recruiter, public_id, data = profile
    page = _opened(recruiter, public_id).get_data(as_text=True)
    area = "expertise/legal-framework"
    missing = _send(recruiter, public_id, page, area, verified="y")
    assert missing.status_code == 400
    assert_all_marked(missing, *data, *ELSEWHERE)
    verified = _send(recruiter, public_id, page, area, verified="y", note=EVIDENCE)
    assert "flash-success" in verified.get_data(as_text=True)
    assert_all_marked(verified, *data, *ELSEWHERE, EVIDENCE)
    page = verified.get_data(as_text=True)
    declined = _send(recruiter, public_id, page, "decision", to="declined")
    assert declined.status_code == 400
    assert_all_marked(declined, *data, *ELSEWHERE, EVIDENCE)
    reason = "Not enough field experience yet"
    decided = _send(recruiter, public_id, page, "decision", to="declined", reason=reason)
    assert "flash-success" in decided.get_data(as_text=True)
    assert_all_marked(decided, *data, *ELSEWHERE, EVIDENCE, reason)
    with db_session(write=False) as session:
        mail = session.scalars(
            select(OutboxMessage).where(OutboxMessage.recipient == EXPERT_EMAIL)
        ).one()
    assert_mail_marked(mail, EXPERT_NAME, reason)
