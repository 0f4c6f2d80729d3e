"""The one door from collection to the scrubber (PRODUCT.md rule 6).

Scrubbing belongs to comment analytics (analytics.comments); collection must not import
analytics, so the scrubber is named by the `PULSE_COMMENT_SCRUBBER` setting and loaded once.
"""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _scrubber():
    return import_string(settings.PULSE_COMMENT_SCRUBBER)


def scrub(text: str, lang: str | None = None):
    """The scrubber's result for `text`: `.text` is what gets stored, `.parts` marks what was removed."""
    return _scrubber()(text, lang)
