"""Reads of published figures. Nothing here reads counts or answers: only published cells."""

from django.db.models import OuterRef, QuerySet, Subquery

from analytics import disclosure
from analytics.models import PublishedCell
from survey.models import Wave


def wave_cells(*, wave: Wave) -> QuerySet[PublishedCell]:
    """The wave's published cells, each with its delta vs the organisation (the root team)."""
    organisation_score = PublishedCell.objects.filter(
        wave=OuterRef("wave"), kind=OuterRef("kind"), code=OuterRef("code"), team__parent__isnull=True
    ).values("score")[:1]
    return (
        PublishedCell.objects.filter(wave=wave)
        .select_related("team")
        .annotate(delta_org=disclosure.delta_expression(Subquery(organisation_score)))
    )
