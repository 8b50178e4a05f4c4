"""LTI pages (included by exercises/urls.py into the `exercises` namespace)."""

from django.urls import path

from .views import deep_linking, registration, staff, tool

urlpatterns = [
    path("lti/login/", tool.oidc_login, name="lti_login"),
    path("lti/launch/", tool.launch, name="lti_launch"),
    path("lti/jwks.json", tool.jwks_view, name="lti_jwks"),
    path("lti/deep-link/<str:launch_id>/", deep_linking.deep_link, name="lti_deep_link"),
    path("lti/register/", registration.dynamic_register, name="lti_register"),
    path("courses/<int:course_id>/lti/", staff.course_lti, name="lti_course"),
]
