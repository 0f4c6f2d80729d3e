"""The web servers' logs: nothing about respondents (PRODUCT.md rules 1, 2 and 7).

The welcome page promises that a respondent's IP address, browser and time are never stored. An
access line holds all three, so a respondent's requests must leave no line at all, while HR's
requests keep theirs, with any link secret redacted.
"""

import http.cookiejar
import io
import json
import logging
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client

from survey.services.submission import submission_submit

ROOT = Path(__file__).resolve().parents[2]
RESPONDENT_AGENT = "Mozilla/5.0 (Respondent-Phone-7c1e; Android 14)"
HR_AGENT = "Mozilla/5.0 (HR-Desktop-1b2d)"
# gunicorn's access time ([10/Oct/2025:13:55:36 +0000]) and Django's asctime (2025-10-10 13:55:36).
TIMESTAMP = re.compile(r"\[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def test_gunicorn_access_log_redacts_tokens(tmp_path, unused_port):
    secret = "s3cretTok3nValue-abcdefghijklmn"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "-c",
        "gunicorn.conf.py",
        "--workers",
        "1",
        "--bind",
        f"127.0.0.1:{unused_port}",
    ]
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    log = tmp_path / "access.log"
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            for _ in range(50):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{unused_port}/s/{secret}/?x=1", timeout=2)
                except urllib.error.HTTPError:
                    break  # any HTTP answer means the request was served and logged
                except OSError:
                    time.sleep(0.2)
            time.sleep(0.5)
        finally:
            server.terminate()
            server.wait(timeout=10)
    text = log.read_text()
    # The empty database makes the link a server error: that line stays (an error must be fixable),
    # with the secret redacted.
    assert "/s/[redacted]" in text, text
    assert secret not in text


def _server_command(kind: str, port: int) -> list[str]:
    if kind == "gunicorn":
        bind = ["--workers", "1", "--bind", f"127.0.0.1:{port}"]
        return [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "gunicorn.conf.py", *bind]
    return [sys.executable, "manage.py", "runserver", "--noreload", "--skip-checks", f"127.0.0.1:{port}"]


@contextmanager
def _server(kind: str, port: int, log: Path):
    """gunicorn as in production, or runserver as `make run`: embedded mode (tasks in-process),
    on the test database so that real links work."""
    database = connection.settings_dict
    env = {
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "PATH": "/usr/bin:/bin",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CONN_MAX_AGE": "0",
    }
    with log.open("w") as out:
        server = subprocess.Popen(_server_command(kind, port), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    urllib.request.urlopen(f"{base}/admin/login/", timeout=2)
                    break
                except OSError:
                    time.sleep(0.2)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=10)


def _fetch(opener, url: str, data: dict | bytes | None = None, **headers: str) -> tuple[int, str]:
    if isinstance(data, dict):
        data = urllib.parse.urlencode(data, doseq=True).encode()
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _answer_like_a_respondent(base: str, tokens: list[str]) -> list[int]:
    """A phone follows a link, switches language, answers; a kiosk uses the JSON API; one person
    opens a wrong link and a used one. Returns the statuses, to show that every request was served."""
    jar = http.cookiejar.CookieJar()
    phone = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    phone.addheaders = [("User-Agent", RESPONDENT_AGENT)]
    statuses = []
    statuses.append(_fetch(phone, f"{base}/s/{tokens[0]}/")[0])  # follows the redirect to /s/
    statuses.append(_fetch(phone, f"{base}/static/css/pulse.css")[0])
    statuses.append(_fetch(phone, f"{base}/favicon.ico")[0])
    status, page = _fetch(phone, f"{base}/s/questions/")
    statuses.append(status)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    switch = {"csrfmiddlewaretoken": csrf, "language": "fr", "next": "/s/questions/"}
    statuses.append(_fetch(phone, f"{base}/i18n/setlang/", switch)[0])
    statuses.append(_fetch(phone, f"{base}/s/questions/", {"csrfmiddlewaretoken": csrf, "enps_recommend": "42"})[0])
    statuses.append(_fetch(phone, f"{base}/s/questions/", {"csrfmiddlewaretoken": csrf, "enps_recommend": "7"})[0])
    statuses.append(_fetch(phone, f"{base}/s/privacy/")[0])
    statuses.append(_fetch(phone, f"{base}/s/{tokens[0]}/")[0])  # used
    statuses.append(_fetch(phone, f"{base}/s/not-a-link/")[0])

    kiosk = urllib.request.build_opener()
    kiosk.addheaders = [("User-Agent", RESPONDENT_AGENT)]
    submission = json.dumps({"token": tokens[1], "answers": {"enps_recommend": 9}}).encode()
    as_json = {"Content-Type": "application/json"}
    statuses.append(_fetch(kiosk, f"{base}/api/v1/submit/", submission, **as_json)[0])
    statuses.append(_fetch(kiosk, f"{base}/api/v1/submit/", submission, **as_json)[0])  # used: 409
    statuses.append(_fetch(kiosk, f"{base}/api/v1/submit/", b"{not json", **as_json)[0])
    return statuses


