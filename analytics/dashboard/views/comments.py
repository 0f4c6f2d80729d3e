"""The comments page of a wave: sentiment shares, themes and topics, and the comments themselves,
for one team the viewer may see, wherever its comment cell is published."""

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils.translation import gettext as _

from analytics.comments.selectors import team_comments
from analytics.dashboard.access import Viewer, dashboard_page
from analytics.dashboard.pages import page
from analytics.dashboard.wave_rows import top_team, wave_rows
from survey.models import Wave


@dashboard_page()
def comments(request: HttpRequest, viewer: Viewer, wave: Wave) -> HttpResponse:
    rows = wave_rows(viewer=viewer, wave=wave)
    team = top_team(rows=rows)
    if request.GET.get("team"):
        try:
            team_id = uuid.UUID(request.GET["team"])
        except ValueError:
            return page(
                request, "dashboard/comments.html", viewer, wave=wave, nav="comments", rows=rows, status=400,
                error=_("The team must be a team id (a UUID)."),
            )  # fmt: skip
        team = next((row.team for row in rows if row.team.pk == team_id), None)
        if team is None:
            raise Http404("No such team.")
    return page(
        request,
        "dashboard/comments.html",
        viewer,
        wave=wave,
        nav="comments",
        rows=rows,
        team=team,
        questions=team_comments(wave=wave, team=team) if team else [],
    )


urlpatterns = [path("<slug:organisation>/w/<uuid:wave>/comments/", comments, name="comments")]
