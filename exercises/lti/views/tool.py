"""The tool endpoints a platform calls: OIDC login initiation, the launch, and the JWKS."""

from __future__ import annotations

import logging

from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from pylti1p3.contrib.django import DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from ...web.http import allow_methods
from ...web.ratelimit import rate_limited
from .. import claims
from ..keys import jwks
from ..launch import LaunchRefused, launch_storage, launch_validate
from ..services.launches import deployment_of, launch_accept
from ..services.roster import roster_sync_enqueue
from ..toolconf import DatabaseToolConf

logger = logging.getLogger(__name__)
SESSION_LAUNCHES = "lti_launches"


def refusal_message(reason: str) -> str:
    """What a refused launch tells the person, by reason."""
    messages = {
        "state": _("This launch does not match the sign-in that started it. Please open the tool again "
                   "from your course."),
        "nonce": _("This launch has already been used. Please open the tool again from your course."),
        "platform": _("This learning platform is not registered with bpcourse. Ask the site's "
                      "administrator to register it."),
        "audience": _("This launch was meant for another tool: its audience is not a registered client id."),
        "signature": _("The launch's signature could not be verified."),
        "expired": _("This launch has expired. Please open the tool again from your course."),
        "deployment": _("This deployment of the tool is not registered. Ask the site's administrator to "
                        "add its deployment id."),
        "message": _("This kind of launch is not supported."),
    }
    return messages.get(reason, _("The launch message could not be read."))


def refused_page(request: HttpRequest, reason: str) -> HttpResponse:
    """The translated page of a refused login or launch (HTTP 403)."""
    return render(request, "exercises/lti/refused.html",
                  {"message": refusal_message(reason), "reason": reason}, status=403)


def launch_url(request: HttpRequest) -> str:
    """The absolute URL of the launch endpoint (the OIDC redirect URI)."""
    return request.build_absolute_uri(reverse("exercises:lti_launch"))


@csrf_exempt
@allow_methods("GET", "POST")
@rate_limited("lti_launch", methods=("GET", "POST"))
def oidc_login(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: answer the platform with an OIDC authentication request."""
    oidc = DjangoOIDCLogin(request, DatabaseToolConf(), launch_data_storage=launch_storage())
    try:
        return oidc.disable_check_cookies().redirect(launch_url(request))
    except (LtiException, OIDCException) as exc:
        logger.warning("LTI login refused (platform): %s", exc)
        return refused_page(request, "platform")


@csrf_exempt
@allow_methods("POST")
@rate_limited("lti_launch")
def launch(request: HttpRequest) -> HttpResponse:
    """The platform's id_token: validate it, sign the person in, and send them where it points."""
    try:
        message = launch_validate(request)
    except LaunchRefused as exc:
        return refused_page(request, exc.reason)
    data = dict(message.get_launch_data())
    deployment = deployment_of(issuer=data["iss"], client_id=message.get_client_id(),
                               deployment_id=data[claims.DEPLOYMENT_ID])
    result = launch_accept(deployment=deployment, data=data, deep_linking=message.is_deep_link_launch())
    login(request, result.user, backend="django.contrib.auth.backends.ModelBackend")
    if result.context is not None:
        roster_sync_enqueue(context=result.context)
    if result.deep_linking:
        launches = [*request.session.get(SESSION_LAUNCHES, [])[-9:], message.get_launch_id()]
        request.session[SESSION_LAUNCHES] = launches
        return redirect("exercises:lti_deep_link", launch_id=message.get_launch_id())
    if result.assignment is None:
        return render(request, "exercises/lti/not_linked.html", {"role": result.role}, status=404)
    return redirect("exercises:assignment", assignment_id=result.assignment.pk)


@require_GET
def jwks_view(request: HttpRequest) -> JsonResponse:
    """The tool's public keys (JWKS) that platforms verify its signatures with."""
    response = JsonResponse(jwks())
    response["Cache-Control"] = "public, max-age=300"
    return response

