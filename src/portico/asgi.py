import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings")
# The server lends PostgreSQL connections from a pool (see DATABASES in settings);
# management commands and tests keep Django's plain connections.
os.environ.setdefault("PORTICO_PG_POOL", "1")

# Channels' protocol router wraps this when live updates arrive; plain HTTP for now.
application = get_asgi_application()
