"""A wave at a glance: participation per team, answers per day, days left, links, release rule."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analytics.cells import cell_figures, reason_words
from analytics.dashboard.access import Viewer, dashboard_page
from analytics.dashboard.pages import page
from analytics.dashboard.wave_rows import TeamRow, top_team, wave_rows
from analytics.models import PublishedCell
from analytics.selectors import cells_for_wave, links_issued, published_days, teams_waiting
from survey.models import Wave


def participation_rows(*, wave: Wave, rows: list[TeamRow]) -> list[dict]:
    """Each visible team's published participation cell (a team without one reads as hidden)."""
    cells = {
        cell["team_id"]: cell
        for cell in cells_for_wave(wave=wave).filter(
            kind=PublishedCell.Kind.PARTICIPATION, team_id__in=[row.team.pk for row in rows]
        )
    }
    table = []
    for row in rows:
        figures = cell_figures(cells.get(row.team.pk))
        table.append(
            {"team": row.team, "level": row.level, **figures, "why": reason_words(figures["reason"], k=wave.k_min)}
        )
    return table


def chart_label(name: str) -> str:
    """Plotly reads labels as a little HTML, so the name is escaped. No <b>: Plotly draws it as a
    style="" attribute, which the Content-Security-Policy refuses; static/js/charts.js writes the
    labels itself, indented by `levels` and the top two levels in bold."""
    return str(escape(name))


def participation_chart(table: list[dict]) -> dict:
    return {
        "type": "hbar",
        "labels": [chart_label(row["team"].name) for row in table],
        "levels": [row["level"] for row in table],
        "values": [row["score"] for row in table],
        "text": [formats.number_format(row["score"], 1) + " %" if row["score"] is not None else "" for row in table],
        "notes": [row["why"] for row in table],
        "target": settings.PULSE_PARTICIPATION_TARGET,
        "target_label": _("Target %(target)d %%") % {"target": settings.PULSE_PARTICIPATION_TARGET},
        "axis": _("Participation rate"),
        "suffix": " %",
        "range": [0, 100],
    }


def days_left(wave: Wave) -> str:
    if wave.status == Wave.Status.CLOSED:
        if wave.closes_at is None:
            return _("Closed")
        return _("Closed on %(date)s") % {"date": formats.date_format(timezone.localtime(wave.closes_at))}
    if wave.closes_at is None:
        return _("No closing date")
    days = max((timezone.localdate(wave.closes_at) - timezone.localdate()).days, 0)
    return ngettext("%(days)d day left", "%(days)d days left", days) % {"days": days}


@dashboard_page()
def overview(request: HttpRequest, viewer: Viewer, wave: Wave) -> HttpResponse:
    rows = wave_rows(viewer=viewer, wave=wave)
    top = top_team(rows=rows)
    table = participation_rows(wave=wave, rows=rows)
    top_cell = table[0] if table else None
    days = published_days(wave=wave, team=top) if top else []
    waiting = teams_waiting(wave=wave, team_ids={row.team.pk for row in rows})
    charts = {
        "participation": participation_chart(table),
        "days": {
            "type": "bar",
            "labels": [formats.date_format(day.day, "SHORT_DATE_FORMAT") for day in days],
            "values": [day.added for day in days],
            "axis": _("Answers"),
        },
    }
    return page(
        request,
        "dashboard/overview.html",
        viewer,
        wave=wave,
        nav="overview",
        top=top,
        top_cell=top_cell,
        table=table,
        days=days,
        days_total=sum(day.added for day in days),
        days_left=days_left(wave),
        links_issued=links_issued(wave=wave, team=top) if top else 0,
        waiting=waiting,
        target=settings.PULSE_PARTICIPATION_TARGET,
        charts=charts,
    )


urlpatterns = [
    path("<slug:organisation>/w/<uuid:wave>/", overview, name="overview"),
]
