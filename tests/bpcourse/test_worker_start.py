"""A Celery worker starts light: Django's system checks (which load every view, the worked
solutions and sympy) are left to the web process and `manage.py`."""

from __future__ import annotations

from tests.graders.test_light_import import run_python


def test_a_celery_worker_loads_the_grading_tasks_without_sympy_or_the_views():
    out = run_python("""
        import os, sys
        os.environ["DJANGO_SETTINGS_MODULE"] = "bpcourse.settings.test"
        from bpcourse.celery import app
        app.loader.import_default_modules()  # what a worker does at start (Django setup included)
        import exercises.grading.tasks
        print("sympy" in sys.modules, "exercises.practice.views" in sys.modules)
    """)
    assert out == "False False"
