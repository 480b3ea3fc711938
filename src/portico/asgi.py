import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings")
# Under ASGI each request runs on a thread of its own: connections are lent from a pool
# (PostgreSQL) or opened per request (SQLite) rather than kept per thread (see
# DATABASES in settings). Pages are served through WSGI (portico.wsgi); this is kept for
# what will need WebSockets (live updates, chat).
os.environ.setdefault("PORTICO_ASGI", "1")

application = get_asgi_application()
