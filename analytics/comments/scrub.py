"""Removes personal data from free text before it is stored (PRODUCT.md rule 6).

Placeholder implementation with the former regular expressions; issue 9 replaces it.
"""

import re
from dataclasses import dataclass

PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "EMAIL"),
    (re.compile(r"(https?://|www\.)\S+", re.IGNORECASE), "URL"),
    (re.compile(r"(?<!\w)(\+|00)?\d[\d .\-()]{7,}\d(?!\w)"), "PHONE"),
    (re.compile(r"(?<!\w)@\w{2,}"), "HANDLE"),
    (
        re.compile(
            r"(?:(?<=my name is )|(?<=i'm called )|(?<=je m'appelle )|(?<=mon nom est ))[\w'’-]+(\s+[A-ZÀ-Ý][\w'’-]+)?",
            re.IGNORECASE,
        ),
        "NAME",
    ),
    (re.compile(r"(?<=[a-zà-ÿ,;:] )[A-ZÀ-Ý][a-zà-ÿ'’-]+ [A-ZÀ-Ý][A-Za-zÀ-ÿ'’-]+"), "NAME"),
]


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


def scrub(text: str, lang: str | None = None) -> Scrubbed:
    """`text` with every piece of personal data replaced by a typed placeholder ([NAME], [EMAIL], ...).
    Idempotent: scrubbing a scrubbed text changes nothing."""
    spans: list[tuple[int, int, str]] = []
    for pattern, kind in PATTERNS:
        for match in pattern.finditer(text):
            if not any(start < match.end() and match.start() < end for start, end, _ in spans):
                spans.append((match.start(), match.end(), kind))
    parts: list[tuple[str, str | None]] = []
    cursor = 0
    for start, end, kind in sorted(spans):
        if start > cursor:
            parts.append((text[cursor:start], None))
        parts.append((placeholder(kind), kind))
        cursor = end
    if cursor < len(text):
        parts.append((text[cursor:], None))
    return Scrubbed(parts=tuple(parts))
