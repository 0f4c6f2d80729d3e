"""Opening and closing waves. A wave freezes k, k_comments and its team tree when it opens."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from survey.events import answers_arrived
from survey.models import Organisation, Survey, Team, Wave, WaveTeam, WaveTeamClosure
from survey.services.teams import closure_pairs


def _frozen_headcounts(parents: dict, headcounts: dict) -> dict:
    """A team's headcount covers its subtree: when HR left it at 0, it is the sum of its children's."""
    children: dict = {}
    for team, parent in parents.items():
        children.setdefault(parent, []).append(team)
    frozen: dict = {}

    def visit(team, path: frozenset) -> int:
        if team not in frozen:
            below = sum(visit(child, path | {team}) for child in children.get(team, []) if child not in path)
            frozen[team] = headcounts[team] or below
        return frozen[team]

    for team in parents:
        visit(team, frozenset())
    return frozen


def tree_freeze(wave, *, team_model, wave_team_model, closure_model) -> int:
    """Copies the organisation's tree and headcounts into the wave. Takes the model classes so that
    the migration that froze older waves can pass its historical models."""
    rows = team_model.objects.filter(organisation_id=wave.organisation_id).values_list("id", "parent_id", "headcount")
    parents = {team: parent for team, parent, _ in rows}
    headcounts = _frozen_headcounts(parents, {team: headcount for team, _, headcount in rows})
    wave_team_model.objects.bulk_create(
        wave_team_model(wave=wave, team_id=team, parent_id=parent, headcount=headcounts[team])
        for team, parent in parents.items()
    )
    closure_model.objects.bulk_create(
        closure_model(wave=wave, ancestor_id=ancestor, descendant_id=team, depth=depth)
        for ancestor, team, depth in closure_pairs(parents)
    )
    return len(parents)


@transaction.atomic
def wave_tree_freeze(*, wave: Wave) -> int:
    """Freezes the wave's tree and headcounts, once. Returns teams frozen.

    Called for every wave that leaves draft (survey.signals), whatever the path that opened it."""
    if WaveTeam.objects.filter(wave=wave).exists():
        return 0
    return tree_freeze(wave, team_model=Team, wave_team_model=WaveTeam, closure_model=WaveTeamClosure)


@transaction.atomic
def wave_create(
    *,
    organisation: Organisation,
    survey: Survey,
    name: str,
    k_min: int = 5,
    k_comments: int = 10,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    allow_open_links: bool = False,
) -> Wave:
    """A draft wave (the HR pages and the API both create through here): nothing is frozen until
    it opens, so HR can still think about k."""
    if survey.organisation_id not in (None, organisation.pk):
        raise ValidationError({"survey": "This survey belongs to another organisation."})
    wave = Wave(
        organisation=organisation,
        survey=survey,
        name=name,
        status=Wave.Status.DRAFT,
        k_min=k_min,
        k_comments=k_comments,
        opens_at=opens_at,
        closes_at=closes_at,
        allow_open_links=allow_open_links,
    )
    wave.full_clean()
    wave.save()
    return wave


@transaction.atomic
def wave_open(*, wave: Wave) -> Wave:
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.DRAFT:
        raise ValidationError("Only a draft wave can be opened.")
    wave.full_clean()
    wave.status = Wave.Status.OPEN
    wave.opens_at = wave.opens_at or timezone.now()
    wave.save(update_fields=["status", "opens_at"])
    return wave


@transaction.atomic
def wave_close(*, wave: Wave) -> Wave:
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.OPEN:
        raise ValidationError("Only an open wave can be closed.")
    wave.status = Wave.Status.CLOSED
    wave.closes_at = min(wave.closes_at or timezone.now(), timezone.now())
    wave.save(update_fields=["status", "closes_at"])
    answers_arrived.send(sender=Wave, wave_id=wave.pk)
    return wave
