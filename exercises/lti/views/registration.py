"""LTI Dynamic Registration: an LMS administrator pastes the tool's registration URL into the LMS,
which opens it with its OpenID configuration; a site administrator (signed in) confirms it."""

from __future__ import annotations

import logging

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from pylti1p3.exception import LtiException
from requests import RequestException

from ...web.http import allow_methods
from ..services.registration import ToolDynamicRegistration

logger = logging.getLogger(__name__)


@staff_member_required
@allow_methods("GET", "POST")
def dynamic_register(request: HttpRequest) -> HttpResponse:
    """GET: show what will be registered; POST: register with the platform and tell it we are done."""
    openid_configuration = request.GET.get("openid_configuration", "")
    token = request.GET.get("registration_token") or None
    context = {"openid_configuration": openid_configuration}
    if not openid_configuration.startswith(("https://", "http://")):
        context["error"] = _("The platform did not say where its configuration is (openid_configuration).")
        return render(request, "exercises/lti/register.html", context, status=400)
    if request.method == "GET":
        return render(request, "exercises/lti/register.html", context)
    registration = ToolDynamicRegistration(base_url=request.build_absolute_uri("/"),
                                           openid_configuration=openid_configuration, registration_token=token)
    try:
        platform = registration.register()
    except (LtiException, RequestException, AssertionError, KeyError, ValueError) as exc:
        logger.warning("LTI dynamic registration with %s failed: %s", openid_configuration, exc)
        context["error"] = _("The platform refused the registration or could not be reached: %(error)s") % {
            "error": exc}
        return render(request, "exercises/lti/register.html", context, status=502)
    return render(request, "exercises/lti/register.html", {**context, "platform": platform, "done": True})
