"""How gunicorn serves the roster: ``gunicorn -c gunicorn.conf.py wsgi:app`` (``make run``).

Options given on gunicorn's command line, or in ``GUNICORN_CMD_ARGS``, override these.
"""

import os

# Loopback only: behind TRUSTED_PROXIES=1 the app believes X-Forwarded-For, so gunicorn
# must be reachable through the proxy alone. (gunicorn's own default with PORT set
# would listen on every interface.)
bind = [f"127.0.0.1:{os.environ.get('PORT', '8000')}"]

# Threads, not one request per process: a request waiting for a busy SQLite, or a
# client sending its body slowly, holds one thread while the others go on serving.
# gunicorn's gthread worker, which answers a request line too long to read with the
# roster's own page rather than gunicorn's bare one (roster/serving.py).
worker_class = "roster.serving.RosterWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = 8

# A worker whose main loop is silent this long is restarted. Web requests wait at most
# 5 seconds for a busy SQLite (roster.db.WEB_BUSY_TIMEOUT_MS), well inside it.
timeout = 30
graceful_timeout = 30
# Seconds an idle kept-alive connection stays open; a proxy in front may keep it longer.
keepalive = 5

# The longest request line (method, address, protocol) read: gunicorn's maximum, twice
# its default, so that an address typed or edited by hand up to 8,190 bytes reaches the
# app, which says what is wrong with it (a search: at most 200 characters, roster/search.py).
# A longer one is answered by the worker with the roster's page (414). 0 would read lines
# of any length: one request could then fill a worker's memory.
limit_request_line = 8190
# gunicorn's defaults; repeated so that the limits are read in one place.
limit_request_fields = 100
limit_request_field_size = 8190

accesslog = "-"

# No control socket for gunicornc: its default path, in the home folder, is shared by every
# gunicorn of the same user, so a second server (tests beside `make run`) would take it over.
control_socket_disable = True
