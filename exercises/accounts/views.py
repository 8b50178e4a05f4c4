"""The account page: which time zone the site shows times in."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ..web.http import allow_methods
from ..zones import BROWSER_ZONE_COOKIE, SESSION_ZONE, zone_label, zone_or_none
from .forms import TimeZoneForm
from .services import profile_get, profile_zone_set


@login_required
@allow_methods("GET", "POST")
def account(request: HttpRequest) -> HttpResponse:
    """Show and change the user's time zone."""
    profile = profile_get(user=request.user)
    status = 200
    if request.method == "POST":
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            try:
                profile = profile_zone_set(user=request.user, zone=form.cleaned_data["time_zone"])
            except ValidationError as exc:
                form.add_error("time_zone", exc)
            else:
                request.session[SESSION_ZONE] = profile.time_zone
                messages.success(request, _("Saved: times are now shown in %(zone)s.") % {"zone": zone_label(profile.time_zone)})
                return redirect("exercises:account")
        status = 400
    else:
        form = TimeZoneForm(initial={"time_zone": profile.time_zone})
    context = {
        "form": form,
        "profile": profile,
        "browser_zone": zone_or_none(request.COOKIES.get(BROWSER_ZONE_COOKIE)),
        "browser_zone_label": zone_label(zone_or_none(request.COOKIES.get(BROWSER_ZONE_COOKIE)) or ""),
    }
    return render(request, "exercises/account.html", context, status=status)
