import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portico.settings")

# Channels' protocol router wraps this when live updates arrive; plain HTTP for now.
application = get_asgi_application()
