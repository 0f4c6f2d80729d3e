"""Writes on the team tree."""

from django.db import transaction

from survey.models import Organisation, Team, TeamClosure


def closure_pairs(parents: dict) -> list[tuple]:
    """(ancestor, descendant, depth) for every team and each of its ancestors, itself at depth 0."""
    pairs = []
    for team_id in parents:
        ancestor, depth, seen = team_id, 0, set()
        while ancestor is not None and ancestor not in seen:
            seen.add(ancestor)
            pairs.append((ancestor, team_id, depth))
            ancestor, depth = parents.get(ancestor), depth + 1
    return pairs


@transaction.atomic
def team_closure_rebuild(*, organisation: Organisation) -> int:
    """Recomputes the (ancestor, descendant) pairs of one organisation's tree."""
    parents = dict(Team.objects.filter(organisation=organisation).values_list("id", "parent_id"))
    pairs = [
        TeamClosure(ancestor_id=ancestor, descendant_id=team, depth=depth)
        for ancestor, team, depth in closure_pairs(parents)
    ]
    TeamClosure.objects.filter(descendant__organisation=organisation).delete()
    TeamClosure.objects.bulk_create(pairs)
    return len(pairs)
