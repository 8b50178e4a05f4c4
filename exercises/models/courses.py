"""Course models: courses, memberships, assignments, extensions and regrade jobs
(docs/homework.md is the contract). How an assignment grades lives in exercises.courses.config."""

from __future__ import annotations

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The permission of approved instructors (Course.Meta.permissions): they may create courses.
TEACH_PERMISSION = "exercises.teach"


def new_course_code() -> str:
    """An 8-character join code without look-alike characters (0/O, 1/I/L)."""
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _i in range(8))


def new_assignment_secret() -> str:
    """A random key for deriving the students' seeds."""
    return secrets.token_hex(32)


class Course(models.Model):
    """A course: its staff and students are Memberships; students join with `code`."""

    title = models.CharField(_("title"), max_length=200)
    code = models.CharField(_("join code"), max_length=8, unique=True, default=new_course_code)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="courses_created",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-created_at"]
        # Approved instructors: set in the admin (user permissions) or with `manage.py grant_instructor`.
        permissions = [("teach", _("Can create courses (approved instructor)"))]

    def __str__(self) -> str:
        return self.title


class Membership(models.Model):
    """A person's role in one course (instructor, teaching assistant or student)."""

    class Role(models.TextChoices):
        INSTRUCTOR = "instructor", pgettext_lazy("course role", "Instructor")
        TA = "ta", pgettext_lazy("course role", "Teaching assistant")
        STUDENT = "student", pgettext_lazy("course role", "Student")

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.STUDENT)
    # False: removed in the LMS (LTI roster sync); no access, submissions kept.
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["course", "role", "user"]
        constraints = [
            models.UniqueConstraint(fields=["course", "user"], name="membership_unique"),
        ]
        indexes = [models.Index(fields=["course", "role"], name="membership_course_role_idx")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.course} ({self.role})"


