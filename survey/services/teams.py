"""Writes on the team tree."""

from django.db import transaction

from survey.models import Organisation, Team, TeamClosure


@transaction.atomic
def team_closure_rebuild(*, organisation: Organisation) -> int:
    """Recomputes the (ancestor, descendant) pairs of one organisation's tree."""
    parents = dict(Team.objects.filter(organisation=organisation).values_list("id", "parent_id"))
    pairs = []
    for team_id in parents:
        ancestor, depth, seen = team_id, 0, set()
        while ancestor is not None and ancestor not in seen:
            seen.add(ancestor)
            pairs.append(TeamClosure(ancestor_id=ancestor, descendant_id=team_id, depth=depth))
            ancestor, depth = parents.get(ancestor), depth + 1
    TeamClosure.objects.filter(descendant__organisation=organisation).delete()
    TeamClosure.objects.bulk_create(pairs)
    return len(pairs)
