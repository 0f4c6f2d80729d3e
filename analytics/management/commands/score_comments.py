import csv
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser

from analytics.comments import detect_language, score, scrub, themes

ADDED = ("lang", "sentiment", "theme", "scrubbed")


class Command(BaseCommand):
    help = (
        "Scores comments from a TSV file with a `text` column (optional `lang`: fr or en) and writes the same rows "
        "to stdout with lang, sentiment, theme and scrubbed columns added. Needs no database content and no network."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="TSV file (UTF-8, header line), or - for standard input.")

    def handle(self, *args, file: str, **options) -> None:
        try:
            handle = sys.stdin if file == "-" else open(file, encoding="utf-8", newline="")  # noqa: SIM115
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.") from error
        with handle:
            try:
                reader = csv.DictReader(handle, delimiter="\t")
                rows = list(reader)
            except (UnicodeDecodeError, csv.Error) as error:
                raise CommandError(f"{file} is not a UTF-8 TSV file: {error}.") from error
        columns = reader.fieldnames or []
        if "text" not in columns:
            raise CommandError(f"{file} has no `text` column (columns: {', '.join(columns) or 'none'}).")
        texts = [row["text"] or "" for row in rows]
        langs = []
        for line, (row, text) in enumerate(zip(rows, texts, strict=True), start=2):
            given = (row.get("lang") or "").strip().lower()
            if given and given not in ("fr", "en"):
                raise CommandError(f"line {line}: lang must be fr or en, not {given!r}.")
            langs.append(given or detect_language(text))
        # Scored as stored: the models see what production stores, placeholders instead of names.
        scrubbed = [scrub(text, lang).text for text, lang in zip(texts, langs, strict=True)]
        writer = csv.DictWriter(self.stdout, fieldnames=[*columns, *(c for c in ADDED if c not in columns)],
                                delimiter="\t", lineterminator="\n", extrasaction="ignore")  # fmt: skip
        writer.writeheader()
        for row, lang, sentiment, theme, stored in zip(
            rows, langs, score(scrubbed, langs), themes(scrubbed, langs), scrubbed, strict=True
        ):
            writer.writerow({**row, "lang": lang, "sentiment": sentiment, "theme": theme, "scrubbed": stored})
