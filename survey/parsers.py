"""The submission API's JSON parser: every bad body is a small 4xx in the API's error shape, never a 500.

DRF's JSONParser reads the whole body (up to Django's DATA_UPLOAD_MAX_MEMORY_SIZE, 2.5 MB, then an
HTML 400), accepts any text charset, and hands `json.load` whatever nesting it gets: 5,000 brackets
are a RecursionError, a 500. One person's answers fit in a few kilobytes, so this parser reads at
most `PULSE_SUBMIT_MAX_BYTES`, accepts UTF-8 only (RFC 8259) and at most `MAX_DEPTH` levels.
"""

import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, renderers
from rest_framework.parsers import BaseParser
from rest_framework.utils.json import strict_constant

# An answer set is {"answers": {"code": [1, 2]}}: three levels. The margin costs nothing.
MAX_DEPTH = 8
# Strict UTF-8 decoding already refused encoded surrogates: a lone one can only come from an escape.
SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "Request body too large."
    default_code = "too_large"


def body_too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(_("The request body is too large: at most %(kb)d kB.") % {"kb": limit // 1024})


def _too_deep(value: object) -> bool:
    """Whether containers nest deeper than MAX_DEPTH; iterative, so depth costs no stack."""
    level = [value]
    for _depth in range(MAX_DEPTH):
        level = [
            child
            for container in level
            if isinstance(container, dict | list)
            for child in (container.values() if isinstance(container, dict) else container)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


class BoundedJSONParser(BaseParser):
    """Not a JSONParser subclass on purpose: DRF reads `request.body` in full for those before
    the parser runs; this one gets the stream and reads at most one byte past the limit."""

    media_type = "application/json"
    renderer_class = renderers.JSONRenderer

    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        limit = settings.PULSE_SUBMIT_MAX_BYTES
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        if encoding.lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise exceptions.UnsupportedMediaType(media_type, detail=_("Send the body as JSON in UTF-8."))
        request = parser_context.get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise body_too_large(limit)  # refused before reading a byte of it
        raw = stream.read(limit + 1)
        if len(raw) > limit:
            raise body_too_large(limit)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise exceptions.ParseError(
                _("The body is not valid UTF-8 (byte %(position)d).") % {"position": error.start},
                code="invalid_encoding",
            ) from None
        try:
            data = json.loads(text, parse_constant=strict_constant)
        except RecursionError:
            raise exceptions.ParseError(self._too_deep_message(), code="too_deep") from None
        except ValueError as error:
            # The message gives a line and column only, never a piece of the body.
            raise exceptions.ParseError(_("Invalid JSON: %(error)s.") % {"error": error}, code="parse_error") from None
        if _too_deep(data):
            raise exceptions.ParseError(self._too_deep_message(), code="too_deep")
        try:
            # A lone surrogate ("\ud800") is valid JSON but no UTF-8 text: PostgreSQL and the
            # response renderer would both fail on it later, with a 500. Escaped pairs (an emoji
            # from a client that escapes everything) are fine; only then is the whole body checked.
            if SURROGATE_ESCAPE.search(text):
                json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise exceptions.ParseError(
                _("The body holds text that is not valid Unicode (a lone surrogate)."), code="invalid_encoding"
            ) from None
        return data

    @staticmethod
    def _too_deep_message() -> str:
        return _("The JSON nests more than %(depth)d levels deep.") % {"depth": MAX_DEPTH}
