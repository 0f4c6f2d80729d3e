"""Reads of published figures. Nothing here reads counts or answers: only published cells."""

from django.db.models import OuterRef, QuerySet, Subquery

from analytics import disclosure
from analytics.models import PublishedCell
from survey.models import Team, Wave


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
