"""WSGI entry point: ``gunicorn wsgi:app``."""

from roster import create_app

app = create_app()
