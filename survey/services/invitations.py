"""Issuing survey links, within the headcounts the wave froze. The secrets are returned once and never stored.

Padding (PRODUCT.md rule 7): an HR admin who could issue more links than a team has people could
answer all but one of them and read the last one by subtraction. So every link, and every answer
through an open team link, takes a *seat* of its team, and no team's subtree ever holds more seats
than the headcount frozen when the wave opened.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse

from survey.models import Invitation, Team, Wave, WaveTeam, WaveTeamClosure
from survey.services.audit import audit_record
from survey.services.tokens import token_hash, token_new
from survey.sql import uuid_param, uuid_text


class LinksRefused(ValueError):
    """Links cannot be issued; `code` says why (the API maps it to a status)."""

    code = "links_refused"


class WaveNotIssuable(LinksRefused):
    code = "wrong_state"


class SeatsExhausted(LinksRefused):
    code = "headcount_reached"


@dataclass(frozen=True)
class IssuedLink:
    team: Team
    url: str


def link_url(token: str) -> str:
    return settings.PULSE_PUBLIC_URL.rstrip("/") + reverse("survey:start", args=[token])


SUBTREE_SEATS = """
SELECT c.ancestor_id, SUM(t.seats) FROM survey_waveteamclosure c
JOIN survey_waveteam t ON t.wave_id = c.wave_id AND t.team_id = c.descendant_id
WHERE c.wave_id = %s AND c.ancestor_id IN ({marks}) GROUP BY c.ancestor_id
"""


def _frozen_ancestors(*, wave_id: object, team: Team) -> list:
    """The team and its ancestors in the wave's frozen tree; refused for a team added later."""
    ancestors = list(
        WaveTeamClosure.objects.filter(wave_id=wave_id, descendant=team).values_list("ancestor_id", flat=True)
    )
    if not ancestors:
        raise LinksRefused(f"Team {team.name!r} was added after this wave opened; links go to the teams it froze.")
    return ancestors


def seats_take(*, wave_id: object, team: Team, count: int) -> None:
    """Takes `count` seats of `team`, or raises SeatsExhausted naming the team whose headcount binds.

    Runs in the caller's transaction and locks the frozen rows of the team and its ancestors (in a
    fixed order, so concurrent callers queue instead of deadlocking), so two callers cannot both
    take the last seat."""
    ancestors = _frozen_ancestors(wave_id=wave_id, team=team)
    frozen = {
        row.team_id: row
        for row in WaveTeam.objects.select_for_update()
        .filter(wave_id=wave_id, team_id__in=ancestors)
        .select_related("team")
        .order_by("team_id")
    }
    with connection.cursor() as cursor:
        cursor.execute(
            SUBTREE_SEATS.format(marks=", ".join(["%s"] * len(ancestors))),
            [uuid_param(wave_id), *(uuid_param(ancestor) for ancestor in ancestors)],
        )
        used = {str(ancestor): int(seats) for ancestor, seats in cursor.fetchall()}
    for row in sorted(frozen.values(), key=lambda row: row.headcount):
        taken = used.get(uuid_text(row.team_id), 0)
        if taken + count > row.headcount:
            raise SeatsExhausted(
                f"{row.team.name} had {row.headcount} people when the wave opened and {taken} of them already "
                f"have a link or answered through the open link: at most {max(row.headcount - taken, 0)} more."
            )
    WaveTeam.objects.filter(wave_id=wave_id, team=team).update(seats=F("seats") + count)


def seats_release(*, wave_id: object, team: Team, count: int = 1) -> None:
    WaveTeam.objects.filter(wave_id=wave_id, team=team, seats__gte=count).update(seats=F("seats") - count)


@transaction.atomic
def invitations_issue(*, wave: Wave, team: Team, count: int, reusable: bool = False) -> list[IssuedLink]:
    """Single-use links (each takes a seat), or the team's one open link (which replaces any earlier
    one; its answers take seats as they come)."""
    if team.organisation_id != wave.organisation_id:
        raise LinksRefused("The team belongs to another organisation than the wave.")
    if count < 1 or count > 100_000:
        raise LinksRefused("count must be between 1 and 100000.")
    # The caller's copy may be stale (a page read the wave before another tab closed it): the row,
    # locked against a concurrent wave_close, decides whether the wave still takes links.
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.OPEN:
        raise WaveNotIssuable(
            "This wave is closed: it takes no more links."
            if wave.status == Wave.Status.CLOSED
            else "Open the wave first: links are counted against the headcounts it freezes when it opens."
        )
    if reusable:
        if not wave.allow_open_links:
            raise LinksRefused("This wave does not allow open team links.")
        if count != 1:
            raise LinksRefused("A team has one open link.")
        _frozen_ancestors(wave_id=wave.pk, team=team)
        Invitation.objects.filter(wave=wave, team=team, reusable=True).delete()
    else:
        seats_take(wave_id=wave.pk, team=team, count=count)
    tokens = [token_new() for _ in range(count)]
    Invitation.objects.bulk_create(
        Invitation(wave=wave, team=team, token_hash=token_hash(token), reusable=reusable) for token in tokens
    )
    # How many links went to which team, for the staff representative; never a token or its hash.
    audit_record(
        organisation=wave.organisation_id,
        action="links_issued",
        detail={
            "wave": {"id": str(wave.pk), "name": wave.name},
            "team": {"id": str(team.pk), "name": team.name},
            "count": count,
            "reusable": reusable,
        },
    )
    return [IssuedLink(team=team, url=link_url(token)) for token in tokens]
