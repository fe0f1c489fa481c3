"""Top-level URLs: accounts, admin, the JSON API, health, and the builder UI."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from vibewater.health import healthz

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="builder", permanent=False)),
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("chat.urls")),
    path("api/", include("strategies.urls")),
    path("", include("frontend.urls")),
]
