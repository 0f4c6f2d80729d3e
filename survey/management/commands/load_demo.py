import os
from io import StringIO

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from survey.demo import DemoTooLarge, demo_load
from survey.models import Membership, Team
from survey.services.invitations import invitations_issue
from survey.services.members import membership_add

# The demo's two sign-ins: the HR admin sees and manages everything, the manager reads Engineering.
DEMO_USERS = (("hr", Membership.Role.HR_ADMIN, None), ("manager", Membership.Role.MANAGER, "engineering"))


class Command(BaseCommand):
    help = "Loads a demo organisation with two waves and synthetic responses (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--responses",
            type=int,
            default=2000,
            help=(
                "Synthetic responses over both waves (default 2000). The demo organisation keeps its "
                "realistic size (about 1,400 employees, one answer each per wave: at most 2,500 "
                "responses with the default seed); more is refused with the maximum, never silently cut."
            ),
        )
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, responses: int, seed: int, **options) -> None:
        if responses < 0:
            self.stderr.write("--responses must be zero or more.")
            raise SystemExit(2)
        try:
            result = demo_load(responses=responses, seed=seed)
        except DemoTooLarge as error:
            raise CommandError(str(error)) from None
        organisation = result.organisation
        for wave in (result.closed_wave, result.open_wave):
            # By name: survey never imports analytics (the `aggregate` command is analytics').
            call_command("aggregate", wave=str(wave.pk), full=True, stdout=StringIO())
        password = os.environ.get("PULSE_DEMO_PASSWORD", "pulse-demo")
        for username, role, team_slug in DEMO_USERS:
            membership = Membership.objects.filter(organisation=organisation, user__username=username).first()
            team = Team.objects.get(organisation=organisation, slug=team_slug) if team_slug else None
            if membership is None:
                membership = membership_add(
                    organisation=organisation, username=username, role=role, team=team, password=password
                )
            user = membership.user
            user.is_superuser = False  # a member, scoped to the demo organisation (older demos made hr a superuser)
            user.set_password(password)
            user.save()
        team = Team.objects.get(organisation=organisation, slug="engineering-platform")
        link = invitations_issue(wave=result.open_wave, team=team, count=1)[0]
        self.stdout.write(
            f"Demo organisation '{organisation.name}' (slug {organisation.slug}): "
            f"{result.responses} responses in 2 waves.\n"
            f"HR dashboard: http://127.0.0.1:8000/  (sign in below)\n"
            f"  HR admin:   user hr, password {password}  (everything in {organisation.name})\n"
            f"  Manager:    user manager, password {password}  (Engineering only, read-only)\n"
            f"Survey link:  {link.url}  (single use, team {team.name})\n"
            f"API docs:     http://127.0.0.1:8000/api/v1/docs/"
        )
