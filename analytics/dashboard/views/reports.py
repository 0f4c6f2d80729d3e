"""Trends across waves, drivers, comments, and the print-ready report of a wave."""

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from analytics.cells import HEATMAP_TITLES, HEATMAPS, cell_figures, localised, reason_words
from analytics.dashboard.access import Viewer, dashboard_page
from analytics.dashboard.pages import page
from analytics.dashboard.views.overview import participation_rows
from analytics.dashboard.wave_rows import TeamRow, live_rows, top_team, wave_rows
from analytics.models import PublishedCell
from analytics.selectors import heatmap_cells, trend_cells, wave_drivers
from analytics.services.drivers import MIN_RESPONDENTS, OUTCOMES
from survey.models import Dimension, Survey, Wave


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _score_range(dimension: Dimension) -> list[int]:
    return [-100, 100] if dimension.kind == Dimension.Kind.ENPS else [0, 100]


def _dimension_names(survey: Survey) -> dict[str, str]:
    return {dimension.code: localised(dimension, "name") for dimension in survey.dimensions.all()}


def _wave_label(wave: Wave) -> str:
    return formats.date_format(timezone.localtime(wave.opens_at), "SHORT_DATE_FORMAT") if wave.opens_at else wave.name


# Trends ------------------------------------------------------------------------------------------


def _trend_surveys(viewer: Viewer) -> list[Survey]:
    """The surveys of the organisation's waves that have figures, the latest wave's first."""
    surveys: dict = {}
    for wave in viewer.waves():
        if wave.status != Wave.Status.DRAFT:
            surveys.setdefault(wave.survey_id, wave.survey)
    return list(surveys.values())


def _bad_request(request: HttpRequest, viewer: Viewer, message: str) -> HttpResponse:
    return page(request, "dashboard/trends.html", viewer, nav="trends", status=400, error=message)


