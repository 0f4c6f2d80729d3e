"""What every HR page shows around its content: the organisation, the wave and the navigation."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from analytics.dashboard.access import Viewer
from survey.models import Wave


def page(
    request: HttpRequest, template: str, viewer: Viewer, *, wave: Wave | None = None, status: int = 200, **context
) -> HttpResponse:
    waves = list(viewer.waves())
    if wave is None and waves:
        wave = next((w for w in waves if w.status != Wave.Status.DRAFT), None)
    context.update(viewer=viewer, organisation=viewer.organisation, wave=wave, waves=waves)
    return render(request, template, context, status=status)
