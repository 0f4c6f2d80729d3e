"""A heatmap as rows of teams and columns of dimensions, scoped to the viewer: what the page,
its table, its JSON for Plotly and its CSV all show. Every figure is a published cell's; the
meaningful-delta flags come from analytics.significance on published distributions."""

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from analytics import significance
from analytics.cells import CELL_COLUMNS, HEATMAPS, cell_figures, localised, reason_words
from analytics.dashboard.access import Viewer
from analytics.models import PublishedCell
from analytics.selectors import TreeRow, dimension_errors, heatmap_cells, previous_wave, wave_tree_rows
from survey.models import Dimension, Wave

# The API's flat cell table, then words for people (a spreadsheet has no translations).
CSV_COLUMNS = (*CELL_COLUMNS, "dimension_name", "reason_words")
_TEAM, _CODE = uuid.UUID(int=0), "dimension-code"


@dataclass(frozen=True)
class GridCell:
    code: str
    figures: dict  # analytics.cells.cell_figures
    reason_words: str
    favourable_org: float | None  # favourable % minus the organisation's
    meaningful_org: bool | None
    meaningful_previous: bool | None
    url: str


@dataclass(frozen=True)
class GridRow:
    place: TreeRow
    depth: int  # below the highest row the viewer sees (0 for the organisation, or a manager's team)
    cells: list[GridCell]


@dataclass(frozen=True)
class Grid:
    heatmap: str
    dimensions: list[Dimension]
    rows: list[GridRow]
    previous: Wave | None
    cell_url: str  # the drill-down's URL for team _TEAM and dimension _CODE


def heatmap_dimensions(*, wave: Wave, heatmap: str) -> list[Dimension]:
    if heatmap not in HEATMAPS:
        raise Http404("No such heatmap.")
    codes = HEATMAPS[heatmap]
    found = {dimension.code: dimension for dimension in Dimension.objects.filter(survey=wave.survey_id, code__in=codes)}
    return [found[code] for code in codes if code in found]


def cell_url(*, viewer: Viewer, wave: Wave) -> str:
    """A pattern for drill-down links, filled per cell (one reverse() for a thousand cells)."""
    return reverse("dashboard:cell", args=[viewer.organisation.slug, wave.pk, _TEAM, _CODE])


def heatmap_grid(*, viewer: Viewer, wave: Wave, heatmap: str, noise: bool = True) -> Grid:
    """The map's rows and cells for the viewer; `noise` False skips the meaningful-delta estimates
    (their SQL is most of a map's cost), for outputs that do not show them (the CSV)."""
    dimensions = heatmap_dimensions(wave=wave, heatmap=heatmap)
    codes = tuple(dimension.code for dimension in dimensions)
    visible = viewer.team_ids(wave)
    tree = wave_tree_rows(wave=wave)
    root = tree[0].team_id if tree else None
    cells = {(cell["team_id"], cell["code"]): cell for cell in heatmap_cells(wave=wave, heatmap=heatmap)}
    previous = previous_wave(wave=wave)
    waves = [wave] if previous is None else [wave, previous]
    # A manager's map still compares with the organisation: its root's errors are needed too.
    team_ids = None if viewer.subtree_root is None else visible | {root}
    errors = dimension_errors(waves=waves, codes=codes, team_ids=team_ids) if noise else {}
    words: dict = {}  # reason -> words, translated once
    organisation = {code: cell_figures(cells.get((root, code))) for code in codes}
    pattern = cell_url(viewer=viewer, wave=wave)
    rows = [place for place in tree if place.team_id in visible]
    top = min((place.level for place in rows), default=0)
    grid_rows = []
    for place in rows:
        grid_cells = []
        for code in codes:
            figures = cell_figures(cells.get((place.team_id, code)))
            org = organisation[code]
            error = errors.get((wave.pk, place.team_id, code))
            org_error = significance.organisation_difference_se(se_team=error, n_team=figures["n"], n_org=org["n"])
            previous_error = significance.previous_difference_se(
                se_now=error, se_previous=previous and errors.get((previous.pk, place.team_id, code))
            )
            favourable_org = None
            if figures["favourable_pct"] is not None and org["favourable_pct"] is not None:
                favourable_org = round(figures["favourable_pct"] - org["favourable_pct"], 1)
            grid_cells.append(
                GridCell(
                    code=code,
                    figures=figures,
                    reason_words=words.get(figures["reason"])
                    or words.setdefault(figures["reason"], reason_words(figures["reason"], k=wave.k_min)),
                    favourable_org=favourable_org,
                    meaningful_org=significance.is_meaningful(delta=figures["delta_org"], se=org_error),
                    meaningful_previous=significance.is_meaningful(delta=figures["delta_previous"], se=previous_error),
                    url=pattern.replace(str(_TEAM), str(place.team_id)).replace(_CODE, code),
                )
            )
        grid_rows.append(GridRow(place=place, depth=place.level - top, cells=grid_cells))
    return Grid(heatmap=heatmap, dimensions=dimensions, rows=grid_rows, previous=previous, cell_url=pattern)


