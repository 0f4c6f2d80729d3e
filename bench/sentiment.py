"""Comment sentiment, side by side (issue 9), on the held-out split that training never sees.

    .venv/bin/python bench/sentiment.py

Prints macro-F1 per language for the shipped model, VADER (English) and textblob-fr (French),
and comments/second for each, batch scoring on one core (the process is pinned to one CPU and
BLAS to one thread). Also the seeded-theme model's macro-F1 and language detection's accuracy.
Targets: our macro-F1 >= 0.85 per language and above both baselines; >= 5,000 comments/s.
Needs no database.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
os.environ.setdefault("LOG_LEVEL", "WARNING")

REPEAT = 10  # the held-out split is small: score it this many times for a stable rate


def timed(function, texts: list[str]) -> tuple[list[str], float]:
    """Predictions for `texts` and comments per second over REPEAT passes."""
    predictions = function(texts)
    started = time.perf_counter()
    for _ in range(REPEAT):
        function(texts)
    return predictions, REPEAT * len(texts) / (time.perf_counter() - started)


def main() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import django

    django.setup()
    from sklearn.metrics import f1_score
    from textblob_fr import PatternAnalyzer
    from threadpoolctl import threadpool_limits
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    from analytics.comments import detect_language, score, themes
    from analytics.comments.corpus import corpus_digest, load_corpus, split
    from analytics.comments.model import _model

    threadpool_limits(1)
    meta = _model()["meta"]
    if meta["corpus_sha256"] != corpus_digest():
        print("warning: the shipped model was trained on another corpus: run manage.py train_sentiment\n")
    training, held_out = split(load_corpus())
    vader, french = SentimentIntensityAnalyzer(), PatternAnalyzer()

    def vader_labels(texts):
        compounds = (vader.polarity_scores(text)["compound"] for text in texts)
        return ["positive" if c >= 0.05 else "negative" if c <= -0.05 else "neutral" for c in compounds]

    def textblob_labels(texts):
        polarities = (french.analyze(text)[0] for text in texts)
        return ["positive" if p > 0 else "negative" if p < 0 else "neutral" for p in polarities]

    rows = []
    for lang, baseline_name, baseline in (("en", "VADER", vader_labels), ("fr", "textblob-fr", textblob_labels)):
        examples = [example for example in held_out if example.lang == lang]
        texts, truth = [e.text for e in examples], [e.sentiment for e in examples]
        for name, function in (
            ("Pulse (language given)", lambda texts, lang=lang: score(texts, [lang] * len(texts))),
            ("Pulse (language detected)", score),
            (baseline_name, baseline),
        ):
            predictions, rate = timed(function, texts)
            rows.append((lang, name, len(texts), f1_score(truth, predictions, average="macro"), rate))
        predictions, rate = timed(lambda texts, lang=lang: themes(texts, [lang] * len(texts)), texts)
        theme_f1 = f1_score([e.theme for e in examples], predictions, average="macro")
        rows.append((lang, "Pulse themes (8 classes)", len(texts), theme_f1, rate))

    print(f"model {meta['version']}: {len(training)} training comments, {len(held_out)} held out\n")
    print("| language | scorer | held-out n | macro-F1 | comments/s (1 core) |\n|---|---|---|---|---|")
    for lang, name, n, f1, rate in rows:
        print(f"| {lang} | {name} | {n} | {f1:.3f} | {rate:,.0f} |")

    detected, rate = timed(lambda texts: [detect_language(text) for text in texts], [e.text for e in held_out])
    right = sum(guess == example.lang for guess, example in zip(detected, held_out, strict=True))
    short = [(guess, e) for guess, e in zip(detected, held_out, strict=True) if len(e.text.split()) <= 3]
    short_right = sum(guess == e.lang for guess, e in short)
    print(f"\nlanguage detection: {right}/{len(held_out)} = {right / len(held_out):.1%} right "
          f"({short_right}/{len(short)} on comments of three words or fewer), {rate:,.0f} comments/s")  # fmt: skip


if __name__ == "__main__":
    main()
