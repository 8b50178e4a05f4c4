"""Hand-written row reads and inserts (exercises.rows) give the ORM's own instances."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.utils import timezone

from exercises.models import Submission, Variant
from exercises.practice import services
from exercises.rows import columns, insert, instance, table

pytestmark = pytest.mark.django_db


def field_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def read(model, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns(model, 't')} FROM {table(model)} t WHERE t.id = %s",
                       [model._meta.pk.get_db_prep_value(pk, connection)])
        return instance(model, cursor.fetchone())


def test_a_row_read_by_hand_equals_the_orms_instance(user):
    variant = services.variant_create(template="article", seed="rows", owner=user)
    variant.revealed_parts = ["net_h1"]
    variant.hints_used = {"E_total": 2}
    variant.save()
    submission = Submission.objects.create(
        variant=variant, user=user, answers={"net_h1": "0.3"}, status=Submission.Status.GRADED, score=0.25,
        report={"score": 0.25, "parts": {"net_h1": {"verdict": "correct"}}}, graded_at=timezone.now(),
        attempt_number=1, hints={"E_total": 2},
    )
    for model, pk in ((Variant, variant.pk), (Submission, submission.pk)):
        by_hand, by_orm = read(model, pk), model.objects.get(pk=pk)
        assert field_values(by_hand) == field_values(by_orm)
        assert not by_hand._state.adding and by_hand._state.db == "default"
    assert isinstance(read(Submission, submission.pk).id, uuid.UUID)
    assert read(Submission, submission.pk).report["parts"]["net_h1"]["verdict"] == "correct"


def test_an_insert_by_hand_stores_what_save_would(user):
    variant = services.variant_create(template="article", seed="rows-insert", owner=user)
    submission = Submission(variant=variant, user=user, answers={"net_h1": "1/3"}, hints={"w5": 1},
                            status=Submission.Status.QUEUED, created_at=timezone.now(), enqueue_count=1)
    insert(submission)
    assert not submission._state.adding
    stored = Submission.objects.get(pk=submission.pk)
    assert field_values(stored) == field_values(submission)
