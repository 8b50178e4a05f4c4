"""WSGI entry point (gunicorn bpcourse.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

# Servers run production settings unless told otherwise (they then need DJANGO_SECRET_KEY and
# DJANGO_ALLOWED_HOSTS); manage.py and bin/run keep the development settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpcourse.settings.prod")

application = get_wsgi_application()
