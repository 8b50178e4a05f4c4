"""The HTML site (included at the root by bpcourse/urls.py, after auth, i18n and the API):
practice pages and course pages, in one `exercises` namespace."""

from django.urls import include, path

app_name = "exercises"

urlpatterns = [
    path("", include("exercises.practice.urls")),
    path("", include("exercises.courses.urls")),
    path("", include("exercises.accounts.urls")),
    path("", include("exercises.lti.urls")),
]
