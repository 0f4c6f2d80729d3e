"""Reads of published figures. Nothing here reads counts or answers: only published cells."""

from dataclasses import dataclass
from datetime import date

from django.db.models import F, OuterRef, QuerySet, Subquery

from analytics import disclosure
from analytics.cells import CELL_VALUES, HEATMAPS
from analytics.models import DriverResult, PublishedCell, PublishedDay, TeamTally
from survey.models import Invitation, Organisation, Survey, Team, Wave, WaveTeamClosure


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


def teams_waiting(*, wave: Wave, team_ids: set) -> int:
    """How many of `team_ids` hold answers that the release rule has not let into the figures yet
    (PRODUCT.md rule 4). A count of teams only: which team, and how many answers, stay unsaid."""
    return TeamTally.objects.filter(wave=wave, team_id__in=team_ids, responses__gt=F("released")).count()


@dataclass(frozen=True)
class PublishedDayCount:
    day: date
    n: int  # the team's published participation n as of that day
    added: int  # what that day's publications added to it


def published_days(*, wave: Wave, team: Team) -> list[PublishedDayCount]:
    """Answers per day as publication released them (responses carry no time), oldest first: the
    `added` figures sum to the team's latest published participation n."""
    days, previous = [], 0
    for day, n in PublishedDay.objects.filter(wave=wave, team=team).order_by("day").values_list("day", "n"):
        days.append(PublishedDayCount(day=day, n=n, added=n - previous))
        previous = n
    return days


def links_issued(*, wave: Wave, team: Team) -> int:
    """Single-use links issued for the wave in `team`'s frozen subtree: what HR did, never who
    used one (a consumed link, read live, would tell when a given person answered)."""
    subtree = WaveTeamClosure.objects.filter(wave=wave, ancestor=team).values("descendant_id")
    return Invitation.objects.filter(wave=wave, reusable=False, team_id__in=subtree).count()
