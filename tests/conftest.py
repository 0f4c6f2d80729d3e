import shutil
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from celery.signals import task_postrun
from django.db import connection
from django.utils import timezone

from config.celery import app
from survey.models import Organisation, Survey, Team, Wave
from survey.services.instrument import instrument_load_builtin
from survey.services.invitations import invitations_issue
from survey.services.teams import team_closure_rebuild


@pytest.fixture(autouse=True)
def _real_services_only(settings):
    """The suite runs on PostgreSQL (make test sets DATABASE_URL); SQLite would hide real behaviour."""
    assert connection.vendor == "postgresql", "Run the tests with `make test` (PostgreSQL)."


@pytest.fixture(autouse=True, scope="session")
def _audit_trail_flushable():
    """Transactional tests end by truncating every table, and the audit table's trigger refuses
    TRUNCATE (as it should in production). The flush lifts it for its own transaction only."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if "survey_auditevent" not in tables:
            return statements
        trigger = "survey_auditevent ENABLE TRIGGER survey_auditevent_no_truncate"
        return [f"ALTER TABLE {trigger.replace('ENABLE', 'DISABLE')}", *statements, f"ALTER TABLE {trigger}"]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "sql_flush", sql_flush)
        yield


@pytest.fixture(autouse=True)
def _celery_in_process():
    """Tasks run in-process unless a test starts a real worker (which changes this for itself)."""
    from config.celery import app

    app.conf.update(task_always_eager=True)


@pytest.fixture
def survey(db) -> Survey:
    # Idempotent: transactional tests flush the rows the data migration loaded.
    return instrument_load_builtin()


def make_tree(slug: str, spec: dict[str, dict[str, int]]) -> tuple[Organisation, dict[str, Team]]:
    """spec: {department: {team: headcount}} under one root team named after the organisation."""
    organisation = Organisation.objects.create(slug=slug, name=slug.title())
    root = Team.objects.create(organisation=organisation, slug="all", name=organisation.name, headcount=0)
    teams = {"all": root}
    for department_slug, children in spec.items():
        department = Team.objects.create(
            organisation=organisation, parent=root, slug=department_slug, name=department_slug
        )
        teams[department_slug] = department
        for team_slug, headcount in children.items():
            teams[team_slug] = Team.objects.create(
                organisation=organisation, parent=department, slug=team_slug, name=team_slug, headcount=headcount
            )
    team_closure_rebuild(organisation=organisation)
    return organisation, teams


@pytest.fixture
def org_tree(db):
    return make_tree("acme", {"dept": {"team-a": 10, "team-b": 10, "team-c": 5}, "other": {"team-d": 20}})


@pytest.fixture
def organisation(org_tree) -> Organisation:
    return org_tree[0]


@pytest.fixture
def teams(org_tree) -> dict[str, Team]:
    return org_tree[1]


@pytest.fixture
def wave(organisation, survey) -> Wave:
    return Wave.objects.create(organisation=organisation, survey=survey, name="Autumn", status=Wave.Status.OPEN)


def token_of(link) -> str:
    return link.url.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def tokens(wave, teams) -> list[str]:
    return [token_of(link) for link in invitations_issue(wave=wave, team=teams["team-a"], count=5)]


@pytest.fixture
def answers() -> dict[str, object]:
    return {
        "adoption_frequency": 6,
        "adoption_tasks": [0, 2, 4],
        "fatigue_drained_end_of_day": 4,
        "enps_recommend": 9,
        "comment_ai_help": "Clear rules, please. Mail me at jane.doe@example.com",
    }


@pytest.fixture
def unused_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def close_and_fold(wave) -> None:
    """Closes the wave the way the service does and aggregates: closing moves the last pending
    batch whatever its size (while open, batches wait for the mixing minimum)."""
    from analytics.services.aggregation import wave_aggregate

    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    wave_aggregate(wave_id=wave.pk)


def publish(wave: Wave, per_team: dict, answers: dict) -> Wave:
    """Real submissions, then close the wave (which moves the last pending batch), then a full aggregation."""
    from analytics.services.aggregation import wave_aggregate
    from survey.services.waves import wave_close
    from tests.analytics.helpers import respond

    for team, count in per_team.items():
        respond(wave, team, [answers] * count)
    wave = wave_close(wave=wave)
    wave_aggregate(wave_id=wave.pk, full=True)
    wave.refresh_from_db()
    return wave


@pytest.fixture
def published_wave(wave, teams, answers) -> Wave:
    # team-c (2 answers) is below k=5 and team-d's 7th answer comes alone after the last mixing batch:
    # those 3 wait for k more people (release rule, closing included), so 18 of 21 answers are published.
    wave.opens_at = timezone.now() - timedelta(days=10)
    wave.save(update_fields=["opens_at"])
    return publish(wave, {teams["team-a"]: 6, teams["team-b"]: 6, teams["team-c"]: 2, teams["team-d"]: 7}, answers)


# --- Real browser: Debian's chromium driven by Playwright (never a browser download) -----------
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"


@pytest.fixture
def browser(monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the test
    # itself are still synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        # The test's ORM calls ran in Playwright's context, which got its own connection.
        connection.close()
        browser.close()


def axe_violations(page) -> list[dict]:
    """WCAG 2.1 A and AA violations that axe-core (npm, node_modules/) finds on the page."""
    # Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
    # govern: a <script> tag added to the page (add_script_tag) would be an inline script it refuses.
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [node["target"] for node in v["nodes"]][:5]}
        for v in result["violations"]
    ]


# Content-Security-Policy violations in a browser context, as the page sees them (the
# securitypolicyviolation event, reported through an exposed function) and as Chromium logs them
# ("... violates the following Content Security Policy directive ...").
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.pulseCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "?"} at ${event.sourceFile || "?"}:${event.lineNumber}`
  );
}, true);
"""


class CspWatch:
    """Collects every CSP violation of every page of `context` (attach before the first page opens)."""

    def __init__(self, context) -> None:
        self.violations: list[str] = []
        context.expose_function("pulseCspViolation", lambda text: self.violations.append(text))
        context.add_init_script(CSP_LISTENER)
        context.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.violations.append(f"console {message.type}: {message.text}")

    def assert_none(self, page, where: str) -> None:
        # A violation's event reaches us through a binding call: one round trip to the page after
        # it lets any call already queued arrive first.
        page.evaluate("() => new Promise((resolve) => requestAnimationFrame(() => resolve()))")
        assert self.violations == [], f"{where}: {self.violations}"


# --- A real Celery worker's app on the test Redis -----------------------------------------
@pytest.fixture
def redis_app(settings):
    """The project's Celery app on the test Redis; tests/conftest.py puts it back in-process after."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.PULSE_AGGREGATE_DEBOUNCE_SECONDS = 0
    settings.PULSE_AGGREGATE_MIN_INTERVAL_SECONDS = 0
    url = settings.TEST_REDIS_URL
    app.conf.update(broker_url=url, broker_read_url=url, broker_write_url=url, task_always_eager=False)
    # Drop connection pools made for the in-process broker earlier in the session (as Celery does
    # after a fork), so that producer and worker both talk to Redis.
    app._after_fork()
    task_postrun.connect(_close_worker_connection)
    yield app
    task_postrun.disconnect(_close_worker_connection)
    app.conf.update(broker_url="memory://", broker_read_url=None, broker_write_url=None)
    app._after_fork()


WORKER_THREADS: list[str] = []


def _close_worker_connection(**kwargs) -> None:
    WORKER_THREADS.append(threading.current_thread().name)
    # The embedded worker's thread has its own connection: close it so the test DB can be dropped.
    connection.close()
