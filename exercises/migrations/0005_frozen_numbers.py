"""Frozen numbers: every variant and submission refers to the exact spec it was given.

The data step fills existing rows with what the code of this release generates for their
template (or assignment) and seed — the numbers those students were shown until now.
"""

import hashlib
import json

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import graders


def _digest(spec):
    # A copy of exercises.grading.numbers.spec_digest: a migration must not change with the app.
    return hashlib.sha256(json.dumps(spec, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _generate(variant, assignment, seed):
    """The spec the code of this release gives a variant's seed, or None if it cannot."""
    try:
        if assignment is None:
            return graders.generate(variant.template, seed)
        config = assignment.template_config or {}
        if isinstance(config, dict) and set(config) == {"builtin"}:
            return graders.generate(str(config["builtin"]), seed)
        return graders.generate(graders.template_from_dict(config), seed)
    except Exception:  # a removed template or an unusable draw: leave the row to the fallback
        return None


def freeze_existing(apps, schema_editor):
    FrozenSpec = apps.get_model("exercises", "FrozenSpec")
    Variant = apps.get_model("exercises", "Variant")
    Submission = apps.get_model("exercises", "Submission")
    known = set(FrozenSpec.objects.values_list("digest", flat=True))

    def freeze(spec):
        digest = _digest(spec)
        if digest not in known:
            FrozenSpec.objects.create(digest=digest, spec=spec)
            known.add(digest)
        return digest

    for variant in Variant.objects.filter(numbers__isnull=True).select_related("assignment").iterator():
        spec = _generate(variant, variant.assignment, variant.seed)
        if spec is not None:
            Variant.objects.filter(pk=variant.pk).update(
                numbers_id=freeze(spec), generator_version=graders.GENERATOR_VERSION
            )
    for submission in Submission.objects.filter(numbers__isnull=True).select_related("variant__assignment").iterator():
        variant = submission.variant
        spec = _generate(variant, variant.assignment, submission.seed or variant.seed)
        if spec is not None:
            Submission.objects.filter(pk=submission.pk).update(numbers_id=freeze(spec))


class Migration(migrations.Migration):

    dependencies = [
        ("exercises", "0004_variant_kind_matches_assignment"),
    ]

    operations = [
        migrations.CreateModel(
            name="FrozenSpec",
            fields=[
                ("digest", models.CharField(max_length=64, primary_key=True, serialize=False, verbose_name="digest")),
                ("spec", models.JSONField(verbose_name="numbers")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="created at")),
            ],
            options={"verbose_name": "frozen numbers", "verbose_name_plural": "frozen numbers"},
        ),
        migrations.AddField(
            model_name="variant",
            name="numbers",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="exercises.frozenspec", verbose_name="numbers",
            ),
        ),
        migrations.AddField(
            model_name="variant",
            name="generator_version",
            field=models.CharField(blank=True, default="", max_length=32, verbose_name="generator version"),
        ),
        migrations.AddField(
            model_name="submission",
            name="numbers",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                to="exercises.frozenspec", verbose_name="numbers",
            ),
        ),
        migrations.RunPython(freeze_existing, migrations.RunPython.noop),
    ]
