from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.models import OrganisationAPIKey
from survey.models import Organisation
from survey.services.audit import audit_actor


class Command(BaseCommand):
    help = "Creates an API key for one organisation and prints it. The only time the key is shown."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="Organisation slug.")
        parser.add_argument("--name", required=True, help="What the key is for, e.g. 'Power BI refresh'.")
        parser.add_argument("--scope", choices=OrganisationAPIKey.Scope.values, default=OrganisationAPIKey.Scope.READ)

    def handle(self, *args, org: str, name: str, scope: str, **options) -> None:
        organisation = Organisation.objects.filter(slug=org).first()
        if organisation is None:
            raise CommandError(f"No organisation with slug {org!r}.")
        with audit_actor("command:create_api_key"):
            api_key, key = OrganisationAPIKey.objects.create_key(name=name, organisation=organisation, scope=scope)
        self.stderr.write(
            f"Created {scope} key {api_key.prefix!r} for {organisation.slug}; it will not be shown again:"
        )
        self.stdout.write(key)
