"""Sentiment (negative / neutral / positive) and seeded themes, two scikit-learn pipelines trained
offline on the shipped corpus (`manage.py train_sentiment`) and saved in one artefact with its
version and evaluation report. Loaded once per process."""

import json
import re
import unicodedata
from datetime import date
from functools import cache
from pathlib import Path

import joblib
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report, f1_score
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import FunctionTransformer

from analytics.comments.corpus import Example, corpus_digest, load_corpus, split
from analytics.comments.language import detect_language

MODEL_PATH = Path(__file__).parent / "data" / "model.joblib"
REPORT_PATH = Path(__file__).parent / "data" / "model.json"

# Words that turn the meaning of what follows, up to the next punctuation: "not helpful" and
# "pas utile" must not read like "helpful" and "utile".
NEGATIONS = {
    "not", "no", "never", "nothing", "nobody", "none", "nor", "cannot", "without", "hardly", "isn't", "aren't",
    "wasn't", "don't", "doesn't", "didn't", "won't", "can't", "couldn't", "shouldn't", "haven't", "hasn't",
    "ne", "n", "pas", "jamais", "plus", "aucun", "aucune", "rien", "personne", "sans", "ni", "guere",
}  # fmt: skip
TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[!?.,;:]")
CLAUSE_END = set("!?.,;:")
WORDS = r"\S+"  # normalise() already split the text into tokens


def normalise(text: str) -> str:
    """Lower case, no accents (people type "fatigue" and "fatigué", "a" and "à"), negated words marked."""
    text = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    text = "".join(char for char in text if not unicodedata.combining(char))
    words, negated = [], False
    for token in TOKEN.findall(text):
        if token in CLAUSE_END:
            negated = False
            words.append(token)
            continue
        words.append(f"neg_{token}" if negated else token)
        if token in NEGATIONS or token.endswith("n't"):
            negated = True
    return " ".join(words)


def normalise_all(texts: list[str]) -> list[str]:
    return [normalise(text) for text in texts]


def _pipeline(class_weight: str | None) -> Pipeline:
    # Texts are normalised once, then read as words (and pairs) and as character n-grams.
    words = TfidfVectorizer(lowercase=False, token_pattern=WORDS, ngram_range=(1, 2), sublinear_tf=True)
    chars = TfidfVectorizer(lowercase=False, analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)
    return Pipeline(
        [
            ("normalise", FunctionTransformer(normalise_all)),
            ("features", FeatureUnion([("words", words), ("chars", chars)])),
            ("classifier", LogisticRegression(C=8, max_iter=3000, class_weight=class_weight)),
        ]
    )


def _tagged(examples: list[Example]) -> list[str]:
    # The language as a token of its own: the same word can lean differently in each language.
    return [f"{example.text} __{example.lang}__" for example in examples]


def evaluate(predicted: list[str], examples: list[Example], field: str) -> dict:
    """Macro-F1 per language and overall, with the per-class report."""
    report = {}
    for lang in ("en", "fr", None):
        pairs = [(p, getattr(e, field)) for p, e in zip(predicted, examples, strict=True) if lang in (None, e.lang)]
        if not pairs:
            continue
        guesses, truth = zip(*pairs, strict=True)
        report[lang or "all"] = {
            "n": len(pairs),
            "macro_f1": round(f1_score(truth, guesses, average="macro"), 4),
            "classes": classification_report(truth, guesses, output_dict=True, zero_division=0),
        }
    return report


def train() -> dict:
    """Fits both pipelines on the training split and evaluates them on the held-out split. The
    shipped model is the one evaluated, not a refit on everything, so its report is its own."""
    training, held_out = split(load_corpus())
    models, report = {}, {}
    for field in ("sentiment", "theme"):
        model = _pipeline("balanced")
        model.fit(_tagged(training), [getattr(example, field) for example in training])
        models[field] = model
        report[field] = evaluate(list(model.predict(_tagged(held_out))), held_out, field)
    version = f"{date.today():%Y%m%d}-{corpus_digest()[:8]}"
    meta = {
        "version": version,
        "sklearn": sklearn.__version__,
        "corpus_sha256": corpus_digest(),
        "training": len(training),
        "held_out": len(held_out),
        "report": report,
    }
    joblib.dump({"meta": meta, **models}, MODEL_PATH, compress=3)
    REPORT_PATH.write_text(json.dumps(meta, indent=1, sort_keys=True) + "\n")
    _model.cache_clear()
    return meta


@cache
def _model() -> dict:
    return joblib.load(MODEL_PATH)


def model_version() -> str:
    return _model()["meta"]["version"]


def _inputs(texts: list[str], langs: list[str] | None) -> list[str]:
    langs = langs or [detect_language(text) for text in texts]
    return [f"{text} __{lang}__" for text, lang in zip(texts, langs, strict=True)]


def score(texts: list[str], langs: list[str] | None = None) -> list[str]:
    """The sentiment of each text: "negative", "neutral" or "positive"."""
    return _model()["sentiment"].predict(_inputs(texts, langs)).tolist() if texts else []


def themes(texts: list[str], langs: list[str] | None = None) -> list[str]:
    """The seeded theme of each text (analytics.comments.corpus.THEMES)."""
    return _model()["theme"].predict(_inputs(texts, langs)).tolist() if texts else []
