"""LTI 1.3 models: registered platforms and their deployments, the tool's signing keys, LMS
identities tied to accounts by (issuer, subject), LMS courses (contexts) linked to courses,
resource links linked to assignments, and one grade-passback record per (link, student)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .courses import Assignment, Course


class LtiPlatform(models.Model):
    """A registered LMS (one client id of one issuer), with the URLs the tool calls."""

    name = models.CharField(_("name"), max_length=200)
    issuer = models.CharField(_("issuer"), max_length=255)
    client_id = models.CharField(_("client id"), max_length=255)
    auth_login_url = models.URLField(_("authentication request URL"), max_length=500)
    auth_token_url = models.URLField(_("access token URL"), max_length=500)
    auth_audience = models.CharField(_("access token audience"), max_length=500, blank=True, default="")
    keyset_url = models.URLField(_("keyset URL"), max_length=500)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("LTI platform")
        verbose_name_plural = _("LTI platforms")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["issuer", "client_id"], name="lti_platform_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.issuer})"


class LtiDeployment(models.Model):
    """One deployment of the tool in a platform; launches from unknown deployments are refused."""

    platform = models.ForeignKey(LtiPlatform, on_delete=models.CASCADE, related_name="deployments")
    deployment_id = models.CharField(_("deployment id"), max_length=255)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("LTI deployment")
        verbose_name_plural = _("LTI deployments")
        constraints = [models.UniqueConstraint(fields=["platform", "deployment_id"], name="lti_deployment_unique")]

    def __str__(self) -> str:
        return f"{self.platform.name}: {self.deployment_id}"


class LtiKey(models.Model):
    """An RSA key of the tool: the newest active one signs, every active one is published (JWKS)."""

    kid = models.CharField(_("key id"), max_length=100, unique=True)
    private_key = models.TextField(_("private key (PEM)"))
    public_key = models.TextField(_("public key (PEM)"))
    active = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("LTI key")
        verbose_name_plural = _("LTI keys")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.kid


class LtiIdentity(models.Model):
    """An LMS user (issuer, subject) and the account it signs in as; email never links accounts."""

    issuer = models.CharField(_("issuer"), max_length=255)
    subject = models.CharField(_("subject"), max_length=255)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_identities")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("LTI identity")
        verbose_name_plural = _("LTI identities")
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="lti_identity_unique")]

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"


class LtiContext(models.Model):
    """An LMS course (context) of one deployment, linked to one course here."""

    deployment = models.ForeignKey(LtiDeployment, on_delete=models.CASCADE, related_name="contexts")
    context_id = models.CharField(_("context id"), max_length=255)
    title = models.CharField(_("title"), max_length=255, blank=True, default="")
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="lti_contexts")
    memberships_url = models.URLField(_("names and roles URL"), max_length=500, blank=True, default="")
    lineitems_url = models.URLField(_("line items URL"), max_length=500, blank=True, default="")
    synced_at = models.DateTimeField(_("roster synced at"), null=True, blank=True)
    sync_error = models.TextField(_("roster sync error"), blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("LTI context")
        verbose_name_plural = _("LTI contexts")
        constraints = [models.UniqueConstraint(fields=["deployment", "context_id"], name="lti_context_unique")]

    def __str__(self) -> str:
        return self.title or self.context_id


class LtiResourceLink(models.Model):
    """A link placed in the LMS course, pointing at one assignment, with its gradebook column."""

    context = models.ForeignKey(LtiContext, on_delete=models.CASCADE, related_name="resource_links")
    resource_link_id = models.CharField(_("resource link id"), max_length=255)
    assignment = models.ForeignKey(
        Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="lti_resource_links"
    )
    title = models.CharField(_("title"), max_length=255, blank=True, default="")
    lineitem_url = models.URLField(_("line item URL"), max_length=500, blank=True, default="")
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("LTI resource link")
        verbose_name_plural = _("LTI resource links")
        constraints = [
            models.UniqueConstraint(fields=["context", "resource_link_id"], name="lti_resource_link_unique"),
        ]

    def __str__(self) -> str:
        return self.title or self.resource_link_id


class LtiGradeSync(models.Model):
    """The score of one student sent (or to be sent) to one line item, with the last failure."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("grade passback", "Waiting to be sent")
        SENT = "sent", pgettext_lazy("grade passback", "Sent")
        FAILED = "failed", pgettext_lazy("grade passback", "Failed")

    resource_link = models.ForeignKey(LtiResourceLink, on_delete=models.CASCADE, related_name="grade_syncs")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="lti_grade_syncs")
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    # When the latest send was asked for: the score's timestamp, so a repeated post is one update.
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    sent_score = models.FloatField(_("score sent"), null=True, blank=True)
    sent_maximum = models.FloatField(_("maximum sent"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    tries = models.PositiveIntegerField(_("tries"), default=0)
    error = models.TextField(_("last error"), blank=True, default="")
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("LTI grade passback")
        verbose_name_plural = _("LTI grade passbacks")
        constraints = [models.UniqueConstraint(fields=["resource_link", "user"], name="lti_grade_sync_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.resource_link} ({self.status})"


class LtiNonce(models.Model):
    """A launch's nonce, stored once it is used: the same id_token never launches twice."""

    nonce = models.CharField(max_length=255, unique=True)
    used_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("LTI nonce")
        verbose_name_plural = _("LTI nonces")
