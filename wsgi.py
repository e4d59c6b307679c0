"""The only module-level app object, for gunicorn and other WSGI servers: `gunicorn wsgi:app`."""

from portal import create_app

app = create_app()