@dashboard_page()
def trends(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    rows = live_rows(viewer=viewer)
    surveys = _trend_surveys(viewer)
    team_id = rows[0].team.pk if rows else None
    if request.GET.get("team"):
        team_id = _uuid(request.GET["team"])
        if team_id is None:
            return _bad_request(request, viewer, _("The team must be a team id (a UUID)."))
    survey = surveys[0] if surveys else None
    if request.GET.get("survey"):
        survey_id = _uuid(request.GET["survey"])
        if survey_id is None:
            return _bad_request(request, viewer, _("The survey must be a survey id (a UUID)."))
        survey = next((candidate for candidate in surveys if candidate.pk == survey_id), None)
        if survey is None:
            raise Http404("No such survey.")
    team = next((row.team for row in rows if row.team.pk == team_id), None)
    if team_id is not None and team is None:
        raise Http404("No such team.")
    series = []
    charts = {}
    if team is not None and survey is not None:
        for dimension in survey.dimensions.all():
            points = []
            cells = trend_cells(team=team, survey=survey, kind=PublishedCell.Kind.DIMENSION, code=dimension.code)
            for wave, cell in cells:
                figures = cell_figures(cell)
                points.append({"wave": wave, **figures, "why": reason_words(figures["reason"], k=wave.k_min)})
            series.append({"dimension": dimension, "name": localised(dimension, "name"), "points": points})
            charts[f"trend-{dimension.code}"] = {
                "type": "line",
                # Wave names are long: the axis shows when each wave opened, the table its name.
                "labels": [_wave_label(point["wave"]) for point in points],
                "values": [point["score"] for point in points],
                "range": _score_range(dimension),
                "axis": _("Score"),
            }
    return page(
        request,
        "dashboard/trends.html",
        viewer,
        nav="trends",
        rows=rows,
        surveys=surveys,
        team=team,
        survey=survey,
        series=series,
        charts=charts,
    )


# Drivers -----------------------------------------------------------------------------------------


def driver_groups(*, wave: Wave, rows: list[TeamRow]) -> list[dict]:
    """The wave's drivers for the teams the viewer sees, in tree order: one group per team and
    outcome, drivers ranked by the size of their coefficient."""
    names = _dimension_names(wave.survey)
    order = {row.team.pk: index for index, row in enumerate(rows)}
    grouped: dict = {}
    for result in wave_drivers(wave=wave).filter(team_id__in=order):
        grouped.setdefault((result.team_id, result.outcome), []).append(result)
    groups = []

    def place(key: tuple) -> tuple:
        team_id, outcome = key
        return order[team_id], OUTCOMES.index(outcome) if outcome in OUTCOMES else len(OUTCOMES)

    for (_team_id, outcome), results in sorted(grouped.items(), key=lambda item: place(item[0])):
        results.sort(key=lambda result: (-abs(result.coefficient), result.driver))
        groups.append(
            {
                "key": f"drivers-{len(groups)}",
                "team": results[0].team,
                "outcome": outcome,
                "outcome_name": names.get(outcome, outcome),
                "n": results[0].n,
                "r2": results[0].r2,
                "results": [{"result": result, "name": names.get(result.driver, result.driver)} for result in results],
            }
        )
    return groups


def _driver_chart(group: dict) -> dict:
    largest = max((abs(row["result"].coefficient) for row in group["results"]), default=0) or 1
    limit = round(min(1.0, largest * 1.2) + 0.05, 2)
    return {
        "type": "hbar",
        "labels": [row["name"] for row in group["results"]],
        "values": [row["result"].coefficient for row in group["results"]],
        "digits": 2,  # the page's script writes them signed, in the page's language
        "axis": _("Standardised coefficient"),
        "range": [-limit, limit],
    }


@dashboard_page()
def drivers(request: HttpRequest, viewer: Viewer, wave: Wave) -> HttpResponse:
    groups = driver_groups(wave=wave, rows=wave_rows(viewer=viewer, wave=wave))
    return page(
        request,
        "dashboard/drivers.html",
        viewer,
        wave=wave,
        nav="drivers",
        groups=groups,
        min_respondents=MIN_RESPONDENTS,
        charts={group["key"]: _driver_chart(group) for group in groups},
    )


# Print -------------------------------------------------------------------------------------------


def heatmap_tables(*, wave: Wave, rows: list[TeamRow]) -> list[dict]:
    names = _dimension_names(wave.survey)
    visible = {row.team.pk for row in rows}
    tables = []
    for heatmap, codes in HEATMAPS.items():
        cells = {
            (cell["team_id"], cell["code"]): cell
            for cell in heatmap_cells(wave=wave, heatmap=heatmap).filter(team_id__in=visible)
        }
        table_rows = []
        for row in rows:
            values = []
            for code in codes:
                figures = cell_figures(cells.get((row.team.pk, code)))
                values.append({**figures, "code": code, "why": reason_words(figures["reason"], k=wave.k_min)})
            table_rows.append({"team": row.team, "level": row.level, "values": values})
        tables.append(
            {
                "heatmap": heatmap,
                "title": HEATMAP_TITLES[heatmap],
                "columns": [names.get(code, code) for code in codes],
                "rows": table_rows,
            }
        )
    return tables


@dashboard_page()
def report(request: HttpRequest, viewer: Viewer, wave: Wave) -> HttpResponse:
    rows = wave_rows(viewer=viewer, wave=wave)
    return page(
        request,
        "dashboard/print.html",
        viewer,
        wave=wave,
        nav="print",
        top=top_team(rows=rows),
        table=participation_rows(wave=wave, rows=rows),
        heatmaps=heatmap_tables(wave=wave, rows=rows),
        groups=driver_groups(wave=wave, rows=rows),
        min_respondents=MIN_RESPONDENTS,
    )


urlpatterns = [
    path("<slug:organisation>/trends/", trends, name="trends"),
    path("<slug:organisation>/w/<uuid:wave>/drivers/", drivers, name="drivers"),
    path("<slug:organisation>/w/<uuid:wave>/print/", report, name="print"),
]
