"""Practice-side models: variants (a template and a seed), submissions (typed answers and the
grader's report) and API tokens. The course models live in `exercises.models.courses`."""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FrozenSpec(models.Model):
    """A network's numbers exactly as they were given to a student (content-addressed by the
    SHA-256 of their canonical JSON, never changed): later code changes never alter them."""

    digest = models.CharField(_("digest"), max_length=64, primary_key=True)
    spec = models.JSONField(_("numbers"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("frozen numbers")
        verbose_name_plural = _("frozen numbers")

    def __str__(self) -> str:
        return self.digest[:12]


class Variant(models.Model):
    """One randomized network: its numbers are frozen when it is created (with the seed and the
    generator version that drew them); only a re-seed gives it new ones."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", pgettext_lazy("variant kind", "Practice")
        HOMEWORK = "homework", pgettext_lazy("variant kind", "Homework")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    template = models.CharField(_("template"), max_length=64)
    seed = models.CharField(_("seed"), max_length=64)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="variants",
    )
    # Anonymous practice belongs to a browser session.
    session_key = models.CharField(_("session key"), max_length=40, blank=True, default="")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PRACTICE)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Graded submissions so far; incremented under the row lock to number attempts once each.
    attempt_count = models.PositiveIntegerField(_("attempts"), default=0, editable=False)
    # Homework only: the assignment, and how many times the staff re-seeded this student.
    assignment = models.ForeignKey(
        "exercises.Assignment",
        verbose_name=_("assignment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="variants",
    )
    reseed = models.PositiveIntegerField(_("re-seeds"), default=0)
    # Homework only: the question drawn for this student (at a pool's position: the member drawn
    # from the student's seed, kept ever after), and its position in the assignment.
    question = models.ForeignKey(
        "exercises.Question",
        verbose_name=_("question"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="variants",
    )
    position = models.PositiveSmallIntegerField(_("position"), null=True, blank=True)
    # The numbers of the current seed, and the graders.GENERATOR_VERSION that drew them.
    numbers = models.ForeignKey(
        FrozenSpec, verbose_name=_("numbers"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    generator_version = models.CharField(_("generator version"), max_length=32, blank=True, default="")
    # Practice only, kept by the grading pipeline (exercises.grading.reveal): the parts answered
    # correctly at least once, how often each part was answered wrongly, and the parts whose
    # answer the student asked to see ("show answer"). A part's expected value and worked lines
    # are shown once it is in one of them (BPCOURSE_REVEAL_AFTER_WRONG wrong answers).
    solved_parts = models.JSONField(_("parts answered correctly"), default=list, blank=True)
    wrong_counts = models.JSONField(_("wrong answers per part"), default=dict, blank=True)
    revealed_parts = models.JSONField(_("parts whose answer was shown"), default=list, blank=True)
    # Practice and homework: part key -> the highest hint level (1-3) the student asked to see.
    hints_used = models.JSONField(_("hints used per part"), default=dict, blank=True)
    # Adaptive practice only (exercises.practice.adaptive): the step it trains and why, the parts
    # it asks and the earlier quantities it gives ({"step", "reason", "misconception", "parts",
    # "given"}); empty for every other variant, which asks all parts.
    focus = models.JSONField(_("adaptive focus"), default=dict, blank=True)

    class Meta:
        verbose_name = _("variant")
        verbose_name_plural = _("variants")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "owner", "position"],
                condition=Q(assignment__isnull=False),
                name="variant_one_per_student_question",
            ),
            # "Is this homework?" is one fact: the kind says it, and only homework has an assignment.
            models.CheckConstraint(
                condition=(Q(kind="homework") & Q(assignment__isnull=False))
                | (~Q(kind="homework") & Q(assignment__isnull=True)),
                name="variant_kind_matches_assignment",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="variant_owner_idx"),
            models.Index(
                fields=["session_key", "-created_at"],
                name="variant_session_idx",
                condition=~Q(session_key=""),
            ),
            # Practice refuses homework seeds (exercises.practice.selectors.seed_is_homework).
            models.Index(fields=["seed"], name="variant_homework_seed_idx", condition=Q(kind="homework")),
        ]

    def __str__(self) -> str:
        return f"{self.template}/{self.seed}"

    @property
    def is_homework(self) -> bool:
        """A homework variant belongs to an assignment (the constraint ties kind to assignment)."""
        return self.kind == self.Kind.HOMEWORK


class Submission(models.Model):
    """Answers typed for a variant, and — once a worker has graded them — the report."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("submission status", "Queued")
        GRADING = "grading", pgettext_lazy("submission status", "Grading")
        GRADED = "graded", pgettext_lazy("submission status", "Graded")
        ERROR = "error", pgettext_lazy("submission status", "Error")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    variant = models.ForeignKey(
        Variant, verbose_name=_("variant"), on_delete=models.CASCADE, related_name="submissions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    session_key = models.CharField(_("session key"), max_length=40, blank=True, default="")
    # part key -> exactly the text typed
    answers = models.JSONField(_("answers"), default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    score = models.FloatField(_("score"), null=True, blank=True)
    # graders.Report.to_dict()
    report = models.JSONField(_("report"), null=True, blank=True)
    # An English message id (translated when shown) saying why grading failed.
    error_reason = models.TextField(_("error reason"), blank=True, default="")
    # 1, 2, … among the graded submissions of the variant; counted once, when graded.
    attempt_number = models.PositiveIntegerField(_("attempt number"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # When a grading task was last sent (the sweep re-sends after BPCOURSE_SWEEP_AGE_SECONDS).
    enqueued_at = models.DateTimeField(_("enqueued at"), null=True, blank=True)
    enqueue_count = models.PositiveIntegerField(_("times enqueued"), default=0)
    grading_started_at = models.DateTimeField(_("grading started at"), null=True, blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    # Which copy of the task holds the "grading" claim; only that copy may store the result.
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    # Homework: the variant's seed when submitted (a re-seed later does not change what was
    # graded), whether it came after the (extended) due date, the fraction lost to extra
    # attempts and lateness, and score × (1 − penalty), set when graded.
    seed = models.CharField(_("seed"), max_length=64, blank=True, default="")
    late = models.BooleanField(_("late"), default=False)
    penalty = models.FloatField(_("penalty"), default=0.0)
    final_score = models.FloatField(_("final score"), null=True, blank=True)
    # The variant's hints_used when this submission was stored (part key -> highest level 1-3),
    # and (homework) the fraction of the score the assignment's hint penalties took away.
    hints = models.JSONField(_("hints used"), default=dict, blank=True)
    hint_loss = models.FloatField(_("score lost to hints"), default=0.0)
    # The numbers this submission was answered (and is graded and regraded) against.
    numbers = models.ForeignKey(
        FrozenSpec, verbose_name=_("numbers"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at"]
        indexes = [
            # The sweep: unfinished submissions by age (a small partial index).
            models.Index(
                fields=["status", "enqueued_at"],
                name="submission_sweep_idx",
                condition=Q(status__in=["queued", "grading"]),
            ),
            models.Index(fields=["variant", "status"], name="submission_variant_idx"),
            models.Index(fields=["user", "-created_at"], name="submission_user_idx"),
            models.Index(
                fields=["session_key", "-created_at"],
                name="submission_session_idx",
                condition=~Q(session_key=""),
            ),
            # Homework submissions keep their seed; practice refuses them (seed_is_homework).
            models.Index(fields=["seed"], name="submission_seed_idx", condition=~Q(seed="")),
        ]

    def __str__(self) -> str:
        return f"{self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        """Graded or failed: nothing will change any more."""
        return self.status in {self.Status.GRADED, self.Status.ERROR}


def hash_token(raw: str) -> str:
    """SHA-256 hex digest of an API token (only the digest is stored)."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A personal API token for `Authorization: Bearer …`; only its hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, blank=True, default="")
    prefix = models.CharField(_("prefix"), max_length=12, editable=False)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
