"""Email settings from the environment (bpcourse/settings/base.py): issue 9, finding 3 — no email
backend was configured. Files in var/mail/ by default, SMTP with DJANGO_EMAIL_HOST."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READ = (
    "import json; from django.conf import settings as s; print(json.dumps({k: str(getattr(s, k)) for k in "
    "('EMAIL_BACKEND', 'EMAIL_HOST', 'EMAIL_PORT', 'EMAIL_HOST_USER', 'EMAIL_USE_TLS', 'EMAIL_USE_SSL', "
    "'EMAIL_FILE_PATH', 'DEFAULT_FROM_EMAIL')}))"
)


def email_settings(tmp_path: Path, **env: str) -> dict[str, str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    full_env.update(DJANGO_SETTINGS_MODULE="bpcourse.settings.dev", BPCOURSE_VAR_DIR=str(tmp_path), **env)
    code = f"import django; django.setup(); {READ}"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True,
                            timeout=60, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_local_run_writes_mail_to_files(tmp_path):
    found = email_settings(tmp_path)
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert found["EMAIL_FILE_PATH"] == str(tmp_path / "mail")


def test_smtp_from_the_environment(tmp_path):
    found = email_settings(tmp_path, DJANGO_EMAIL_HOST="smtp.example.org", DJANGO_EMAIL_PORT="465",
                           DJANGO_EMAIL_USE_SSL="1", DJANGO_EMAIL_HOST_USER="bp",
                           DJANGO_DEFAULT_FROM_EMAIL="Course <c@example.org>")
    assert found["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (found["EMAIL_HOST"], found["EMAIL_PORT"], found["EMAIL_HOST_USER"]) == ("smtp.example.org", "465", "bp")
    assert (found["EMAIL_USE_SSL"], found["EMAIL_USE_TLS"]) == ("True", "False")  # never both
    assert found["DEFAULT_FROM_EMAIL"] == "Course <c@example.org>"


def test_any_backend_by_name(tmp_path):
    console = "django.core.mail.backends.console.EmailBackend"
    assert email_settings(tmp_path, DJANGO_EMAIL_BACKEND=console)["EMAIL_BACKEND"] == console
