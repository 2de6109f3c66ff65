"""Admins send a staff account a new invitation, and remove staff accounts of people who left."""

import re
from email import message_from_bytes
from pathlib import Path

import pytest
from sqlalchemy import func, select

from roster.accounts import services
from roster.models import AuditEvent, OutboxMessage, User
from tests.conftest import csrf_token, sign_in, stored_expert
from tests.roster.conftest import ADMIN_EMAIL, post_form

NEW_PASSWORD = "recruiting since last spring"


def invite(admin, email: str = "rui@example.org", name: str = "Rui Costa", role="recruiter"):
    """Open a staff account from the New staff account form; return its public id."""
    response = post_form(
        admin,
        "/admin/users/new",
        {"display_name": name, "email": email, "roles": [role]},
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return public_id_of(admin.application, email)


def public_id_of(app, email: str) -> str:
    from roster.db import session_scope

    with session_scope(app) as session:
        return session.scalar(select(User.public_id).where(User.email == email))


def links_mailed(app, email: str) -> list[str]:
    """The links to choose a password mailed to ``email``, oldest first."""
    outbox = Path(app.instance_path) / "outbox"
    links = []
    for mail in sorted(outbox.glob(f"*{email.replace('@', '_at_')}.eml")):
        body = message_from_bytes(mail.read_bytes()).get_payload(decode=True).decode()
        links.append(re.search(r"http://localhost(/reset/\S+)", body).group(1))
    return links


def choose_password(app, link: str, password: str = NEW_PASSWORD):
    """Follow a mailed link in a fresh browser and choose a password there."""
    browser = app.test_client()
    page = browser.get(link)
    if page.status_code != 200:
        return page
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.get_data(as_text=True))
    return browser.post(
        link, data={"password": password, "confirm": password, "csrf_token": token.group(1)}
    )


def events(db_session, action: str) -> list[AuditEvent]:
    with db_session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- A new invitation --------------------------------------------------------------------


def test_a_new_invitation_replaces_the_first_whose_link_stops_working(app, admin, db_session):
    public_id = invite(admin)
    page = admin.get(f"/admin/users/{public_id}").get_data(as_text=True)
    assert "no password chosen yet" in page and "Send a new invitation" in page
    response = post_form(
        admin, f"/admin/users/{public_id}/invitation", form_url=f"/admin/users/{public_id}"
    )
    assert response.status_code == 302 and response.location == f"/admin/users/{public_id}"
    shown = admin.get(response.location).get_data(as_text=True)
    assert (
        "A new invitation was emailed to rui@example.org. Its link works for one hour; "
        "the links of earlier invitations no longer work."
    ) in shown
    first, second = links_mailed(app, "rui@example.org")
    refused = choose_password(app, first)
    assert refused.status_code == 400
    assert "This link has already been used or is no longer valid." in refused.get_data(
        as_text=True
    )
    assert choose_password(app, second).status_code == 302
    staff = app.test_client()
    assert sign_in(staff, "rui@example.org", NEW_PASSWORD).status_code == 302
    [event] = events(db_session, "account.invitation_resent")
    assert event.detail == {"user": public_id}
    with db_session() as session:
        ada = session.scalar(select(User.id).where(User.email == ADMIN_EMAIL))
    assert event.actor_id == ada


def test_no_invitation_once_a_password_is_chosen(app, admin, db_session):
    public_id = invite(admin)
    [link] = links_mailed(app, "rui@example.org")
    choose_password(app, link)
    page = admin.get(f"/admin/users/{public_id}").get_data(as_text=True)
    assert "Send a new invitation" not in page and "password chosen" in page
    token = csrf_token(admin, f"/admin/users/{public_id}")
    response = admin.post(f"/admin/users/{public_id}/invitation", data={"csrf_token": token})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'role="alert"' in text
    assert "rui@example.org already chose a password, so there is no invitation to send" in text
    assert len(links_mailed(app, "rui@example.org")) == 1
    assert events(db_session, "account.invitation_resent") == []


def test_an_expert_chose_a_password_and_gets_no_invitation(app, admin, make_user):
    expert = make_user("awa@example.org", "expert")
    response = post_form(
        admin, f"/admin/users/{expert.public_id}/invitation", form_url="/admin/users"
    )
    assert response.status_code == 400
    assert "already chose a password" in response.get_data(as_text=True)
    assert links_mailed(app, "awa@example.org") == []


def test_a_disabled_account_gets_no_invitation(app, admin, db_session):
    public_id = invite(admin)
    post_form(admin, f"/admin/users/{public_id}", {"roles": ["recruiter"], "disabled": "y"})
    response = post_form(
        admin, f"/admin/users/{public_id}/invitation", form_url=f"/admin/users/{public_id}"
    )
    assert response.status_code == 400
    assert "rui@example.org is disabled" in response.get_data(as_text=True)
    assert len(links_mailed(app, "rui@example.org")) == 1


