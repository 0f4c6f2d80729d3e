from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.models import OrganisationAPIKey
from survey.services.audit import audit_actor


class Command(BaseCommand):
    help = "Revokes an API key by its prefix (the part before the dot). Takes effect on the next request."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--prefix", required=True, help="Key prefix, as printed by create_api_key.")

    def handle(self, *args, prefix: str, **options) -> None:
        # Revoked rather than deleted: the row stays so that a leaked key can be traced to its owner.
        api_key = OrganisationAPIKey.objects.filter(prefix=prefix).first()
        if api_key is None:
            raise CommandError(f"No API key with prefix {prefix!r}.")
        # save(), not update(): the audit trail records the revocation from the save signal.
        api_key.revoked = True
        with audit_actor("command:revoke_api_key"):
            api_key.save(update_fields=["revoked"])
        self.stdout.write(f"Revoked API key {prefix!r}.")
