"""WSGI entry point: ``gunicorn wsgi:app``."""

import sys

from roster import create_app
from roster.config import ConfigurationError

try:
    app = create_app()
except ConfigurationError as error:
    # A missing setting is said in one sentence, for gunicorn and the flask commands alike.
    sys.exit(f"Configuration error: {error}")
