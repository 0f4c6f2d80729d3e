from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.models import OrganisationAPIKey


class Command(BaseCommand):
    help = "Revokes an API key by its prefix (the part before the dot). Takes effect on the next request."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--prefix", required=True, help="Key prefix, as printed by create_api_key.")

    def handle(self, *args, prefix: str, **options) -> None:
        # Revoked rather than deleted: the row stays so that a leaked key can be traced to its owner.
        updated = OrganisationAPIKey.objects.filter(prefix=prefix).update(revoked=True)
        if not updated:
            raise CommandError(f"No API key with prefix {prefix!r}.")
        self.stdout.write(f"Revoked API key {prefix!r}.")
