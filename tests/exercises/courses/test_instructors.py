"""Approved instructors (exercises/courses/services/instructors.py and `manage.py grant_instructor`)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command

from exercises.courses.permissions import can_create_course

pytestmark = pytest.mark.django_db

User = get_user_model()


def fresh(user):
    return User.objects.get(pk=user.pk)  # no permission cache


def test_grant_instructor_command_grants_and_revokes():
    user = User.objects.create_user(username="ada", password="pw-ada-123456")
    assert not can_create_course(user)
    out = StringIO()
    call_command("grant_instructor", "ada", stdout=out)
    assert "may now create courses" in out.getvalue() and can_create_course(fresh(user))
    call_command("grant_instructor", "ada", "--revoke", stdout=out)
    assert not can_create_course(fresh(user))


def test_grant_instructor_unknown_user():
    with pytest.raises(CommandError):
        call_command("grant_instructor", "nobody")


def test_superusers_and_the_admin_permission_count():
    admin = User.objects.create_superuser(username="root", password="pw-root-123456", email="r@example.org")
    assert can_create_course(admin)
    user = User.objects.create_user(username="bea", password="pw-bea-123456")
    user.user_permissions.add(Permission.objects.get(codename="teach", content_type__app_label="exercises"))
    assert can_create_course(fresh(user))
