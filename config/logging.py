"""Keeps respondents out of the logs: no line for their requests, no link secret in any line.

One definition of "employee path" serves gunicorn's access log (gunicorn.conf.py) and Django's
loggers (LOGGING in config/settings/base.py), so the two cannot drift apart.
"""

import logging
import re
from collections.abc import Mapping
from urllib.parse import unquote, urlsplit

# Survey links look like /s/<token>/...; any path segment after /s/ is a secret.
TOKEN_IN_PATH = re.compile(r"(/s/)(?!(?:questions|privacy)/)[^/\s?\"']+")

# What a respondent's browser asks for: the survey pages and the JSON submission, plus what those
# pages load or post to (the stylesheet, the favicon, the language switch). An access line for any
# of them holds the respondent's IP address, browser and time, which the welcome page promises are
# never stored (PRODUCT.md rules 1 and 7).
EMPLOYEE_PATH = re.compile(r"^/(?:s|api/v1/submit|i18n|static)(?:/|$)|^/favicon\.ico$")


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(r"\1[redacted]", text)


def is_employee_path(path: str) -> bool:
    return bool(EMPLOYEE_PATH.match(path))


def _request_path(record: logging.LogRecord) -> str | None:
    """The path of the request a record is about, for each request logger we have, else None."""
    request = getattr(record, "request", None)
    if hasattr(request, "path"):  # django.request, django.security.*: an HttpRequest
        return request.path
    if isinstance(record.args, Mapping) and "U" in record.args:  # gunicorn.access: its atoms; U is PATH_INFO
        return str(record.args["U"])
    if record.name == "django.server" and record.args:  # runserver: '"GET /path?query HTTP/1.1" 200 123'
        parts = str(record.args[0]).split()
        if len(parts) >= 2:
            # Decoded as Django decodes it before routing: /%73/<token>/ is a survey link too.
            return unquote(urlsplit(parts[1]).path)
    return None


class SkipEmployeeRequestsFilter(logging.Filter):
    """Drops every record about an employee path, except server errors, which must stay visible
    to be fixed (the gunicorn access line of a 500 is still dropped: it is INFO).

    Must run before RedactTokensFilter, which removes the request the path is read from.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        path = _request_path(record)
        return path is None or not is_employee_path(path) or record.levelno >= logging.ERROR


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
