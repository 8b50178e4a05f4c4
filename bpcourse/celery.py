"""The Celery app, as in Celery's "First steps with Django" example."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpcourse.settings.dev")

app = Celery("bpcourse")

# All Celery settings live in Django settings, prefixed CELERY_ (see bpcourse/settings/base.py).
app.config_from_object("django.conf:settings", namespace="CELERY")

# Load task modules from all registered Django apps (exercises/tasks.py, exercises/homework_tasks.py).
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="homework_tasks")
