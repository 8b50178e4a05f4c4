"""A user's own settings that are not Django's: the time zone pages are shown in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Profile(models.Model):
    """One per user, made on first need. Times are stored in UTC and shown in `time_zone`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # False while the zone is the browser's (each login refreshes it); True once the user chose one.
    time_zone_chosen = models.BooleanField(_("time zone chosen by the user"), default=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone})"
