"""Reads of published figures. Nothing here reads counts or answers: only published cells."""

from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from analytics import disclosure
from analytics.cells import CELL_VALUES, HEATMAPS
from analytics.models import DriverResult, PublishedCell
from survey.models import Organisation, Survey, Team, Wave


def wave_cells(*, wave: Wave) -> QuerySet[PublishedCell]:
    """The wave's published cells, each with its delta vs the organisation (the root team)."""
    root = Team.objects.filter(organisation=wave.organisation_id, parent__isnull=True).values("id")[:1]
    organisation_score = PublishedCell.objects.filter(
        wave=OuterRef("wave"), kind=OuterRef("kind"), code=OuterRef("code"), team=Subquery(root)
    ).values("score")[:1]
    return (
        PublishedCell.objects.filter(wave=wave)
        .select_related("team")
        .annotate(delta_org=disclosure.delta_expression(Subquery(organisation_score)))
    )


@dataclass(frozen=True)
class TeamPlace:
    path: str
    level: int


def team_places(*, organisation: Organisation) -> dict:
    """Each team's path ("Org / Department / Team") and depth, from one small query on the tree."""
    rows = {
        team_id: (parent_id, name)
        for team_id, parent_id, name in Team.objects.filter(organisation=organisation).values_list(
            "id", "parent_id", "name"
        )
    }
    places: dict = {}

    def place(team_id: object, seen: frozenset = frozenset()) -> TeamPlace:
        if team_id not in places:
            parent_id, name = rows[team_id]
            if parent_id is None or parent_id not in rows or parent_id in seen:
                places[team_id] = TeamPlace(path=name, level=0)
            else:
                parent = place(parent_id, seen | {team_id})
                places[team_id] = TeamPlace(path=f"{parent.path} / {name}", level=parent.level + 1)
        return places[team_id]

    for team_id in rows:
        place(team_id)
    return places


def organisation_surveys(*, organisation: Organisation) -> QuerySet[Survey]:
    """The organisation's own surveys and the built-in templates it can launch waves of."""
    return (
        Survey.objects.filter(Q(organisation=organisation) | Q(organisation__isnull=True))
        .prefetch_related("dimensions", "questions")
        .order_by("code", "id")
    )


def organisation_waves(*, organisation: Organisation) -> QuerySet[Wave]:
    return Wave.objects.filter(organisation=organisation)


def _cell_values(cells: QuerySet[PublishedCell]) -> QuerySet:
    """Cells as plain dicts (no model instances: a page of 5,000 rows stays cheap). The
    distribution, a JSON document per cell, stays out of the flat table."""
    return cells.values(*CELL_VALUES, team_slug=F("team__slug"))


def cells_for_wave(*, wave: Wave) -> QuerySet:
    return _cell_values(wave_cells(wave=wave)).order_by("id")


def trend_cells(*, team: Team, survey: Survey, kind: str, code: str) -> list[tuple[Wave, dict | None]]:
    """One measure of one team across the organisation's waves of `survey`, oldest first."""
    waves = (
        organisation_waves(organisation=team.organisation)
        .filter(survey=survey)
        .exclude(status=Wave.Status.DRAFT)
        .order_by("opens_at", "id")
    )
    series = []
    for wave in waves:
        cell = _cell_values(wave_cells(wave=wave).filter(team=team, kind=kind, code=code)).first()
        series.append((wave, cell))
    return series


def heatmap_cells(*, wave: Wave, heatmap: str) -> QuerySet:
    return _cell_values(wave_cells(wave=wave).filter(kind=PublishedCell.Kind.DIMENSION, code__in=HEATMAPS[heatmap]))


def wave_drivers(*, wave: Wave) -> QuerySet[DriverResult]:
    return DriverResult.objects.filter(wave=wave).select_related("team").order_by("id")
