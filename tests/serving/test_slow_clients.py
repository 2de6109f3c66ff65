"""Clients that send their request one byte a second do not keep others waiting."""

import socket
import threading
import time

import pytest

pytestmark = pytest.mark.slow

SLOW_CLIENTS = 4
PATIENCE_S = 4


def _trickle(port: int, stop: threading.Event) -> None:
    """Send a sign-in form's headers at once, then its body one byte a second."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as connection:
        try:
            connection.sendall(
                b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n"
            )
            while not stop.wait(1):
                connection.sendall(b"e")
        except OSError:
            return  # The server may hang up on a client this slow: that is its right.


def test_a_page_answers_at_once_while_slow_clients_trickle_their_forms(database_url, serve):
    server = serve(database_url)
    for _ in range(4):
        server.visitor().get("/")  # Pages drawn once by each worker, as on a running server.
    stop = threading.Event()
    clients = [
        threading.Thread(target=_trickle, args=(server.port, stop)) for _ in range(SLOW_CLIENTS)
    ]
    for client in clients:
        client.start()
    try:
        time.sleep(1.5)  # Every slow client is inside the server, its form half sent.
        answers = [server.visitor(timeout=PATIENCE_S).get("/") for _ in range(3)]
    finally:
        stop.set()
        for client in clients:
            client.join(timeout=10)
    assert [answer.status for answer in answers] == [200, 200, 200]
    slowest = max(answer.seconds for answer in answers)
    assert slowest < 1, f"the home page took {slowest:.2f} s beside {SLOW_CLIENTS} slow clients"
