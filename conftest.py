"""Root conftest: shared fixtures for the Django-side tests.

tests/graders needs no Django: pytest-django configures settings globally (pyproject.toml) but
only tests that ask for the database touch it.
"""

from __future__ import annotations

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Integration tests start worker subprocesses that must load the same settings.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bpcourse.settings.test")


@pytest.fixture
def user(django_user_model):
    """A signed-in-able student."""
    return django_user_model.objects.create_user(username="alice", password="pw-alice-123456")


@pytest.fixture
def other_user(django_user_model):
    """Another student."""
    return django_user_model.objects.create_user(username="bob", password="pw-bob-123456")