@pytest.mark.parametrize("kind", ["gunicorn", "runserver"])
def test_respondents_requests_leave_no_line_hr_requests_do(transactional_db, tokens, tmp_path, unused_port, kind):
    log = tmp_path / f"{kind}.log"
    with _server(kind, unused_port, log) as base:
        time.sleep(0.3)
        start = len(log.read_text())
        statuses = _answer_like_a_respondent(base, tokens)
        hr = urllib.request.build_opener()
        hr.addheaders = [("User-Agent", HR_AGENT)]
        assert _fetch(hr, f"{base}/admin/login/")[0] == 200
        time.sleep(0.5)
        during = log.read_text()[start:]
    text = log.read_text()

    assert statuses == [200, 200, 404, 200, 200, 400, 200, 200, 410, 404, 201, 409, 400], text
    lines = [line for line in during.splitlines() if line.strip()]
    respondent_lines = [line for line in lines if "/admin/login/" not in line]
    assert respondent_lines == [], "\n".join(respondent_lines)
    # The same kind of line, for HR, is still written: one line, with its time (and address).
    assert len(lines) == 1 and TIMESTAMP.search(lines[0]), text
    if kind == "gunicorn":
        assert "127.0.0.1" in lines[0] and HR_AGENT in lines[0]
    assert RESPONDENT_AGENT not in text
    for token in tokens:
        assert token not in text


def test_django_loggers_write_nothing_about_employee_paths(client, wave, tokens, answers):
    """django.request's 4xx warnings (and django.security's CSRF ones) and the dev server's access
    line, captured in-process as tests/survey/test_anonymity.py does."""
    submission_submit(token=tokens[1], answers=answers)
    stream = io.StringIO()
    handlers = {logging.getLogger(name).handlers[0] for name in ("django.server", "django.request")}
    previous = {handler: handler.setStream(stream) for handler in handlers}
    try:
        # The dev server's access line, as runserver's request handler writes it.
        server = logging.getLogger("django.server")
        server.info('"%s" %s %s', f"GET /s/{tokens[0]}/ HTTP/1.1", "302", "0")
        server.warning('"%s" %s %s', "GET /s/questions/?lang=fr HTTP/1.1", "404", "12")
        server.info('"%s" %s %s', "POST /api/v1/submit/ HTTP/1.1", "201", "40")
        assert client.get("/s/not-a-link/").status_code == 404
        assert client.get(f"/s/{tokens[1]}/").status_code == 410
        client.get(f"/s/{tokens[2]}/")
        assert client.post("/s/questions/", {"enps_recommend": "42"}).status_code == 400
        strict = Client(enforce_csrf_checks=True)
        assert strict.post("/s/questions/", {"enps_recommend": "7"}).status_code == 403
        api = {"content_type": "application/json"}
        assert client.post("/api/v1/submit/", {"token": tokens[1], "answers": {}}, **api).status_code == 409
        assert client.post("/api/v1/submit/", {"answers": {}}, **api).status_code == 400
        assert client.get("/favicon.ico").status_code == 404
        # HR's side keeps its lines.
        server.info('"%s" %s %s', "GET /admin/login/ HTTP/1.1", "200", "4158")
        assert client.get("/api/v1/waves/").status_code in (401, 403)
    finally:
        for handler, old_stream in previous.items():
            handler.setStream(old_stream)
    lines = stream.getvalue().splitlines()
    assert [line for line in lines if "/admin/" not in line and "/api/v1/waves/" not in line] == [], lines
    assert any("django.server" in line and "/admin/login/" in line for line in lines), lines
    assert any("django.request" in line and "/api/v1/waves/" in line for line in lines), lines


@pytest.mark.parametrize(
    ("path", "employee"),
    [
        ("/s/", True),
        ("/s/abc/", True),
        ("/s/questions/", True),
        ("/s", True),
        ("/api/v1/submit/", True),
        ("/i18n/setlang/", True),
        ("/static/css/pulse.css", True),
        ("/favicon.ico", True),
        ("/api/v1/submitted/", False),
        ("/api/v1/schema/", False),
        ("/admin/login/", False),
        ("/search/s/", False),
        ("/", False),
    ],
)
def test_one_definition_of_employee_path(path, employee):
    from config.logging import is_employee_path

    assert is_employee_path(path) is employee
