from django.core.management.base import BaseCommand

from analytics.comments.model import MODEL_PATH, train


class Command(BaseCommand):
    help = (
        "Trains the comment sentiment and theme models on the shipped corpus (analytics/comments/data/corpus/), "
        "evaluates them on the held-out split and saves them with their version and report."
    )

    def handle(self, *args, **options) -> None:
        meta = train()
        self.stdout.write(f"model {meta['version']}: {meta['training']} training, {meta['held_out']} held out")
        for task, report in meta["report"].items():
            for lang, figures in report.items():
                self.stdout.write(f"  {task:<9} {lang:<3} n={figures['n']:<4} macro-F1 {figures['macro_f1']:.3f}")
        self.stdout.write(f"saved {MODEL_PATH.relative_to(MODEL_PATH.parents[3])} and its report")
        self.stdout.write("Run `manage.py aggregate --rescore-comments` to score stored comments again.")
