"""Writes on memberships (who is HR admin, manager or staff representative where)."""

from django.contrib.auth import get_user_model
from django.db import transaction

from survey.models import Membership, Organisation, Team

# Roles that use the Django admin: HR edits there, the staff representative reads the audit trail.
ADMIN_ROLES = {Membership.Role.HR_ADMIN, Membership.Role.STAFF_REP}


@transaction.atomic
def membership_add(
    *, organisation: Organisation, username: str, role: str, team: Team | None = None, password: str | None = None
) -> Membership:
    """Gives `username` (created if new) a role in `organisation`; one role per organisation.

    Recorded in the audit trail as member_added by survey.signals, whatever the path.
    """
    user, created = get_user_model().objects.get_or_create(username=username)
    if role in ADMIN_ROLES:
        user.is_staff = True
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    user.save()
    membership = Membership(user=user, organisation=organisation, role=role, team=team)
    membership.full_clean()
    membership.save()
    return membership
