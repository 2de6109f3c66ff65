"""An admin manages staff accounts and roles; no default accounts exist."""

from sqlalchemy import select

from roster.models import User
from tests.conftest import count_rows, csrf_token, link_in, outbox, sign_in


def test_a_fresh_roster_has_no_accounts(db_session):
    assert count_rows(db_session, User) == 0


def test_create_user_command_makes_the_first_admin(runner, tmp_path, client):
    secret = tmp_path / "pw"
    secret.write_text("a long admin passphrase\n")
    result = runner.invoke(
        args=[
            "roster",
            "create-user",
            "--email",
            "Chief@Example.org",
            "--password-file",
            str(secret),
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Created chief@example.org with role(s) admin." in result.output
    assert sign_in(client, "chief@example.org", "a long admin passphrase").status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_create_user_command_refuses_a_weak_password(runner, tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("password\n")
    result = runner.invoke(
        args=["roster", "create-user", "--email", "a@example.org", "--password-file", str(secret)]
    )
    assert result.exit_code == 1
    assert "Error: The password must be at least 12 characters long." in result.output


def test_admin_creates_a_staff_account_who_sets_a_password_by_email(app, client, make_user):
    make_user("admin@example.org", "admin")
    sign_in(client, "admin@example.org")
    token = csrf_token(client, "/admin/users/new")
    response = client.post(
        "/admin/users/new",
        data={
            "display_name": "Rui Costa",
            "email": "rui@example.org",
            "roles": ["recruiter"],
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    [mail] = [message for message in outbox(app) if message["To"] == "rui@example.org"]
    link = link_in(mail, "reset")
    staff = app.test_client()
    token = csrf_token(staff, link)
    staff.post(
        link,
        data={
            "password": "recruiting since last spring",
            "confirm": "recruiting since last spring",
            "csrf_token": token,
        },
    )
    assert sign_in(staff, "rui@example.org", "recruiting since last spring").status_code == 302
    assert staff.get("/admin/users").status_code == 403


def test_disabling_a_user_ends_their_sessions(app, client, make_user, db_session):
    make_user("admin@example.org", "admin")
    target = make_user("p@example.org", "planner")
    planner = app.test_client()
    sign_in(planner, "p@example.org")
    assert planner.get("/account/password").status_code == 200
    sign_in(client, "admin@example.org")
    url = f"/admin/users/{target.public_id}"
    response = client.post(
        url, data={"roles": ["planner"], "disabled": "y", "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert planner.get("/account/password").status_code == 302
    assert "This account is disabled" in sign_in(planner, "p@example.org").get_data(as_text=True)


def test_the_last_admin_cannot_remove_their_own_admin_role(client, make_user):
    admin = make_user("admin@example.org", "admin")
    sign_in(client, "admin@example.org")
    url = f"/admin/users/{admin.public_id}"
    response = client.post(
        url, data={"roles": ["recruiter"], "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 400
    assert "last active admin" in response.get_data(as_text=True)


def test_unknown_user_id_is_404(client, make_user):
    make_user("admin@example.org", "admin")
    sign_in(client, "admin@example.org")
    assert client.get("/admin/users/does-not-exist").status_code == 404


def test_posting_an_unknown_role_changes_nothing(client, make_user, db_session):
    make_user("admin@example.org", "admin")
    target = make_user("e@example.org", "expert")
    sign_in(client, "admin@example.org")
    url = f"/admin/users/{target.public_id}"
    response = client.post(
        url, data={"roles": ["superuser"], "csrf_token": csrf_token(client, url)}
    )
    assert response.status_code == 400
    with db_session() as session:
        user = session.scalar(select(User).where(User.email == "e@example.org"))
        assert [r.role for r in user.roles] == ["expert"]
