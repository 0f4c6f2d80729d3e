from django.core.management.base import BaseCommand, CommandError, CommandParser

from survey.models import Organisation
from survey.services.audit import audit_head, audit_verify


class Command(BaseCommand):
    help = (
        "Checks each organisation's audit chain and prints its newest hash. Keep that hash somewhere "
        "HR cannot write: only it reveals that the newest events were removed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", help="Organisation slug; by default every organisation.")

    def handle(self, *args, org: str | None, **options) -> None:
        organisations = Organisation.objects.order_by("slug")
        if org:
            organisations = organisations.filter(slug=org)
            if not organisations.exists():
                raise CommandError(f"No organisation with slug {org!r}.")
        broken = 0
        for organisation in organisations:
            problems = audit_verify(organisation)
            head = audit_head(organisation)
            if problems:
                broken += 1
                for problem in problems:
                    self.stdout.write(f"{organisation.slug}: {problem}")
            elif head is None:
                self.stdout.write(f"{organisation.slug}: no events")
            else:
                self.stdout.write(f"{organisation.slug}: {head.seq} events intact, newest hash {head.hash}")
        if broken:
            raise CommandError(f"The audit trail of {broken} organisation(s) was altered.")