def test_a_new_invitation_needs_the_form_token(app, admin, db_session):
    public_id = invite(admin)
    response = admin.post(f"/admin/users/{public_id}/invitation", data={})
    assert response.status_code == 400
    assert "The form expired or was sent from elsewhere" in response.get_data(as_text=True)
    assert len(links_mailed(app, "rui@example.org")) == 1
    assert events(db_session, "account.invitation_resent") == []


@pytest.mark.parametrize("role", ["recruiter", "planner", "expert"])
def test_only_admins_send_invitations_and_remove_accounts(app, admin, make_user, role):
    public_id = invite(admin, "mei@example.org", "Mei Lin", "planner")
    make_user(f"{role}@example.org", role)
    other = app.test_client()
    sign_in(other, f"{role}@example.org")
    token = csrf_token(other, "/account/password")
    assert (
        other.post(f"/admin/users/{public_id}/invitation", data={"csrf_token": token}).status_code
        == 403
    )
    assert other.get(f"/admin/users/{public_id}/remove").status_code == 403
    assert (
        other.post(f"/admin/users/{public_id}/remove", data={"csrf_token": token}).status_code
        == 403
    )
    assert len(links_mailed(app, "mei@example.org")) == 1
    assert public_id_of(app, "mei@example.org") == public_id


def test_unknown_accounts_are_404(admin):
    assert (
        post_form(admin, "/admin/users/nobody/invitation", form_url="/admin/users").status_code
        == 404
    )
    assert admin.get("/admin/users/nobody/remove").status_code == 404


# --- Removing a staff account ------------------------------------------------------------


@pytest.fixture
def planner(app, make_user):
    """Mei Lin, a planner, signed in on her own browser; returns (client, public id)."""
    user = make_user("mei@example.org", "planner", name="Mei Lin")
    client = app.test_client()
    assert sign_in(client, "mei@example.org").status_code == 302
    return client, user.public_id


def test_removing_a_staff_account_ends_its_sessions_and_keeps_its_name_on_the_trail(
    app, admin, planner, db_session
):
    mei, public_id = planner
    assert mei.get("/account/password").status_code == 200
    page = admin.get(f"/admin/users/{public_id}/remove").get_data(as_text=True)
    assert "Remove the account of mei@example.org" in page
    assert "Expert accounts are not removed here: experts erase their own account" in page
    response = post_form(admin, f"/admin/users/{public_id}/remove")
    assert response.status_code == 302 and response.location == "/admin/users"
    listed = admin.get("/admin/users").get_data(as_text=True)
    assert (
        "The account of mei@example.org is removed: its sessions have ended and its unsent "
        "mail is deleted. The audit trail names it “Mei Lin (removed account)”."
    ) in listed
    assert "mei@example.org</a>" not in listed
    # Her open session stops at once; her address and password no longer sign in.
    assert mei.get("/account/password").status_code == 302
    refused = sign_in(app.test_client(), "mei@example.org")
    assert "The email address or the password is not right." in refused.get_data(as_text=True)
    assert admin.get(f"/admin/users/{public_id}").status_code == 404
    # What she did is still hers on the trail, under her name.
    trail = admin.get(f"/admin/audit?actor={public_id}").get_data(as_text=True)
    assert "Mei Lin (removed account)" in trail and "signed in" in trail
    assert f'href="/admin/users/{public_id}"' not in trail
    [event] = events(db_session, "account.removed")
    assert event.detail == {"user": public_id, "roles": ["planner"]}
    assert "mei" not in str(event.detail).lower() and event.reason == ""
    with db_session() as session:
        tombstone = session.scalar(select(User).where(User.public_id == public_id))
        assert (tombstone.display_name, tombstone.roles, tombstone.disabled) == (
            "Mei Lin",
            [],
            True,
        )
        assert tombstone.email == f"removed-{public_id}@removed.invalid"
        assert tombstone.removed_at is not None


def test_a_removed_address_can_open_a_new_account(app, admin, planner):
    _, public_id = planner
    post_form(admin, f"/admin/users/{public_id}/remove")
    new_id = invite(admin, "mei@example.org", "Mei Lin", "recruiter")
    assert new_id != public_id
    assert "Mei Lin" in admin.get("/admin/users").get_data(as_text=True)


def test_removal_deletes_mail_not_sent_yet_and_voids_an_invitation(app, admin, db_session):
    public_id = invite(admin)
    [link] = links_mailed(app, "rui@example.org")
    with db_session() as session:
        session.add(OutboxMessage(recipient="rui@example.org", subject="Waiting", body="A link"))
    assert post_form(admin, f"/admin/users/{public_id}/remove").status_code == 302
    with db_session() as session:
        left = session.scalar(
            select(func.count()).where(OutboxMessage.recipient == "rui@example.org")
        )
    assert left == 0
    assert choose_password(app, link).status_code == 400


