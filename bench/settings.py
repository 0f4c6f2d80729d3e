"""Production settings plus the submission floor's bare views (bench/floor.py), for bench/submit.py only."""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.floor"
