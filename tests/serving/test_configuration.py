"""gunicorn.conf.py: the one place that says how the roster is served."""

import psutil
from gunicorn.workers.gthread import ThreadWorker

from roster.serving import RosterWorker


def test_gunicorn_listens_on_the_loopback_address_only(database_url, serve):
    # PORT is set, with which gunicorn's own default would listen on every interface.
    server = serve(database_url)
    assert server.visitor().get("/").status == 200
    listening = {
        (connection.laddr.ip, connection.laddr.port)
        for connection in psutil.Process(server.process.pid).net_connections(kind="inet")
        if connection.status == psutil.CONN_LISTEN
    }
    assert listening == {("127.0.0.1", server.port)}
    # gthread's threads, with the roster's page for a request line too long to read.
    assert "Using worker: roster.serving.RosterWorker" in server.log()
    assert issubclass(RosterWorker, ThreadWorker)
