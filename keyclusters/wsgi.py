"""WSGI entry point (gunicorn keyclusters.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "keyclusters.settings")
application = get_wsgi_application()
