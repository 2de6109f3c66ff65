"""Mail goes out through a real SMTP server when one is configured."""

from roster.mail import send_mail


def test_messages_go_through_smtp_when_configured(app, smtp_sink):
    sink, port = smtp_sink
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    with app.test_request_context():
        send_mail(to="expert@example.org", subject="Hello", body="A line of text.")
    [(recipients, message)] = sink.messages
    assert recipients == ["expert@example.org"]
    assert message["Subject"] == "Hello"
    assert message.get_payload(decode=True).decode().strip() == "A line of text."


def test_registration_confirmation_arrives_through_smtp(app, client, smtp_sink):
    from tests.conftest import PASSWORD, csrf_token

    sink, port = smtp_sink
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    token = csrf_token(client, "/register")
    client.post(
        "/register",
        data={
            "full_name": "Ana",
            "email": "ana@example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "csrf_token": token,
        },
    )
    [(recipients, message)] = sink.messages
    assert recipients == ["ana@example.org"]
    assert "/confirm/" in message.get_payload(decode=True).decode()
