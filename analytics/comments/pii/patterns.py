"""Presidio recognisers for the personal data that has a shape: e-mail, URL, handle, phone, IBAN,
card, French social security number (NIR).

Presidio's own recognisers are used where they check something (IBAN and card checksums, phone
numbers through phonenumbers); the others are Presidio pattern recognisers with our expressions
and validators. Nothing here touches the network: Presidio's e-mail recogniser asks tldextract,
which by default downloads the public-suffix list, so it is given an extractor that only reads
the snapshot tldextract ships.
"""

import functools
import re

import tldextract
from presidio_analyzer import EntityRecognizer, Pattern, PatternRecognizer
from presidio_analyzer.predefined_recognizers import (
    CreditCardRecognizer,
    EmailRecognizer,
    IbanRecognizer,
    PhoneRecognizer,
)

from analytics.comments.pii.lexicon import word_set

# Presidio entity -> our placeholder kind.
KINDS = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "URL": "URL",
    "HANDLE": "HANDLE",
    "IBAN_CODE": "IBAN",
    "CREDIT_CARD": "CARD",
    "FR_NIR": "NIR",
    "PERSON": "NAME",
}

PLACEHOLDER = r"\[(?:NAME|EMAIL|PHONE|URL|HANDLE|IBAN|CARD|NIR)\]"


@functools.cache
def offline_tld_extractor() -> tldextract.TLDExtract:
    # No URL to fetch and no cache to write: the public-suffix snapshot bundled with tldextract.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True)


class OfflineEmailRecognizer(EmailRecognizer):
    """Presidio's e-mail pattern; a known public suffix raises the score, an internal domain
    (name@corp.intra) is still an address."""

    PATTERNS = [
        *EmailRecognizer.PATTERNS,
        # Addresses written out to dodge filters: "karim.b [at] acme [dot] fr".
        Pattern(
            "Email (spelled out)",
            r"\b[\w.+-]+\s*(?:\[at\]|\(at\)|\{at\}|\sarobase\s)\s*[\w-]+(?:\s*(?:\.|\[dot\]|\(dot\)|\{dot\}|\spoint\s)\s*[\w-]+)+\b",
            0.6,
        ),
    ]

    def __init__(self, supported_language: str):
        super().__init__(patterns=self.PATTERNS, supported_language=supported_language)

    def validate_result(self, pattern_text: str) -> bool | None:
        return True if offline_tld_extractor()(pattern_text).suffix else None


# Public product sites named in ordinary comments ("j'utilise chatgpt.com"): not personal data
# when they come bare, without a path.
PUBLIC_SITES = word_set(
    """
chatgpt.com chat.openai.com openai.com claude.ai anthropic.com mistral.ai chat.mistral.ai
gemini.google.com google.com perplexity.ai deepl.com notion.so notion.com copilot.microsoft.com
microsoft.com github.com gitlab.com linkedin.com youtube.com wikipedia.org huggingface.co
"""
)

_TLDS = (
    "com|fr|org|net|io|ai|eu|co|uk|de|be|ch|ca|us|info|biz|app|dev|ly|gl|me|tv|cloud|online|site"
    "|tech|so|xyz|page|link|es|it|nl|lu|ma|tn|sn|re|pro|gouv\\.fr|co\\.uk"
)
_URL_TAIL = r"(?:[/?#][^\s<>\"'\[\]]*[^\s<>\"'\[\].,;:!?)])?"


class UrlRecognizer(PatternRecognizer):
    """Links with a scheme or www., and bare domains of usual top-level domains (file names
    such as app.py or notes.md are not links)."""

    PATTERNS = [
        Pattern("scheme", r"(?i)\b(?:https?|ftp)://[^\s<>\"'\[\]]*[^\s<>\"'\[\].,;:!?)]", 0.9),
        Pattern("www", r"(?i)\bwww\d{0,3}\.[^\s<>\"'\[\]]*[^\s<>\"'\[\].,;:!?)]", 0.9),
        # Any domain followed by a path: "forms.gle/AbC", "notion.site/x".
        Pattern("domain with path", r"(?i)(?<![@\w.-])(?:[a-z0-9-]+\.)+[a-z]{2,}/[^\s<>\"'\[\]]*[\w/=#-]", 0.7),
        Pattern(
            "bare domain",
            r"(?i)(?<![@\w.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:" + _TLDS + r")(?![\w-])" + _URL_TAIL,
            0.6,
        ),
    ]

    def __init__(self, supported_language: str):
        super().__init__(supported_entity="URL", patterns=self.PATTERNS, supported_language=supported_language)

    def invalidate_result(self, pattern_text: str) -> bool:
        return pattern_text.lower().removeprefix("www.") in PUBLIC_SITES


# Slack / Teams mentions; the broadcast ones name nobody.
_BROADCAST = frozenset({"@here", "@channel", "@everyone", "@all", "@team", "@equipe", "@équipe"})


