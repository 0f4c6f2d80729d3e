import csv

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from survey.models import Team, Wave
from survey.services.invitations import invitations_issue
from survey.spreadsheet import spreadsheet_cell


class Command(BaseCommand):
    help = "Prints N single-use survey links as CSV (team,url). The only time the secrets are shown."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", required=True, help="Wave id (UUID).")
        parser.add_argument("--team", required=True, help="Team slug.")
        parser.add_argument("--count", type=int, default=1)
        parser.add_argument("--open", action="store_true", help="One reusable team link (if the wave allows it).")

    def handle(self, *args, wave: str, team: str, count: int, open: bool, **options) -> None:
        try:
            wave_obj = Wave.objects.get(pk=wave)
        except (Wave.DoesNotExist, ValueError, ValidationError) as error:
            raise CommandError(f"No wave with id {wave!r}.") from error
        team_obj = Team.objects.filter(organisation=wave_obj.organisation, slug=team).first()
        if team_obj is None:
            raise CommandError(f"No team {team!r} in {wave_obj.organisation}.")
        try:
            links = invitations_issue(wave=wave_obj, team=team_obj, count=count, reusable=open)
        except ValueError as error:
            raise CommandError(str(error)) from error
        writer = csv.writer(self.stdout)
        writer.writerow(["team", "url"])
        for link in links:
            # HR opens this file in a spreadsheet or a mail-merge tool.
            writer.writerow([spreadsheet_cell(link.team.slug), spreadsheet_cell(link.url)])
