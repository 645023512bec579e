"""WSGI entry point, for gunicorn: `gunicorn taperapp.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taperapp.settings")

application = get_wsgi_application()
