"""After submissions whose comments held personal data, none of it exists anywhere (PRODUCT.md
rule 6): not in any table (pending ones included), not in any SQL statement sent, not in any log
record or output, not in any key or Celery message in the real Redis, before or after a real
worker has processed the submissions."""

import base64
import json
import logging
import time
from html import unescape

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.celery import app
from survey.models import Comment, PendingComment, PendingResponse
from survey.services.waves import wave_close
from tests.survey.conftest import form_fields

EMAIL, PHONE, NAME = "sophie.martin@example.com", "06 12 34 56 78", "Sophie Martin"
API_EMAIL, API_NAME = "karim.benali@example.org", "Karim Benali"
PII = [EMAIL, "sophie.martin", PHONE, "12 34 56 78", NAME, "Sophie", API_EMAIL, "karim.benali", API_NAME, "Benali"]
PAGE_COMMENT = f"J'en ai parlé à {NAME} hier, écrivez-moi à {EMAIL} ou au {PHONE}."
API_COMMENT = f"I told {API_NAME} last week; mail me at {API_EMAIL}."


def assert_clean(blobs: list[str], where: str) -> None:
    assert blobs, f"nothing was read from {where}"
    for blob in blobs:
        for piece in PII:
            assert piece.casefold() not in blob.casefold(), f"{piece!r} in {where}: {blob[:300]!r}"


class Records(logging.Handler):
    """Every record of every logger, unfiltered, at DEBUG: what any handler could have written."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(f"{record.name} {record.getMessage()} {record.__dict__!r}")

    def listen(self) -> None:
        """(Again) on the root and on every logger that does not propagate: a worker's logging
        setup may replace the root's handlers."""
        loggers = [logging.getLogger()] + [
            logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
        ]
        for logger in loggers:
            logger.setLevel(logging.DEBUG)
            if (logger is logging.root or not logger.propagate) and self not in logger.handlers:
                logger.addHandler(self)

    def forget(self, levels: dict[str, int], root_level: int) -> None:
        logging.root.removeHandler(self)
        logging.root.setLevel(root_level)
        for name, logger in logging.root.manager.loggerDict.items():
            if isinstance(logger, logging.Logger):
                logger.removeHandler(self)
                logger.setLevel(levels.get(name, logging.NOTSET))


READERS = {
    "string": lambda client, key: [client.get(key)],
    "list": lambda client, key: client.lrange(key, 0, -1),
    "hash": lambda client, key: client.hgetall(key).values(),
    "set": lambda client, key: client.smembers(key),
    "zset": lambda client, key: client.zrange(key, 0, -1),
}


def redis_contents(client: redis.Redis) -> tuple[list[str], list[str]]:
    """Every key's value in the Redis database (decoded), and the Celery message bodies in it."""
    values, bodies = [], []
    for key in client.keys("*"):
        raw = READERS[client.type(key).decode()](client, key)
        for item in raw:
            text = item.decode("utf-8", "replace")
            values.append(f"{key.decode()} {text}")
            try:
                message = json.loads(text)
            except ValueError:
                continue
            if isinstance(message, list):  # the unacked hash holds [message, exchange, routing key]
                message = message[0]
            if isinstance(message, dict) and "body" in message:
                body = message["body"]
                if message.get("properties", {}).get("body_encoding") == "base64":
                    body = base64.b64decode(body).decode("utf-8", "replace")
                bodies.append(f"{json.dumps(message.get('headers', {}))} {body}")
    return values, bodies


def database_rows() -> dict[str, list[str]]:
    """Every row of every table, all columns, as PostgreSQL prints it."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')
            rows[table] = [row[0] for row in cursor.fetchall()]
    return rows


@pytest.fixture
def real_redis(redis_app, settings):
    """The project's Celery app (tests/conftest.py) and cache on this run's Redis database, emptied."""
    url = settings.TEST_REDIS_URL
    client = redis.Redis.from_url(url)
    client.flushdb()
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}
    yield client
    client.flushdb()


def _answer_on_the_pages(client, token: str) -> str:
    french = {"HTTP_ACCEPT_LANGUAGE": "fr"}
    assert client.get(f"/s/{token}/", **french).status_code == 302
    answers = {"adoption_frequency": "6", "adoption_tasks": ["1"], "comment_ai_help": PAGE_COMMENT}
    confirmation = client.post("/s/questions/", answers, **french)
    assert confirmation.templates[0].name == "survey/confirm.html"
    receipt = client.post("/s/questions/", form_fields(confirmation, "confirm"), **french)
    assert receipt.templates[0].name == "survey/receipt.html"
    return unescape(confirmation.content.decode() + receipt.content.decode())


@pytest.mark.django_db(transaction=True)
def test_personal_data_in_comments_reaches_no_table_log_or_queue(real_redis, client, wave, tokens, capfd):
    records = Records()
    previous_levels = {
        name: logger.level
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    root_level = logging.root.level
    records.listen()
    try:
        with CaptureQueriesContext(connection) as queries:
            pages = _answer_on_the_pages(client, tokens[0])
            api = client.post(
                "/api/v1/submit/",
                {"token": tokens[1], "answers": {"comment_anything_else": API_COMMENT, "enps_recommend": 3}},
                content_type="application/json",
            )
            assert api.status_code == 201
            assert_clean([pages, api.content.decode()], "the pages and the API's answer")

            # Before any worker: the submissions wait in the pending tables, the task in Redis.
            pending = database_rows()
            assert len(pending["survey_pendingcomment"]) == 2
            assert any("[EMAIL]" in row for row in pending["survey_pendingcomment"])
            assert_clean([row for rows in pending.values() for row in rows], "the database (pending)")
            values, bodies = redis_contents(real_redis)
            assert any(str(wave.pk) in body and "aggregate_wave" in body for body in bodies), bodies
            assert_clean(values, "Redis keys")
            assert_clean(bodies, "Celery messages")

            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                records.listen()
                wave_close(wave=wave)  # moves the last pending batch whatever its size
                deadline = time.monotonic() + 120  # a shared, busy machine
                while time.monotonic() < deadline and (PendingResponse.objects.exists() or Comment.objects.count() < 2):
                    time.sleep(0.2)
                moved = (PendingResponse.objects.count(), Comment.objects.count())
                assert moved == (0, 2), f"the worker has not moved the batch: {moved} (pending, stored)"
                values_after, bodies_after = redis_contents(real_redis)
        stored = database_rows()
        assert len(stored["survey_comment"]) == 2 and not stored["survey_pendingcomment"]
        assert len(stored["analytics_commentscore"]) == 2, "comment analytics ran in the worker too"
        assert_clean([row for rows in stored.values() for row in rows], "the database (stored)")
        assert_clean(values + values_after, "Redis keys")
        assert_clean(bodies + bodies_after, "Celery messages")
        assert any("survey_pendingcomment" in query["sql"] for query in queries.captured_queries)
        assert_clean([query["sql"] for query in queries.captured_queries], "SQL sent to the database")
    finally:
        records.forget(previous_levels, root_level)
    assert any("survey_pendingcomment" in text for text in records.texts), "SQL logging was captured"
    assert_clean(records.texts, "log records")
    output = capfd.readouterr()
    assert_clean([output.out + output.err + "."], "the process's output")
    assert not PendingComment.objects.exists()
