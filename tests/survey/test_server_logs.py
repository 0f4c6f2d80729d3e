"""The production web server's access log never shows a link's secret."""

import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


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
    assert "/s/[redacted]" in text, text
    assert secret not in text
