"""Comment analytics: scrubbing, language, sentiment and themes, offline.

The public surface is small on purpose: `scrub(text, lang)`, `detect_language(text)`,
`score(texts)`, `themes(texts)`. Collection (survey/) reaches `scrub` only through the
`PULSE_COMMENT_SCRUBBER` setting, so it never imports analytics.
"""

from analytics.comments.scrub import Scrubbed, scrub

__all__ = ["Scrubbed", "scrub"]
