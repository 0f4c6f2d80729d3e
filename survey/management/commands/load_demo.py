import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandParser

from analytics.services.aggregation import wave_aggregate
from survey.demo import demo_load
from survey.models import Team
from survey.services.invitations import invitations_issue


class Command(BaseCommand):
    help = "Loads a demo organisation with two waves and synthetic responses (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--responses", type=int, default=2000, help="Synthetic responses over both waves.")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, responses: int, seed: int, **options) -> None:
        if responses < 0:
            self.stderr.write("--responses must be zero or more.")
            raise SystemExit(2)
        result = demo_load(responses=responses, seed=seed)
        for wave in (result.closed_wave, result.open_wave):
            wave_aggregate(wave_id=wave.pk, full=True)
        password = os.environ.get("PULSE_DEMO_PASSWORD", "pulse-demo")
        user, _ = get_user_model().objects.get_or_create(username="hr", defaults={"email": ""})
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        team = Team.objects.get(organisation=result.organisation, slug="engineering-platform")
        link = invitations_issue(wave=result.open_wave, team=team, count=1)[0]
        self.stdout.write(
            f"Demo organisation '{result.organisation.name}': {result.responses} responses in 2 waves.\n"
            f"HR admin:     http://127.0.0.1:8000/admin/  (user: hr, password: {password})\n"
            f"Survey link:  {link.url}  (single use, team {team.name})\n"
            f"API docs:     http://127.0.0.1:8000/api/v1/docs/"
        )
