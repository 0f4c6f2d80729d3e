import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from survey.models import Membership, Organisation, Team
from survey.services.audit import audit_actor
from survey.services.members import membership_add


class Command(BaseCommand):
    help = (
        "Gives a user (created if new) a role in an organisation. HR admins and staff representatives "
        "become staff users so they can sign in to the admin."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="Organisation slug.")
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=Membership.Role.values)
        parser.add_argument("--team", help="Team slug: the root of a manager's subtree.")
        parser.add_argument(
            "--password-from-env",
            metavar="VAR",
            help="Name of an environment variable holding the password (never on the command line, "
            "where other users and the shell history can read it).",
        )

    def handle(self, *args, org: str, username: str, role: str, team: str | None, password_from_env, **options):
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug {org!r}.")
        team_obj = None
        if team:
            team_obj = Team.objects.filter(organisation=organisation, slug=team).first()
            if team_obj is None:
                raise CommandError(f"No team {team!r} in {organisation.slug}.")
        password = None
        if password_from_env:
            password = os.environ.get(password_from_env)
            if not password:
                raise CommandError(f"The environment variable {password_from_env} is empty or not set.")
        try:
            with audit_actor("command:create_member"):
                membership = membership_add(
                    organisation=organisation, username=username, role=role, team=team_obj, password=password
                )
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from error
        self.stdout.write(f"{membership.user.get_username()} is now {membership.get_role_display()} of {organisation}.")
