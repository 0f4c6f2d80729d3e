"""Opening and closing waves. A wave freezes k, k_comments and its team tree when it opens."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from survey.models import Team, Wave, WaveTeam, WaveTeamClosure
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


@transaction.atomic
def wave_tree_freeze(*, wave: Wave) -> int:
    """Copies the organisation's tree and headcounts into the wave, once. Returns teams frozen.

    Called for every wave that leaves draft (survey.signals), whatever the path that opened it."""
    if WaveTeam.objects.filter(wave=wave).exists():
        return 0
    rows = Team.objects.filter(organisation=wave.organisation_id).values_list("id", "parent_id", "headcount")
    parents = {team: parent for team, parent, _ in rows}
    headcounts = _frozen_headcounts(parents, {team: headcount for team, _, headcount in rows})
    WaveTeam.objects.bulk_create(
        WaveTeam(wave=wave, team_id=team, parent_id=parent, headcount=headcounts[team])
        for team, parent in parents.items()
    )
    pairs = [
        WaveTeamClosure(wave=wave, ancestor_id=ancestor, descendant_id=team, depth=depth)
        for ancestor, team, depth in closure_pairs(parents)
    ]
    WaveTeamClosure.objects.bulk_create(pairs)
    return len(parents)


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
    from analytics.tasks import schedule_wave_aggregation

    schedule_wave_aggregation(wave_id=wave.pk)
    return wave
