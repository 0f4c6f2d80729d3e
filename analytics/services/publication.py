"""Releasing counts and publishing cells through the disclosure gate."""

from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone

from analytics import disclosure
from analytics.models import AnswerCount, Publication, PublishedCell, ReleasedAnswerCount, TeamTally
from analytics.scoring import raw_cells, survey_rules
from analytics.services.drivers import wave_drivers
from survey.models import Team, Wave


def _release(wave: Wave) -> list:
    """Copies the live counts of the teams the release rule lets through into the snapshot."""
    tallies = {
        team: (responses, released)
        for team, responses, released in TeamTally.objects.filter(wave=wave).values_list(
            "team_id", "responses", "released"
        )
    }
    teams = disclosure.teams_to_release(tallies, k=wave.k_min, wave_closed=wave.status == Wave.Status.CLOSED)
    if teams:
        ReleasedAnswerCount.objects.filter(wave=wave, team_id__in=teams).delete()
        ReleasedAnswerCount.objects.bulk_create(
            ReleasedAnswerCount(**row)
            for row in AnswerCount.objects.filter(wave=wave, team_id__in=teams).values(
                "wave_id", "team_id", "question_id", "value", "n"
            )
        )
        TeamTally.objects.filter(wave=wave, team_id__in=teams).update(released=F("responses"))
    return teams


def _previous_scores(wave: Wave) -> dict:
    previous = (
        Wave.objects.filter(organisation=wave.organisation_id, survey=wave.survey_id, opens_at__lt=wave.opens_at)
        .order_by("-opens_at")
        .first()
        if wave.opens_at
        else None
    )
    if previous is None:
        return {}
    cells = PublishedCell.objects.filter(wave=previous, suppressed=False)
    return {
        (team, kind, code): score for team, kind, code, score in cells.values_list("team_id", "kind", "code", "score")
    }


def _gated_cells(wave: Wave) -> list[disclosure.GatedCell]:
    teams = Team.objects.filter(organisation=wave.organisation_id)
    parents = dict(teams.values_list("id", "parent_id"))
    # Roll every team's released counts up to all its ancestors: one GROUP BY over the closure.
    rolled = (
        ReleasedAnswerCount.objects.filter(wave=wave)
        .values("team__ancestor_links__ancestor", "question_id", "value")
        .annotate(total=Sum("n"))
        .values_list("team__ancestor_links__ancestor", "question_id", "value", "total")
    )
    responses = dict(
        TeamTally.objects.filter(wave=wave)
        .values("team__ancestor_links__ancestor")
        .annotate(total=Sum("released"))
        .values_list("team__ancestor_links__ancestor", "total")
    )
    cells = raw_cells(
        rules=survey_rules(wave.survey),
        teams=parents,
        counts=rolled,
        responses=responses,
        headcounts=dict(teams.values_list("id", "headcount")),
    )
    gated = disclosure.gate(
        cells=cells, tree=disclosure.Tree.from_parents(parents), k=wave.k_min, k_comments=wave.k_comments
    )
    roots = [team for team, parent in parents.items() if parent is None]
    disclosure.with_deltas(gated, root=roots[0] if len(roots) == 1 else None, previous=_previous_scores(wave))
    return gated


@transaction.atomic
def wave_publish(*, wave: Wave, force: bool = False) -> bool:
    """Releases what the release rule allows and rewrites the wave's published cells if anything
    was released (or `force`). Returns whether the cells were rewritten."""
    released = _release(wave)
    if not released and not force and PublishedCell.objects.filter(wave=wave).exists():
        return False
    cells = _gated_cells(wave)
    PublishedCell.objects.filter(wave=wave).delete()
    PublishedCell.objects.bulk_create(
        (
            PublishedCell(
                wave=wave,
                team_id=cell.team,
                kind=cell.kind,
                code=cell.code,
                n=cell.n,
                score=cell.score,
                favourable_pct=cell.favourable_pct,
                distribution=cell.distribution,
                delta_org=cell.delta_org,
                delta_previous=cell.delta_previous,
                suppressed=cell.suppressed,
                reason=cell.reason,
            )
            for cell in cells
        ),
        batch_size=2000,
    )
    wave_drivers(wave=wave)
    publication, _ = Publication.objects.get_or_create(wave=wave)
    publication.version += 1
    publication.published_at = timezone.now()
    publication.save()
    return True
