"""Set-up and deployment files: prod settings pass the deploy check, pins, README, compose."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_prod_settings_pass_check_deploy(tmp_path):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SETTINGS_MODULE="bpcourse.settings.prod",
        DJANGO_SECRET_KEY="k" * 10 + "3xA9-pQ7_rT2vW8zY4bN6mC1dF5gH0jK!@#$%^&*()LmNoPqRsTuVwXyZ",
        DJANGO_ALLOWED_HOSTS="bpcourse.example.edu",
        BPCOURSE_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prod_settings_refuse_without_secret(tmp_path):
    result = manage("check", DJANGO_SETTINGS_MODULE="bpcourse.settings.prod", BPCOURSE_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_requirements_are_pinned():
    lines = [
        line.split("#")[0].strip()
        for line in (ROOT / "requirements.txt").read_text().splitlines()
    ]
    reqs = [line for line in lines if line]
    assert reqs
    for req in reqs:
        assert re.fullmatch(r"[A-Za-z0-9_.\-\[\]]+==[0-9][A-Za-z0-9.\-+]*", req), req
    names = {req.split("==")[0].lower() for req in reqs}
    assert {"django", "celery", "kombu", "redis", "packaging", "polib", "django-ninja", "whitenoise"} <= names


def test_readme_opens_with_two_commands():
    text = (ROOT / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block is not None and text.index("```sh") < 80
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["bin/run", "bin/test"]
    for script in ("bin/run", "bin/test", ".ci/run"):
        assert os.access(ROOT / script, os.X_OK), script
    assert "bin/test" in (ROOT / ".ci" / "run").read_text()


def compose_services() -> dict[str, str]:
    """Top-level services of docker-compose.yml and their text (no YAML library needed)."""
    text = (ROOT / "docker-compose.yml").read_text()
    body = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    parts = re.split(r"^  ([a-z][a-z0-9_-]*):\n", body, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_compose_describes_the_stack():
    services = compose_services()
    assert {"web", "worker", "beat", "redis", "postgres"} <= set(services)
    for name in ("web", "worker", "beat", "redis", "postgres"):
        assert "healthcheck:" in services[name], name
    worker = services["worker"]
    assert "container_name:" not in worker and "ports:" not in worker  # --scale worker=N works
    assert "gunicorn" in services["web"] and "celery" in worker and "beat" in services["beat"]


@pytest.mark.django_db
def test_demo_data_and_translations(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "student" in out.getvalue() and "instructor" in out.getvalue()
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    assert users.get(username="instructor").is_staff
    assert users.get(username="student").check_password("student-demo-pass")
    call_command("load_demo_data", stdout=StringIO())  # idempotent
    out = StringIO()
    call_command("compile_translations", "--force", stdout=out)
    assert "bpcourse/locale" in out.getvalue()
    assert "site-packages" not in out.getvalue()
    from django.utils import translation

    with translation.override("zh-hans"):
        assert translation.gettext("Request body too large.") == "请求体太大。"
        assert translation.pgettext("submission status", "Queued") == "排队中"


@pytest.mark.django_db
def test_demo_data_refuses_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo_data", stdout=StringIO())
