"""The one door from collection to the scrubber (PRODUCT.md rule 6).

Scrubbing belongs to comment analytics (analytics.comments); collection must not import
analytics, so the scrubber is named by the `PULSE_COMMENT_SCRUBBER` setting and loaded once.
"""

from functools import cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


class ScrubResult(Protocol):
    """What the scrubber returns: `parts` are (segment, kind) pairs in order, kind None for the
    person's own words and e.g. "NAME" for a placeholder such as "[NAME]"; `text` joins them."""

    parts: tuple[tuple[str, str | None], ...]

    @property
    def text(self) -> str: ...

    @property
    def changed(self) -> bool: ...

    @property
    def kinds(self) -> set[str]: ...


# What the employee reads next to each placeholder on the confirmation page; a kind the scrubber
# adds later reads as the generic label until it gets its own words here.
REMOVED_LABELS = {
    "NAME": _("name removed"),
    "EMAIL": _("e-mail address removed"),
    "PHONE": _("phone number removed"),
    "URL": _("web address removed"),
    "HANDLE": _("username removed"),
    "IBAN": _("bank account number removed"),
    "CARD": _("card number removed"),
    "NIR": _("social security number removed"),
    "SSN": _("social security number removed"),
}
REMOVED_OTHER = _("personal detail removed")


def removed_label(kind: str) -> str:
    return str(REMOVED_LABELS.get(kind, REMOVED_OTHER))


@cache
def _scrubber():
    return import_string(settings.PULSE_COMMENT_SCRUBBER)


def scrub(text: str, lang: str | None = None) -> ScrubResult:
    """The scrubber's result for `text`: `.text` is what gets stored, `.parts` marks what was removed."""
    return _scrubber()(text, lang)
