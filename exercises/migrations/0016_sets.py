"""Problem sets: an assignment's network settings move to Question rows (position 1, member 1
for every existing assignment) and each homework variant records its question and position.

Seeds and frozen numbers of existing variants and submissions are not touched: a student keeps
exactly the numbers they were given.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

FIELDS = ("template_config", "parts", "points", "tolerance", "followthrough", "followthrough_credit")


def one_question_sets(apps, schema_editor):
    Assignment = apps.get_model("exercises", "Assignment")
    Question = apps.get_model("exercises", "Question")
    Variant = apps.get_model("exercises", "Variant")
    for assignment in Assignment.objects.all().iterator():
        question = Question.objects.create(
            assignment=assignment, position=1, member=1,
            **{name: getattr(assignment, name) for name in FIELDS},
        )
        Variant.objects.filter(assignment=assignment).update(question=question, position=1)


def back_to_single(apps, schema_editor):
    Assignment = apps.get_model("exercises", "Assignment")
    Question = apps.get_model("exercises", "Question")
    Variant = apps.get_model("exercises", "Variant")
    for question in Question.objects.filter(position=1, member=1).iterator():
        Assignment.objects.filter(pk=question.assignment_id).update(
            **{name: getattr(question, name) for name in FIELDS}
        )
    # Only the first question survives going back: variants of other positions are dropped.
    Variant.objects.filter(assignment__isnull=False).exclude(position=1).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("exercises", "0015_lti"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Question',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('position', models.PositiveSmallIntegerField(default=1, verbose_name='position')),
                ('member', models.PositiveSmallIntegerField(default=1, verbose_name='pool member')),
                ('template_config', models.JSONField(default=dict, verbose_name='network template')),
                ('parts', models.JSONField(blank=True, default=list, verbose_name='parts')),
                ('points', models.JSONField(blank=True, default=dict, verbose_name='points')),
                ('tolerance', models.JSONField(blank=True, default=dict, verbose_name='tolerance')),
                ('followthrough', models.BooleanField(default=True, verbose_name='follow-through credit')),
                ('followthrough_credit', models.FloatField(default=1.0, verbose_name='follow-through credit (fraction)')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='created at')),
            ],
            options={
                'verbose_name': 'question',
                'verbose_name_plural': 'questions',
                'ordering': ['assignment', 'position', 'member'],
            },
        ),
        migrations.AddField(
            model_name='variant',
            name='position',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='position'),
        ),
        migrations.AddField(
            model_name='question',
            name='assignment',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='questions', to='exercises.assignment', verbose_name='assignment'),
        ),
        migrations.AddField(
            model_name='variant',
            name='question',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='variants', to='exercises.question', verbose_name='question'),
        ),
        migrations.RemoveConstraint(
            model_name='variant',
            name='variant_one_per_student',
        ),
        migrations.RunPython(one_question_sets, back_to_single),
        migrations.RemoveField(
            model_name='assignment',
            name='followthrough',
        ),
        migrations.RemoveField(
            model_name='assignment',
            name='followthrough_credit',
        ),
        migrations.RemoveField(
            model_name='assignment',
            name='parts',
        ),
        migrations.RemoveField(
            model_name='assignment',
            name='points',
        ),
        migrations.RemoveField(
            model_name='assignment',
            name='template_config',
        ),
        migrations.RemoveField(
            model_name='assignment',
            name='tolerance',
        ),
        migrations.AddConstraint(
            model_name='variant',
            constraint=models.UniqueConstraint(condition=models.Q(('assignment__isnull', False)), fields=('assignment', 'owner', 'position'), name='variant_one_per_student_question'),
        ),
        migrations.AddConstraint(
            model_name='question',
            constraint=models.UniqueConstraint(fields=('assignment', 'position', 'member'), name='question_unique_slot'),
        ),
    ]
