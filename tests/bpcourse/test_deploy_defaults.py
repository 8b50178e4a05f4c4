"""Safe deployment defaults: servers and workers load production settings unless told otherwise,
the development commands keep development settings, and docker-compose trusts forwarded headers
from its own proxy only and publishes nothing on all interfaces by default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRINT_SETTINGS = "from django.conf import settings; print(settings.SETTINGS_MODULE, settings.DEBUG)"
ENTRY_POINTS = {
    "wsgi": "import bpcourse.wsgi",
    "asgi": "import bpcourse.asgi",
    "celery": "from bpcourse.celery import app; app.conf.broker_url",
}


def run_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -c code` in the project, without DJANGO_SETTINGS_MODULE or secrets unless given."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    clean.update(BPCOURSE_VAR_DIR=str(tmp_path), **env)
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_servers_and_workers_refuse_to_start_without_production_secrets(entry, tmp_path):
    started = run_python(ENTRY_POINTS[entry], tmp_path)
    assert started.returncode != 0
    assert "Set DJANGO_SECRET_KEY for production settings." in started.stderr


@pytest.mark.parametrize("entry", sorted(ENTRY_POINTS))
def test_servers_and_workers_load_production_settings_by_default(entry, tmp_path):
    started = run_python(f"{ENTRY_POINTS[entry]}; {PRINT_SETTINGS}", tmp_path,
                         DJANGO_SECRET_KEY="k" * 60, DJANGO_ALLOWED_HOSTS="example.org")
    assert started.returncode == 0, started.stderr
    assert started.stdout.split() == ["bpcourse.settings.prod", "False"]


def test_manage_py_keeps_the_development_settings(tmp_path):
    started = run_python(
        "import sys; sys.argv = ['manage.py', 'shell', '-c', " + repr(PRINT_SETTINGS) + "];"
        "import runpy; runpy.run_path('manage.py', run_name='__main__')",
        tmp_path,
    )
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip().splitlines()[-1].split() == ["bpcourse.settings.dev", "True"]


def test_bin_run_exports_the_development_settings_before_starting_celery():
    lines = (ROOT / "bin" / "run").read_text().splitlines()
    export = next(i for i, line in enumerate(lines) if line.startswith("export DJANGO_SETTINGS_MODULE="))
    assert "bpcourse.settings.dev" in lines[export]
    celery = next(i for i, line in enumerate(lines) if "celery -A bpcourse" in line)
    assert export < celery


def test_compose_trusts_forwarded_headers_from_its_proxy_only_and_binds_localhost():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    web, proxy = services["web"], services["proxy"]
    assert "*" not in web["command"] and "--forwarded-allow-ips" not in web["command"]
    proxy_ip = proxy["networks"]["edge"]["ipv4_address"]
    assert web["environment"]["FORWARDED_ALLOW_IPS"] == proxy_ip == "${BPCOURSE_PROXY_IP:-172.31.250.10}"
    assert "edge" in web["networks"]
    # Only the proxy is published, and on 127.0.0.1 unless the deployment says otherwise.
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    assert all(port.startswith("${BPCOURSE_BIND:-127.0.0.1}:") for port in proxy["ports"])
    assert "reverse_proxy web:8000" in (ROOT / "deploy" / "Caddyfile").read_text()
    events = services["events"]
    assert events["environment"]["FORWARDED_ALLOW_IPS"] == proxy_ip and "edge" in events["networks"]
    assert "--forwarded-allow-ips" not in (ROOT / "Dockerfile").read_text()


def test_compose_sends_long_polls_to_a_threaded_server_of_their_own():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    events = compose["services"]["events"]["command"]
    assert events[events.index("--worker-class") + 1] == "gthread" and int(events[events.index("--threads") + 1]) >= 8
    caddy = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "@waits query wait=*" in caddy and "reverse_proxy events:8000" in caddy
