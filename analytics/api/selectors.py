"""Reads for the API, all scoped to one organisation. Figures come only from published cells
(analytics.selectors.wave_cells) and DriverResult: never from counts, answers or comments."""

from django.db.models import QuerySet

from analytics.models import Publication
from analytics.selectors import (  # noqa: F401 (the API's reads of figures are the core's)
    cells_for_wave,
    heatmap_cells,
    organisation_surveys,
    organisation_waves,
    team_places,
    trend_cells,
    wave_drivers,
)
from survey.models import Organisation, Team, TeamClosure, Wave


def organisation_teams(*, organisation: Organisation) -> QuerySet[Team]:
    return Team.objects.filter(organisation=organisation)


def subtree_ids(*, team: Team) -> QuerySet:
    return TeamClosure.objects.filter(ancestor=team).values("descendant_id")


def is_in_subtree(*, team: Team, root: Team) -> bool:
    return TeamClosure.objects.filter(ancestor=root, descendant=team).exists()


def publication_stamp(*, waves: list[Wave]) -> tuple[str, object]:
    """(versions, latest publication time) of the waves: what a cached copy of their figures depends on."""
    publications = {p.wave_id: p for p in Publication.objects.filter(wave__in=waves)}
    versions = ",".join(
        f"{wave.pk}:{publications[wave.pk].version if wave.pk in publications else 0}" for wave in waves
    )
    times = [p.published_at for p in publications.values() if p.published_at]
    return versions, max(times) if times else None
