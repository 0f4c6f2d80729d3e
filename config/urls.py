from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from survey.api import SubmitView

api_v1 = [
    path("submit/", SubmitView.as_view(), name="submit"),
    path("", include("analytics.api.urls")),
    path("schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    # The split view serves Swagger UI's start-up script as a file (docs/?script) instead of inline,
    # and the template takes its inline <style> to a static file: the docs keep the strict CSP.
    path(
        "docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-v1:schema", template_name="api/swagger_ui.html"),
        name="docs",
    ),
]

urlpatterns = [
    # HR's entry point: a signed-out visitor lands on the sign-in page. Employees only ever
    # arrive through their links (/s/<token>/).
    path("", RedirectView.as_view(pattern_name="dashboard:home", permanent=False)),
    path("hr/", include("analytics.dashboard.urls")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include((api_v1, "api-v1"))),
    path("", include("survey.urls")),
]
