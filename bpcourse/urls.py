"""URL configuration: API, health probe, admin, auth, language switch, then the site pages."""

from django.contrib import admin
from django.urls import include, path

from exercises.api.urls import api

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("exercises.practice.account_urls")),  # password reset in the site's style
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("exercises.urls")),
]
