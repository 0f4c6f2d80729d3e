import gc
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.services.aggregation import wave_aggregate
from survey.models import Wave


class Command(BaseCommand):
    help = "Aggregates waves synchronously (the same code the Celery workers run)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--wave", help="Wave id; by default every open or closed wave.")
        parser.add_argument("--full", action="store_true", help="Recount everything instead of new answers only.")
        parser.add_argument(
            "--rescore-comments",
            action="store_true",
            help="Score every comment again with the current model (after train_sentiment), then recount.",
        )

    def handle(self, *args, wave: str | None, full: bool, rescore_comments: bool, **options) -> None:
        gc.freeze()  # as a worker does at start (config.celery): collections skip the start-up heap
        waves = Wave.objects.exclude(status=Wave.Status.DRAFT)
        if wave:
            try:
                waves = list(waves.filter(pk=wave))
            except Exception as error:  # noqa: BLE001 - a malformed UUID raises ValidationError
                raise CommandError(f"No wave with id {wave!r}.") from error
            if not waves:
                raise CommandError(f"No open or closed wave with id {wave!r}.")
        for each in waves:
            started = time.perf_counter()
            result = wave_aggregate(wave_id=each.pk, full=full, rescore=rescore_comments)
            self.stdout.write(
                f"{each.name}: folded {result.folded} new responses, "
                f"{'published' if result.published else 'nothing new to publish'} "
                f"in {time.perf_counter() - started:.2f}s"
            )
