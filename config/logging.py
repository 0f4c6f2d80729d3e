"""Keeps invitation secrets out of every log line."""

import logging
import re

# Survey links look like /s/<token>/...; any path segment after /s/ is a secret.
TOKEN_IN_PATH = re.compile(r"(/s/)(?!(?:questions|thanks|privacy)/)[^/\s?\"']+")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1[redacted]", text)


class RedactTokensFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(str(record.msg))
        if isinstance(record.args, dict):
            record.args = {key: redact(v) if isinstance(v, str) else v for key, v in record.args.items()}
        elif record.args:
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        # django.request attaches the request; its repr includes the path.
        if hasattr(record, "request"):
            record.request = None
        return True
