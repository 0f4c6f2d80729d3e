"""Issuing survey links. The secrets are returned once and never stored."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from survey.models import Invitation, Team, Wave
from survey.services.audit import audit_record
from survey.services.tokens import token_hash, token_new


@dataclass(frozen=True)
class IssuedLink:
    team: Team
    url: str


def link_url(token: str) -> str:
    return settings.PULSE_PUBLIC_URL.rstrip("/") + reverse("survey:start", args=[token])


@transaction.atomic
def invitations_issue(*, wave: Wave, team: Team, count: int, reusable: bool = False) -> list[IssuedLink]:
    if team.organisation_id != wave.organisation_id:
        raise ValueError("The team belongs to another organisation than the wave.")
    if count < 1 or count > 100_000:
        raise ValueError("count must be between 1 and 100000.")
    if reusable and not wave.allow_open_links:
        raise ValueError("This wave does not allow open team links.")
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
