"""gunicorn settings: the access log goes through the same filters as Django's (config/logging.py):
no line for a respondent's request, link secrets redacted in the others."""

import gc
import multiprocessing
import os

bind = os.environ.get("BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
accesslog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "skip_employee_requests": {"()": "config.logging.SkipEmployeeRequestsFilter"},
        "redact_tokens": {"()": "config.logging.RedactTokensFilter"},
    },
    "handlers": {
        "access": {
            "class": "logging.StreamHandler",
            "filters": ["skip_employee_requests", "redact_tokens"],
            "stream": "ext://sys.stdout",
        },
        "console": {"class": "logging.StreamHandler", "filters": ["redact_tokens"], "stream": "ext://sys.stderr"},
        "error": {"class": "logging.StreamHandler", "filters": ["redact_tokens"], "stream": "ext://sys.stderr"},
    },
    "root": {"level": "INFO", "handlers": ["error"]},
    "loggers": {
        "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
        "gunicorn.error": {"handlers": ["error"], "level": "INFO", "propagate": False},
        # One INFO line per recognizer per worker at start-up says nothing an operator needs.
        "presidio-analyzer": {"level": "WARNING"},
    },
}


def post_worker_init(worker) -> None:
    # The comment scrubber's models and word lists (a few seconds), before the first request.
    from analytics.comments.scrub import warm

    warm()
    # What the first submission would otherwise import (about 1.2 s, a p99 spike per worker): the
    # task that answers_arrived schedules, and the aggregation, comment model and NumPy behind it.
    import analytics.tasks  # noqa: F401

    # Move everything loaded at start-up out of the garbage collector's sight: otherwise full
    # collections over Django's import graph add ~100 ms pauses every few requests.
    gc.collect()
    gc.freeze()
