"""Selectors: the organisations a user belongs to, and with which role (survey.models.Membership).

Superusers are operators, not members: callers decide what they may do (the admin lets them do
everything but edit frozen scoring or the audit trail).
"""

from collections.abc import Iterable

from django.db.models import QuerySet

from survey.models import Membership, Organisation, Team


def user_memberships(*, user) -> QuerySet[Membership]:
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organisation", "team")


def user_organisations(*, user, roles: Iterable[str] | None = None) -> QuerySet[Organisation]:
    """The organisations where the user holds one of `roles` (any role when None)."""
    memberships = user_memberships(user=user)
    if roles is not None:
        memberships = memberships.filter(role__in=list(roles))
    return Organisation.objects.filter(pk__in=memberships.values("organisation_id"))


def user_role(*, user, organisation: Organisation) -> str | None:
    return user_memberships(user=user).filter(organisation=organisation).values_list("role", flat=True).first()


def membership_teams(*, membership: Membership) -> QuerySet[Team]:
    """The teams a membership covers: a manager's subtree, the whole tree for the other roles."""
    teams = Team.objects.filter(organisation_id=membership.organisation_id)
    if membership.role == Membership.Role.MANAGER:
        teams = teams.filter(ancestor_links__ancestor_id=membership.team_id)
    return teams
