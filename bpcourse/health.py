"""/healthz: is the database reachable, is the broker reachable?"""

from __future__ import annotations

import logging
import os
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .celery import app as celery_app

logger = logging.getLogger(__name__)


def database_ok() -> bool:
    """True when the default database answers a trivial query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any failure means "not reachable" for a health probe
        logger.warning("health: database unreachable", exc_info=True)
        return False
    return True


def broker_ok() -> bool:
    """True when the Celery broker can be reached (Redis PING; filesystem: folders writable)."""
    url: str = settings.CELERY_BROKER_URL
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
            try:
                return bool(client.ping())
            finally:
                client.close()
        if url.startswith("filesystem://"):
            options: dict[str, Any] = settings.CELERY_BROKER_TRANSPORT_OPTIONS
            folders = {options["data_folder_in"], options["data_folder_out"], options["control_folder"]}
            return all(os.path.isdir(folder) and os.access(folder, os.W_OK) for folder in folders)
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        logger.warning("health: broker unreachable", exc_info=True)
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker are reachable, 503 otherwise."""
    checks = {"database": database_ok(), "broker": broker_ok()}
    healthy = all(checks.values())
    body = {"status": "ok" if healthy else "unavailable"}
    body.update({name: "ok" if ok else "unreachable" for name, ok in checks.items()})
    return JsonResponse(body, status=200 if healthy else 503)
