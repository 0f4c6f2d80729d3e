"""The adoption and wellbeing heatmaps, a cell's drill-down, and the heatmap's CSV."""

import csv
import io

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _

from analytics.cells import HEATMAP_TITLES, HEATMAPS, cell_figures, reason_words
from analytics.dashboard.access import Viewer, dashboard_page, visible_team
from analytics.dashboard.grid import CSV_COLUMNS, csv_rows, heatmap_grid, plot_data
from analytics.dashboard.heatmap_table import heatmap_table
from analytics.dashboard.pages import page
from analytics.models import PublishedCell
from analytics.selectors import cell_questions, team_cell, wave_tree_rows
from survey.models import Dimension, Wave
from survey.spreadsheet import spreadsheet_cell


@dashboard_page()
def heatmap(request: HttpRequest, viewer: Viewer, wave: Wave, heatmap: str) -> HttpResponse:
    grid = heatmap_grid(viewer=viewer, wave=wave, heatmap=heatmap)
    return page(
        request,
        "dashboard/heatmap.html",
        viewer,
        wave=wave,
        nav=heatmap,
        grid=grid,
        table=heatmap_table(grid=grid),
        title=HEATMAP_TITLES[heatmap],
        plot=plot_data(grid=grid),
        depths=range(1, max((row.depth for row in grid.rows), default=0) + 2),
    )


@dashboard_page()
def heatmap_csv(request: HttpRequest, viewer: Viewer, wave: Wave, heatmap: str) -> HttpResponse:
    grid = heatmap_grid(viewer=viewer, wave=wave, heatmap=heatmap, noise=False)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for values in csv_rows(grid=grid, wave=wave):
        writer.writerow(["" if values[column] is None else spreadsheet_cell(values[column]) for column in CSV_COLUMNS])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pulse-{heatmap}-heatmap-{wave.pk}.csv"'
    return response


@dashboard_page()
def cell(request: HttpRequest, viewer: Viewer, wave: Wave, team: object, code: str) -> HttpResponse:
    team = visible_team(viewer, team, wave)
    dimension = get_object_or_404(Dimension, survey=wave.survey_id, code=code)
    place = next((row for row in wave_tree_rows(wave=wave) if row.team_id == team.pk), None)
    if place is None:
        raise Http404(_("This team was not in the wave."))
    figures = cell_figures(team_cell(wave=wave, team=team, kind=PublishedCell.Kind.DIMENSION, code=code))
    questions = cell_questions(wave=wave, team=team, dimension=dimension)
    return page(
        request,
        "dashboard/cell.html",
        viewer,
        wave=wave,
        nav=next((name for name, codes in HEATMAPS.items() if code in codes), ""),
        dimension=dimension,
        place=place,
        figures=figures,
        reason=reason_words(figures["reason"], k=wave.k_min),
        questions=[(item, reason_words(item.figures["reason"], k=wave.k_min)) for item in questions],
    )


urlpatterns = [
    path("<slug:organisation>/w/<uuid:wave>/heatmap/<str:heatmap>.csv", heatmap_csv, name="heatmap-csv"),
    path("<slug:organisation>/w/<uuid:wave>/heatmap/<str:heatmap>/", heatmap, name="heatmap"),
    path("<slug:organisation>/w/<uuid:wave>/cell/<uuid:team>/<slug:code>/", cell, name="cell"),
]
