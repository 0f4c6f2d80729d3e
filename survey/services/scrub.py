"""Removes personal data from free text before it is stored (PRODUCT.md rule 6)."""

import re

PATTERNS = [
    (re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+"), "[e-mail]"),
    (re.compile(r"(https?://|www\.)\S+", re.IGNORECASE), "[link]"),
    (re.compile(r"(?<!\w)(\+|00)?\d[\d .\-()]{7,}\d(?!\w)"), "[phone]"),
    (re.compile(r"(?<!\w)@\w{2,}"), "[handle]"),
    (
        re.compile(
            r"\b(my name is|i am called|i'm called|je m'appelle|je m’appelle|mon nom est|moi c'est)"
            r"\s+[\w'’-]+(\s+[A-ZÀ-Ý][\w'’-]+)?",
            re.IGNORECASE,
        ),
        r"\1 [name]",
    ),
    # Capitalised first name + last name pairs in the middle of a sentence ("ask Marie Dupont").
    (re.compile(r"(?<=[a-zà-ÿ,;:] )[A-ZÀ-Ý][a-zà-ÿ'’-]+ [A-ZÀ-Ý][A-Za-zÀ-ÿ'’-]+"), "[name]"),
]


def scrub(text: str) -> str:
    for pattern, replacement in PATTERNS:
        text = pattern.sub(replacement, text)
    return text.strip()
