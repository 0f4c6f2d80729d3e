"""French or English, per comment: py3langid's naive Bayes model (shipped in the package,
offline), restricted to the two languages Pulse asks in."""

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGES = ("fr", "en")
# Below this probability the text says too little ("ok", "RAS", a product name): trust the hint.
CONFIDENT = 0.6


@cache
def _identifier() -> LanguageIdentifier:
    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


def detect_language(text: str, hint: str | None = None) -> str:
    """ "fr" or "en". `hint` (the language the person answered in) decides when the text is too
    short to tell; without one, English."""
    language, probability = _identifier().classify(text)
    if probability >= CONFIDENT or hint not in LANGUAGES:
        return language
    return hint
