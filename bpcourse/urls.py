"""URL configuration: API, health probe, admin, auth, language switch, then the site pages."""

from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path

from exercises.api.urls import api
from exercises.web.ratelimit import login_throttled

from .health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/", api.urls),
    path("admin/login/", login_throttled(admin.site.login)),  # the same limit on failed sign-ins
    path("admin/", admin.site.urls),
    path("accounts/login/", login_throttled(LoginView.as_view()), name="login"),  # failed sign-ins limited
    path("accounts/", include("exercises.accounts.auth_urls")),  # password reset in the site's style
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("exercises.urls")),
]
