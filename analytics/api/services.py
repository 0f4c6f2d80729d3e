"""Writes behind the admin endpoints that survey.services does not already offer."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.text import slugify

from analytics.models import PublishedCell
from survey.models import Invitation, Organisation, Team, WaveTeam
from survey.services.audit import audit_record
from survey.services.teams import team_closure_rebuild


class TreeError(ValueError):
    """The payload does not describe a tree: `errors` maps a field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(str(errors))
        self.errors = errors


class TeamHasChildren(Exception):
    pass


class TeamHasSurveyData(Exception):
    """Deleting the team would cascade to its links and published figures."""


def tree_check_single_root(*, organisation: Organisation) -> None:
    """One root per organisation: it is "the organisation" that deltas are measured against."""
    roots = list(Team.objects.filter(organisation=organisation, parent__isnull=True).values_list("name", flat=True))
    if len(roots) > 1:
        raise TreeError(
            {
                "parent": [
                    f"The organisation would have {len(roots)} root teams ({', '.join(sorted(roots))}); "
                    "give every team but one a parent (set the root's external_id to reference it)."
                ]
            }
        )


@dataclass(frozen=True)
class SyncResult:
    created: int
    updated: int
    unchanged: int


def _free_slug(base: str, taken: set[str]) -> str:
    base = slugify(base)[:40] or "team"
    slug, suffix = base, 2
    while slug in taken:
        slug, suffix = f"{base}-{suffix}", suffix + 1
    taken.add(slug)
    return slug


def _check_tree(parents: dict[str, str | None]) -> None:
    for start in parents:
        seen, node = set(), start
        while node is not None:
            if node in seen:
                raise TreeError({"parent_external_id": [f"Cycle through external id {start!r}."]})
            seen.add(node)
            node = parents.get(node)


@transaction.atomic
def teams_sync(*, organisation: Organisation, items: list[dict]) -> SyncResult:
    """Creates or updates teams by external id so that the tree matches an HRIS export.

    Idempotent: a second call with the same payload changes nothing. Teams missing from the payload
    are left alone (deleting one would cascade to its published figures).
    """
    external_ids = [item["external_id"] for item in items]
    if len(set(external_ids)) != len(external_ids):
        raise TreeError({"external_id": ["Each external id may appear only once."]})
    teams = Team.objects.select_for_update().filter(organisation=organisation)
    by_external = {team.external_id: team for team in teams if team.external_id}
    known = set(external_ids) | set(by_external)
    for item in items:
        if item["parent_external_id"] and item["parent_external_id"] not in known:
            raise TreeError({"parent_external_id": [f"Unknown parent external id {item['parent_external_id']!r}."]})
    parents = {external: team.parent.external_id if team.parent else None for external, team in by_external.items()}
    parents.update({item["external_id"]: item["parent_external_id"] or None for item in items})
    _check_tree(parents)

    taken = set(teams.values_list("slug", flat=True))
    existing = {team.pk for team in by_external.values()}
    for item in items:  # first pass: every team exists, so parents can point at any of them
        if item["external_id"] not in by_external:
            by_external[item["external_id"]] = Team.objects.create(
                organisation=organisation,
                external_id=item["external_id"],
                slug=_free_slug(item["external_id"], taken),
                name=item["name"],
                headcount=item["headcount"],
            )
    updated = unchanged = 0
    for item in items:
        team = by_external[item["external_id"]]
        parent = by_external[item["parent_external_id"]] if item["parent_external_id"] else None
        wanted = {"name": item["name"], "headcount": item["headcount"], "parent_id": parent.pk if parent else None}
        changed = [field for field, value in wanted.items() if getattr(team, field) != value]
        if changed:
            for field in changed:
                setattr(team, field, wanted[field])
            team.save(update_fields=changed)
        if team.pk in existing:
            updated, unchanged = (updated + 1, unchanged) if changed else (updated, unchanged + 1)
    created = sum(1 for t in by_external.values() if t.pk not in existing)
    tree_check_single_root(organisation=organisation)  # raising rolls the whole sync back
    team_closure_rebuild(organisation=organisation)
    if created or updated:
        # One summary next to the per-team events (survey.signals), so that the audit trail shows
        # which changes came from one HRIS sync.
        detail = {"source": "sync", "created": created, "updated": updated, "unchanged": unchanged}
        audit_record(organisation=organisation, action="tree_changed", detail=detail)
    return SyncResult(created=created, updated=updated, unchanged=unchanged)


@transaction.atomic
def team_delete(*, team: Team) -> None:
    if team.children.exists():
        raise TeamHasChildren
    if (
        Invitation.objects.filter(team=team).exists()
        or PublishedCell.objects.filter(team=team).exists()
        or WaveTeam.objects.filter(team=team).exists()  # part of a wave's frozen tree
    ):
        raise TeamHasSurveyData
    team.delete()
    team_closure_rebuild(organisation=team.organisation)
