"""The processes the fault tests start, break and stop themselves: a Redis, a TCP proxy in front of
the test database (killing it is PostgreSQL going away), gunicorn with the production settings, and
Celery workers. Never the machine's shared Redis, and never a stop of its PostgreSQL: only the
pytest-django test database on it is used, through the proxy.

The web server lives for the whole package (its workers warm up for ~10 s); every test starts
with Redis flushed and the proxy up, and starts and kills its own workers.
"""

import itertools
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import redis
from django.db import connection

from tests.faults.clients import request
from tests.faults.processes import PROXY, REDIS_PORTS, ROOT, WEB_PORTS, Process, free_port

WEB_WORKERS = 2

# --- Package-wide processes --------------------------------------------------------------------


@pytest.fixture(scope="package")
def fault_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("faults")


@pytest.fixture(scope="package")
def redis_server(fault_dir):
    port = free_port(REDIS_PORTS)
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    server = Process(
        "redis", [*command, "--dir", str(fault_dir)], {"PATH": os.environ["PATH"]}, fault_dir / "redis.log", port
    )
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="package")
def db_proxy(fault_dir, django_db_setup):
    """The web server's way to the test database: kill it and PostgreSQL is gone for gunicorn."""
    port = free_port(WEB_PORTS)
    database = connection.settings_dict
    command = [sys.executable, str(PROXY), str(port), f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"]
    proxy = Process("db-proxy", command, {"PATH": os.environ["PATH"]}, fault_dir / "db-proxy.log", port)
    proxy.start()
    yield proxy
    proxy.stop()


def database_url(port: int | str) -> str:
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{database['HOST'] or '127.0.0.1'}:{port}/{database['NAME']}"


@pytest.fixture(scope="package")
def production_env(fault_dir, redis_server, django_db_setup) -> dict[str, str]:
    """The production settings, on the test database and the test's own Redis (the Procfile's
    processes, as a deploy runs them)."""
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(fault_dir),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "SECRET_KEY": secrets.token_urlsafe(40),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url(connection.settings_dict["PORT"] or 5432),
        "REDIS_URL": f"redis://127.0.0.1:{redis_server.port}/0",
        # One address sends everything here; the per-address limit is not under test.
        "SUBMIT_THROTTLE_RATE": "1000000/minute",
        "STATIC_ROOT": str(fault_dir / "static"),
    }
    # The production storage needs collected files and their manifest to render any page.
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(collect, cwd=ROOT, env=env, check=True)
    return env


@pytest.fixture(scope="package")
def web(production_env, db_proxy, fault_dir):
    """gunicorn as the Procfile runs it (gunicorn.conf.py), reaching the database through the proxy."""
    port = free_port(WEB_PORTS)
    env = {
        **production_env,
        "DATABASE_URL": database_url(db_proxy.port),
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(WEB_WORKERS),
    }
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "-c", "gunicorn.conf.py"]
    server = Process("gunicorn", command, env, fault_dir / "gunicorn.log", port)
    server.start()
    # Each worker warms the scrubber before its first request: wait until all of them answer.
    server.wait_until(lambda: server.output().count("Booting worker") >= WEB_WORKERS, 120, "booting its workers")
    for _ in range(WEB_WORKERS * 2):
        assert request(port, "GET", "/s/privacy/", timeout=180).status == 200
    yield server
    server.stop()


# --- Per test ------------------------------------------------------------------------------------


@pytest.fixture
def faults(transactional_db, web, redis_server, db_proxy, production_env, fault_dir):
    """Everything up and empty at the start of a test, whatever the previous one broke; workers
    started through `faults.worker()` are killed at the end, before the database is flushed."""
    if not redis_server.running:
        redis_server.start()
    if not db_proxy.running:
        db_proxy.start()
    rig = Rig(web=web, redis=redis_server, db_proxy=db_proxy, env=production_env, dir=fault_dir)
    rig.flush_redis()
    yield rig
    for worker in rig.workers:
        worker.stop()
    # gunicorn's connections stay open, idle; the flush that follows does not need them closed.


_worker_numbers = itertools.count(1)


@dataclass
class Rig:
    web: Process
    redis: Process
    db_proxy: Process
    env: dict[str, str]
    dir: Path
    workers: list[Process] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.web.port

    def flush_redis(self) -> None:
        """Empties the test's own Redis: queued tasks, cache, throttle counts."""
        redis.Redis(port=self.redis.port).flushall()

    def worker(self, *, beat: bool = False, **env: str) -> Process:
        """A Celery worker as the Procfile runs it (one pool process, to spare the CPU), ready to
        consume when this returns; with `beat`, the periodic sweep too."""
        name = f"worker{next(_worker_numbers)}"
        command = [sys.executable, "-m", "celery", "-A", "config", "worker", "--loglevel=INFO"]
        command += ["--concurrency=1", f"--hostname={name}@faults", "--without-mingle", "--without-gossip"]
        if beat:
            command += ["--beat", f"--schedule={self.dir / f'{name}-beat'}"]
        process = Process(name, command, {**self.env, **env}, self.dir / f"{name}.log")
        self.workers.append(process)
        process.start()
        process.wait_until(lambda: " ready." in process.output(), 90, "ready")
        return process


def database_dsn() -> str:
    """The test database, for a psycopg connection of the test's own (a transaction that holds a lock)."""
    database = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname=database["NAME"],
        user=database["USER"],
        password=database["PASSWORD"] or None,
        host=database["HOST"] or "127.0.0.1",
        port=database["PORT"] or 5432,
    )


WAITING_ON = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND %s = ANY(pg_blocking_pids(pid))"


def waiting_on(blocker: psycopg.Connection) -> list[int]:
    """The server processes waiting for a lock that `blocker` holds (asked on the test's own
    connection: inside the blocker's transaction, the activity view would not change)."""
    with connection.cursor() as cursor:
        cursor.execute(WAITING_ON, [blocker.info.backend_pid])
        return [pid for (pid,) in cursor.fetchall()]


def wait_for(condition, timeout: float, what: str, interval: float = 0.1) -> float:
    """Seconds until `condition()` held; fails with `what` after `timeout`."""
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{what}: not after {timeout} s")
        time.sleep(interval)
    return time.monotonic() - started