def dimension_name(dimension: Dimension) -> str:
    return localised(dimension, "name")


def plot_data(*, grid: Grid) -> dict:
    """What static/js/heatmap.js draws: rows, columns, each cell's figures, and the words of
    its hover, translated here so the script holds no text."""
    return {
        "heatmap": grid.heatmap,
        "filename": f"pulse-{grid.heatmap}-heatmap",
        "columns": [dimension_name(dimension) for dimension in grid.dimensions],
        "codes": [dimension.code for dimension in grid.dimensions],
        # Drill-down links: the pattern once, filled per cell by the script (a lighter page).
        "cellUrl": {"pattern": grid.cell_url, "team": str(_TEAM), "code": _CODE},
        "rows": [
            {"team": str(row.place.team_id), "name": row.place.name, "path": row.place.path, "depth": row.depth}
            for row in grid.rows
        ],
        "cells": [[_plot_cell(cell) for cell in row.cells] for row in grid.rows],
        "hasPrevious": grid.previous is not None,
        "labels": {
            "score": str(_("Score")),
            "n": str(_("Answers")),
            "favourable": str(_("Favourable %")),
            "deltaOrg": str(_("vs organisation")),
            "deltaPrevious": str(_("vs previous wave")),
            "meaningful": str(_("meaningful")),
            "notMeaningful": str(_("within noise")),
            "notAssessed": str(_("not assessed")),
            "none": str(_("none")),
            "hidden": str(_("Hidden")),
            "noValue": str(_("no figure to show in this view")),
        },
    }


def _plot_cell(cell: GridCell) -> dict:
    figures = cell.figures
    return {
        "score": figures["score"],
        "n": figures["n"],
        "favourable": figures["favourable_pct"],
        "deltaOrg": figures["delta_org"],
        "deltaPrevious": figures["delta_previous"],
        "favourableOrg": cell.favourable_org,
        "meaningfulOrg": cell.meaningful_org,
        "meaningfulPrevious": cell.meaningful_previous,
        "hidden": figures["suppressed"],
        "reason": cell.reason_words,
    }


def csv_rows(*, grid: Grid, wave: Wave) -> Iterator[dict]:
    """One row per visible team x dimension, with CSV_COLUMNS; team_path from the frozen tree."""
    names = {dimension.code: dimension_name(dimension) for dimension in grid.dimensions}
    for row in grid.rows:
        for cell in row.cells:
            yield {
                "wave": str(wave.pk),
                "team": str(row.place.team_id),
                "team_slug": row.place.slug,
                "team_path": row.place.path,
                "level": row.place.level,
                "kind": PublishedCell.Kind.DIMENSION.value,
                "code": cell.code,
                **cell.figures,
                "dimension_name": names[cell.code],
                "reason_words": cell.reason_words,
            }