class Invitation(models.Model):
    """An invitation to join a course as a student, from a roster import: the person becomes a
    member only when they accept it. `created_account`: the import made the account."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("invitation status", "Waiting for an answer")
        ACCEPTED = "accepted", pgettext_lazy("invitation status", "Accepted")
        DECLINED = "declined", pgettext_lazy("invitation status", "Declined")

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="invitations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="invitations"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitations_sent",
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_account = models.BooleanField(_("account created by the import"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="invitation_unique")]
        indexes = [models.Index(fields=["invited_by", "created_at"], name="invitation_sender_idx")]

    def __str__(self) -> str:
        return f"{self.user} → {self.course} ({self.status})"


class Assignment(models.Model):
    """Graded homework: an ordered list of questions (Question rows), how it is scored, and when."""

    class LatePolicy(models.TextChoices):
        NONE = "none", pgettext_lazy("late policy", "No late submissions")
        PENALTY = "penalty", pgettext_lazy("late policy", "Late with a penalty per day")

    class Reveal(models.TextChoices):
        AFTER_SUBMISSION = "after_submission", pgettext_lazy("reveal", "After each submission")
        AFTER_LAST = "after_last", pgettext_lazy("reveal", "After the last attempt or the due date")
        AFTER_DUE = "after_due", pgettext_lazy("reveal", "After the due date")
        NEVER = "never", pgettext_lazy("reveal", "Never")

    class Scoring(models.TextChoices):
        BEST = "best", pgettext_lazy("scoring", "Best attempt")
        LAST = "last", pgettext_lazy("scoring", "Last attempt")

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="assignments"
    )
    title = models.CharField(_("title"), max_length=200)
    instructions = models.TextField(_("instructions"), blank=True, default="")
    # The questions (networks, parts, points, tolerance) are Question rows, in `position` order.
    attempts_allowed = models.PositiveIntegerField(_("attempts allowed"), default=0)
    attempt_penalty = models.FloatField(_("penalty per extra attempt"), default=0.0)
    opens_at = models.DateTimeField(_("opens at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    late_policy = models.CharField(
        _("late policy"), max_length=16, choices=LatePolicy.choices, default=LatePolicy.NONE
    )
    late_penalty_per_day = models.FloatField(_("late penalty per day"), default=0.0)
    late_until = models.DateTimeField(_("late submissions until"), null=True, blank=True)
    # Hints on demand: the fraction of a part's points each hint level costs (cumulative: asking
    # level 2 costs level 1's and level 2's), applied to submissions made after the hint.
    hint_penalty_1 = models.FloatField(_("penalty for hint 1"), default=0.0)
    hint_penalty_2 = models.FloatField(_("penalty for hint 2"), default=0.0)
    hint_penalty_3 = models.FloatField(_("penalty for hint 3"), default=0.0)
    reveal = models.CharField(_("reveal answers"), max_length=32, choices=Reveal.choices, default=Reveal.AFTER_DUE)
    show_diagnosis = models.BooleanField(_("show diagnosis"), default=True)
    scoring = models.CharField(_("scoring"), max_length=8, choices=Scoring.choices, default=Scoring.BEST)
    secret = models.CharField(_("secret"), max_length=64, default=new_assignment_secret, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    # None: a draft, seen by the course staff only; else students see it from this time on
    # (a time in the future is a scheduled publication).
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["course", "due_at", "pk"]
        indexes = [models.Index(fields=["course", "due_at"], name="assignment_course_due_idx")]

    def __str__(self) -> str:
        return self.title

    def is_published(self, now: datetime | None = None) -> bool:
        """Students see the assignment: it is published and its publication time has come."""
        return self.published_at is not None and self.published_at <= (now or timezone.now())


class Question(models.Model):
    """One network of an assignment: the question at `position` (1, 2, …), or one member of
    the pool at that position (`member` 1, 2, …; a student is given one member per position).
    Holds what the grader needs: the network, the parts asked, their points, the tolerance and
    follow-through."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="questions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    # 1 for a plain question; a pool has members 1, 2, … at the same position.
    member = models.PositiveSmallIntegerField(_("pool member"), default=1)
    # graders.template_from_dict input, or {"builtin": "<name>"}
    template_config = models.JSONField(_("network template"), default=dict)
    # Part keys asked; empty = every quantity of the network.
    parts = models.JSONField(_("parts"), default=list, blank=True)
    # part key → points (others: 1)
    points = models.JSONField(_("points"), default=dict, blank=True)
    # graders.Tolerance.to_dict()
    tolerance = models.JSONField(_("tolerance"), default=dict, blank=True)
    followthrough = models.BooleanField(_("follow-through credit"), default=True)
    followthrough_credit = models.FloatField(_("follow-through credit (fraction)"), default=1.0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["assignment", "position", "member"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "position", "member"], name="question_unique_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment} #{self.position}" + (f"/{self.member}" if self.member != 1 else "")


class Extension(models.Model):
    """A later due date and/or extra attempts for one student."""

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="extensions"
    )
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("student"),
        on_delete=models.CASCADE,
        related_name="extensions",
    )
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)  # None: the assignment's own
    extra_attempts = models.PositiveIntegerField(_("extra attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        constraints = [
            models.UniqueConstraint(fields=["assignment", "student"], name="extension_unique"),
        ]

    def __str__(self) -> str:
        due = "" if self.due_at is None else f"{self.due_at:%Y-%m-%d %H:%M}"
        return f"{self.student} → {due} +{self.extra_attempts}"


class RegradeJob(models.Model):
    """Re-grading an assignment's stored submissions under new settings: preview, then apply."""

    class Status(models.TextChoices):
        PREVIEWING = "previewing", pgettext_lazy("regrade status", "Computing the preview")
        PREVIEW_READY = "preview_ready", pgettext_lazy("regrade status", "Preview ready")
        APPLYING = "applying", pgettext_lazy("regrade status", "Applying")
        APPLIED = "applied", pgettext_lazy("regrade status", "Applied")
        ERROR = "error", pgettext_lazy("regrade status", "Failed")

    assignment = models.ForeignKey(
        Assignment, verbose_name=_("assignment"), on_delete=models.CASCADE, related_name="regrade_jobs"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="regrade_jobs",
    )
    new_settings = models.JSONField(_("new settings"), default=dict)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREVIEWING)
    total = models.PositiveIntegerField(_("submissions"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    # [{"submission", "student", "old", "new", …}] for every score that changes
    changes = models.JSONField(_("changes"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True, default="")
    # Why the instructor applied it: shown to the students whose counted score it changes.
    reason = models.TextField(_("reason"), blank=True, default="")
    # Where the steps are: the last submission id of the current pass that is stored. An apply
    # writes the settings first (settings_applied_at), then passes over every graded
    # submission, then over those graded meanwhile (catch_up).
    cursor = models.CharField(_("cursor"), max_length=36, blank=True, default="")
    catch_up = models.BooleanField(_("catching up"), default=False)
    settings_applied_at = models.DateTimeField(_("settings applied at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("regrade job")
        verbose_name_plural = _("regrade jobs")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.assignment} ({self.status})"

    @property
    def is_finished(self) -> bool:
        """No worker will change this job any more (unless an apply is started)."""
        return self.status in {self.Status.PREVIEW_READY, self.Status.APPLIED, self.Status.ERROR}


class HomeworkDraft(models.Model):
    """A student's saved, not submitted, answers to their homework variant ("Save": no attempt used)."""

    variant = models.OneToOneField(
        "exercises.Variant", verbose_name=_("variant"), on_delete=models.CASCADE, related_name="draft"
    )
    # part key -> exactly the text typed (not parsed: a draft may hold half-typed work)
    answers = models.JSONField(_("answers"), default=dict)
    saved_at = models.DateTimeField(_("saved at"), default=timezone.now)

    class Meta:
        verbose_name = _("homework draft")
        verbose_name_plural = _("homework drafts")

    def __str__(self) -> str:
        return f"{self.variant} ({self.saved_at:%Y-%m-%d %H:%M})"
