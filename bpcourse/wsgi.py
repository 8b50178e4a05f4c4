"""WSGI entry point (gunicorn bpcourse.wsgi): Django's application behind the API's fast lane."""

import os

from django.core.wsgi import get_wsgi_application

# Servers run production settings unless told otherwise (they then need DJANGO_SECRET_KEY and
# DJANGO_ALLOWED_HOSTS); manage.py and bin/run keep the development settings.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpcourse.settings.prod")

django_application = get_wsgi_application()

from exercises.api.hot import HotPaths  # noqa: E402  (needs the apps loaded)

application = HotPaths(django_application)
