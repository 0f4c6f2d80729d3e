"""Comment analytics: scrubbing, language, sentiment and themes, offline.

The public surface is small on purpose: `scrub(text, lang)`, `detect_language(text)`,
`score(texts)`, `themes(texts)` and `discover(texts, lang)` for the topics of a wave. Collection
(survey/) reaches `scrub` only through the `PULSE_COMMENT_SCRUBBER` setting, so it never imports
analytics.
"""

from analytics.comments.language import detect_language
from analytics.comments.model import model_version, score, themes
from analytics.comments.scrub import Scrubbed, scrub
from analytics.comments.topics import discover

__all__ = ["Scrubbed", "detect_language", "discover", "model_version", "score", "scrub", "themes"]
