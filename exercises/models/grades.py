"""Grades set by people rather than the grader: a staff override of a student's score (with a
comment the student sees), and the notice a student gets when a regrade changes their score."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .courses import Assignment, RegradeJob


class ScoreOverride(models.Model):
    """The score that counts for one student's question, set by staff; `score` is a fraction 0…1
    of the question's points (like Submission.final_score). It stands until it is cleared,
    whatever regrades do to the attempts underneath."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="overrides"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE, related_name="score_overrides"
    )
    # The question's position in the assignment (every assignment is one question, at 1, today).
    position = models.PositiveIntegerField(_("question"), default=1)
    score = models.FloatField(_("score (fraction)"))
    comment = models.TextField(_("comment to the student"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="score_overrides_set",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("score override")
        verbose_name_plural = _("score overrides")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student", "position"], name="score_override_unique"),
            models.CheckConstraint(condition=models.Q(score__gte=0) & models.Q(score__lte=1),
                                   name="score_override_fraction"),
        ]

    def __str__(self) -> str:
        return f"{self.student} @ {self.assignment} #{self.position}: {self.score:.3f}"


class RegradeNotice(models.Model):
    """Tells a student that an applied regrade changed their counted score, and why."""

    job = models.ForeignKey(RegradeJob, verbose_name=_("regrade"), on_delete=models.CASCADE, related_name="notices")
    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="regrade_notices"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("student"), on_delete=models.CASCADE, related_name="regrade_notices"
    )
    old_score = models.FloatField(_("counted score before"), null=True, blank=True)
    new_score = models.FloatField(_("counted score after"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("regrade notice")
        verbose_name_plural = _("regrade notices")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["job", "student"], name="regrade_notice_unique")]
        indexes = [models.Index(fields=["student", "dismissed_at"], name="regrade_notice_student_idx")]

    def __str__(self) -> str:
        return f"{self.student} @ {self.assignment}: {self.old_score} → {self.new_score}"
