"""The Celery app, as in Celery's "First steps with Django" example."""

import os

from celery import Celery

# Workers run production settings unless told otherwise (bin/run exports the development ones).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpcourse.settings.prod")

app = Celery("bpcourse")

# All Celery settings live in Django settings, prefixed CELERY_ (see bpcourse/settings/base.py).
app.config_from_object("django.conf:settings", namespace="CELERY")

# Load the task modules of the app's rooms (exercises/grading/tasks.py, exercises/courses/tasks.py).
app.autodiscover_tasks(["exercises.grading", "exercises.courses"])