def test_an_expert_sees_a_removed_staff_member_by_name_as_former_staff(
    app, admin, profiled_client, make_user, db_session
):
    make_user("rui@example.org", "recruiter", name="Rui Costa")
    rui = app.test_client()
    sign_in(rui, "rui@example.org")
    expert = stored_expert(db_session)
    post_form(rui, f"/experts/{expert.public_id}", {"purpose": "vetting"})
    post_form(admin, f"/admin/users/{public_id_of(app, 'rui@example.org')}/remove")
    views = profiled_client.get("/me/views").get_data(as_text=True)
    assert "Rui Costa" in views and "former staff member" in views


def test_nobody_removes_their_own_account(admin, db_session):
    own = public_id_of(admin.application, ADMIN_EMAIL)
    page = admin.get(f"/admin/users/{own}/remove").get_data(as_text=True)
    assert "This account cannot be removed" in page
    assert "You cannot remove your own account. Another admin can remove it." in page
    assert "Remove the account</button>" not in page
    response = post_form(admin, f"/admin/users/{own}/remove", form_url="/admin/users")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert 'role="alert"' in text and "You cannot remove your own account." in text
    assert admin.get("/admin/users").status_code == 200
    assert events(db_session, "account.removed") == []


def test_expert_accounts_are_erased_by_the_expert_not_removed(app, admin, make_user, db_session):
    expert = make_user("awa@example.org", "expert", name="Awa Ndiaye")
    page = admin.get(f"/admin/users/{expert.public_id}/remove").get_data(as_text=True)
    assert "awa@example.org is an expert&#39;s account. Experts erase their own account" in page
    assert "Remove the account</button>" not in page
    response = post_form(admin, f"/admin/users/{expert.public_id}/remove", form_url="/admin/users")
    assert response.status_code == 400
    assert "is an expert&#39;s account" in response.get_data(as_text=True)
    assert public_id_of(app, "awa@example.org") == expert.public_id
    # A staff member who is also on the roster as an expert is refused too.
    both = make_user("sam@example.org", "expert", "recruiter")
    response = post_form(admin, f"/admin/users/{both.public_id}/remove", form_url="/admin/users")
    assert response.status_code == 400


def test_removal_needs_the_form_token(app, admin, planner):
    mei, public_id = planner
    response = admin.post(f"/admin/users/{public_id}/remove", data={})
    assert response.status_code == 400
    assert "The form expired or was sent from elsewhere" in response.get_data(as_text=True)
    assert mei.get("/account/password").status_code == 200
    assert public_id_of(app, "mei@example.org") == public_id


def test_another_admin_can_be_removed_but_never_the_last_active_one(app, admin, make_user):
    second = make_user("grace@example.org", "admin", name="Grace Hopper")
    assert post_form(admin, f"/admin/users/{second.public_id}/remove").status_code == 302
    # Through the pages the last admin is always the one asking, refused above; a caller
    # without the pages (a command, say) meets the same rule.
    from roster.db import session_scope

    with session_scope(app) as session:
        ada = session.scalar(select(User).where(User.email == ADMIN_EMAIL))
        with pytest.raises(services.AccountError, match="last active admin"):
            services.remove_account(session=session, user=ada, actor_id=second.id)


def test_a_disabled_staff_account_can_be_removed(app, admin, planner):
    _, public_id = planner
    post_form(admin, f"/admin/users/{public_id}", {"roles": ["planner"], "disabled": "y"})
    assert post_form(admin, f"/admin/users/{public_id}/remove").status_code == 302
    assert public_id_of(app, "mei@example.org") is None


def test_two_admins_removing_each_other_at_once_leave_one_admin(app, make_user):
    import threading
    import time

    from sqlmodel import Session

    from roster.db import engines

    ada = make_user(ADMIN_EMAIL, "admin", name="Ada Lovelace")
    grace = make_user("grace@example.org", "admin", name="Grace Hopper")
    outcome: dict[str, str] = {}

    def grace_removes_ada() -> None:
        with Session(engines(app).write) as session:
            try:
                target = session.get(User, ada.id)
                services.remove_account(session=session, user=target, actor_id=grace.id)
                session.commit()
                outcome["grace"] = "removed Ada"
            except services.AccountError as error:
                session.rollback()
                outcome["grace"] = str(error)

    with Session(engines(app).write) as first:
        services.remove_account(session=first, user=first.get(User, grace.id), actor_id=ada.id)
        first.flush()
        other = threading.Thread(target=grace_removes_ada)
        other.start()
        time.sleep(0.5)  # Grace's request reaches the count of admins and waits there
        first.commit()
    other.join(timeout=20)
    assert outcome["grace"] == str(services.LAST_ADMIN)
    with Session(engines(app).write) as session:
        assert session.get(User, ada.id).removed_at is None
