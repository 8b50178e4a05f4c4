"""The Celery app, as in Celery's "First steps with Django" example."""

import os

from celery import Celery

# Workers run production settings unless told otherwise (bin/run exports the development ones).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpcourse.settings.prod")
# Celery's Django fixup runs Django's system checks when a worker starts; they load the URLconf
# and with it every view, the worked solutions and sympy (~0.3 s, tens of MB), which grading never
# uses. The checks run where they matter: `manage.py migrate`/`check` and the web process.
os.environ.setdefault("CELERY_SKIP_CHECKS", "1")

app = Celery("bpcourse")

# All Celery settings live in Django settings, prefixed CELERY_ (see bpcourse/settings/base.py).
app.config_from_object("django.conf:settings", namespace="CELERY")

# Load the task modules of the app's rooms (exercises/grading/tasks.py, exercises/courses/tasks.py).
app.autodiscover_tasks(["exercises.grading", "exercises.courses", "exercises.lti"])
