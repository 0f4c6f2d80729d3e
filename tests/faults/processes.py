"""Processes of the test's own: started in their own process group, their output in a log file,
stopped as a deploy stops them or killed as a dying machine kills them."""

import contextlib
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROXY = Path(__file__).with_name("tcp_proxy.py")
WEB_PORTS = range(8700, 8800)
REDIS_PORTS = range(6390, 6400)


def free_port(ports: range) -> int:
    for port in ports:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {ports}.")


def _die_with_pytest() -> None:
    # If pytest itself is killed, its processes go too (Linux): an orphan would keep the test
    # database open and its drop would fail.
    import ctypes

    ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


@dataclass
class Process:
    """One process of the test's own, in its own process group, its output in `log`."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, timeout: float = 60) -> "Process":
        with self.log.open("a") as out:
            out.write(f"--- start {' '.join(self.command)}\n")
            out.flush()
            self.popen = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_pytest,
            )
        if self.port is not None:
            self.wait_until(self._listening, timeout, "listening on its port")
        return self

    def _listening(self) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def wait_until(self, condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not condition():
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited ({self.popen.returncode}):\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not {what} after {timeout} s:\n{self.output()[-3000:]}")
            time.sleep(0.05)

    @property
    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self, timeout: float = 20) -> None:
        """The graceful stop a deploy does (SIGTERM to the main process: gunicorn and Celery finish
        what they are doing), then SIGKILL for anything left in the group."""
        if self.popen is None:
            return
        self.popen.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(timeout=timeout)
        self.kill()

    def kill(self) -> None:
        """SIGKILL to the whole group at once, as when a machine or container dies."""
        if self.popen is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)
        self.popen = None

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""