class HandleRecognizer(PatternRecognizer):
    PATTERNS = [Pattern("mention", r"(?<![\w@.+-])@[^\W\d_][\w]*(?:[.\-'][\w]+)*", 0.8)]

    def __init__(self, supported_language: str):
        super().__init__(supported_entity="HANDLE", patterns=self.PATTERNS, supported_language=supported_language)

    def invalidate_result(self, pattern_text: str) -> bool:
        return pattern_text.lower() in _BROADCAST


class FrenchPhoneRecognizer(PatternRecognizer):
    """French numbers in every usual writing, valid range or not (phonenumbers, below, rejects
    made-up ranges a person may still type), and internal extensions ("poste 4521")."""

    PATTERNS = [
        Pattern(
            "fr national or +33",
            r"(?<![\w+])(?:(?:\+|00)\s?33\s?(?:\(0\)\s?)?[1-9]|0[1-9])(?:[\s.\-]?\d{2}){4}(?![\w])",
            0.7,
        ),
        Pattern("international", r"(?<![\w+])(?:\+|00)[1-9]\d{0,2}(?:[\s.\-]?(?:\(\d{1,4}\)|\d{1,4})){2,6}(?!\w)", 0.5),
        Pattern("extension", r"(?i)(?<=\b(?:poste|ext\.?|extension|ligne directe)\s?(?:n°\s?)?)\d{3,5}(?!\w)", 0.6),
    ]

    def __init__(self, supported_language: str):
        super().__init__(supported_entity="PHONE_NUMBER", patterns=self.PATTERNS, supported_language=supported_language)

    def invalidate_result(self, pattern_text: str) -> bool:
        # "+1 000 000" style amounts and "N+1" are no phone numbers: an international number
        # has at least 8 digits.
        digits = sum(c.isdigit() for c in pattern_text)
        return pattern_text.startswith(("+", "00")) and digits < 8


def nir_is_valid(text: str) -> bool:
    """Structure of the French social security number, and its key (97 - number mod 97) when the
    two key digits are there. Corsica's departments 2A / 2B count as 19 / 18."""
    compact = "".join(c for c in text.upper() if c.isalnum())
    if len(compact) not in (13, 15) or compact[0] not in "12378":
        return False
    month = int(compact[3:5])
    if not (1 <= month <= 12 or 20 <= month <= 42 or 50 <= month <= 99):
        return False
    body = compact[:13].replace("2A", "19").replace("2B", "18")
    if not body.isdigit():
        return False
    if len(compact) == 13:
        return True
    return compact[13:].isdigit() and 97 - int(body) % 97 == int(compact[13:])


class NirRecognizer(PatternRecognizer):
    PATTERNS = [
        Pattern(
            "nir",
            r"(?<![\w])[12378][\s.\-]?\d{2}[\s.\-]?\d{2}[\s.\-]?(?:\d{2}|2[AB])[\s.\-]?\d{3}[\s.\-]?\d{3}(?:[\s.\-]?\d{2})?(?![\w])",
            0.6,
        )
    ]
    CONTEXT = ["sécu", "sécurité", "sociale", "nir", "insee", "social", "security", "ss"]

    def __init__(self, supported_language: str):
        super().__init__(
            supported_entity="FR_NIR",
            patterns=self.PATTERNS,
            context=self.CONTEXT,
            supported_language=supported_language,
        )

    def validate_result(self, pattern_text: str) -> bool:
        return nir_is_valid(pattern_text)


_YEAR_FIRST = re.compile(r"^(?:19|20)\d\d[-/.]")


class LibphonenumberRecognizer(PhoneRecognizer):
    """Presidio's phone recogniser (phonenumbers, every region's formats and ranges), without the
    reference numbers it takes for phones: "2024-004512", "RH-2023-0456"."""

    def analyze(self, text, entities, nlp_artifacts=None):
        results = super().analyze(text, entities, nlp_artifacts)
        return [r for r in results if not self._reference(text, r.start, r.end)]

    @staticmethod
    def _reference(text: str, start: int, end: int) -> bool:
        glued_before = start >= 2 and text[start - 1] in "-/#" and text[start - 2].isalnum()
        glued_after = end + 1 < len(text) and text[end] in "-/" and text[end + 1].isalnum()
        return bool(_YEAR_FIRST.match(text[start:end])) or glued_before or glued_after


_ASCII_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")


class AnyCaseIbanRecognizer(IbanRecognizer):
    """Presidio's IBAN recogniser (country formats and the mod-97 check) also for an IBAN typed in
    lower case; upper-casing ASCII letters keeps every offset in place."""

    def analyze(self, text, entities, nlp_artifacts=None, regex_flags=None):
        return super().analyze(text.translate(_ASCII_UPPER), entities, nlp_artifacts, regex_flags)


def pattern_recognizers(language: str) -> list[EntityRecognizer]:
    return [
        OfflineEmailRecognizer(language),
        UrlRecognizer(language),
        HandleRecognizer(language),
        FrenchPhoneRecognizer(language),
        LibphonenumberRecognizer(
            supported_language=language,
            supported_regions=("FR", "GB", "US", "BE", "CH", "DE", "ES", "IT", "CA", "MA"),
            leniency=1,
        ),
        AnyCaseIbanRecognizer(supported_language=language),
        CreditCardRecognizer(supported_language=language),
        NirRecognizer(language),
    ]
