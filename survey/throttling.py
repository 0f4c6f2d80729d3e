"""Throttling what abuse of the survey links looks like, never a company answering.

Ten thousand employees behind one corporate proxy arrive from one address: a limit on every
request per address would turn them away. So nothing is counted for a valid single-use link (it
answers once, so it limits itself), and two things are counted per client address:

- **failures**: submissions refused as unknown, used, expired or closed links, invalid answers or
  malformed bodies. Past the limit, a refused request is answered 429 instead, with Retry-After;
  a request carrying a link that can still answer is never refused for it (its invalid answers
  still get their 400), so a few typos or a scanner behind the company's proxy lock nobody out.
- **answers through one open link** (a reusable team link, which cannot stop duplicates): past
  the limit, 429 before a seat is taken. The frozen headcount caps them anyway; this slows a flood.

Links carry 192 random bits (survey/services/tokens.py): guessing one is hopeless at any rate, so
the failure limit is there to make scanning and broken clients visible and cheap, not to slow a
guesser, and letting a valid link through past it costs nothing.

The client address is derived honestly (`client_address`): X-Forwarded-For is trusted only for
`PULSE_TRUSTED_PROXIES` hops, so a forged header never buys a fresh limit. The address is never
stored: the cache key is an HMAC of it under SECRET_KEY, in a counter that expires one window
after its window ends, and nothing here logs. Counters live in Django's cache (Redis in
production, shared by every process; the process's memory in tests and the embedded mode).
"""

import hashlib
import hmac
import ipaddress
import math
import time

from django.conf import settings
from django.core.cache import caches

from survey.models import Invitation
from survey.outage import REDIS_UNREACHABLE, redis_outage
from survey.services.errors import Throttled

PERIODS = {"s": 1, "m": 60, "h": 3600}


def _rate(scope: str) -> tuple[int, int]:
    """("100/minute") -> (100, 60): DRF's rate notation, the first letter of the period counts."""
    count, period = settings.PULSE_THROTTLE_RATES[scope].split("/")
    return int(count), PERIODS[period.strip()[0]]


def client_address(request) -> str:
    """The address of the client, as far as it can be known.

    REMOTE_ADDR is the peer of this process. Behind `PULSE_TRUSTED_PROXIES` = n proxies, each of
    which appends the address it saw to X-Forwarded-For, the client is the n-th entry from the
    right: entries further left were sent by the client and prove nothing. IPv6 addresses count
    per /64, the block one subscriber gets, so cycling through it buys nothing either.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.PULSE_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [entry.strip() for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [entry for entry in forwarded if entry]
        if forwarded:
            address = forwarded[-min(proxies, len(forwarded))]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        # Not an address (a misconfigured proxy): the peer, which nobody can forge.
        return request.META.get("REMOTE_ADDR", "")
    if parsed.version == 6:
        if parsed.ipv4_mapped:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def _client_digest(request, scope: str, subject: str = "") -> str:
    message = f"{scope}|{client_address(request)}|{subject}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def _hit(request, scope: str, subject: str = "") -> int | None:
    """Adds one to the client's counter in the current window; past the limit, the seconds until
    the window ends, else None.

    Fixed windows, a key per window: add() then incr() are each atomic (SET NX EX and INCR in
    Redis, a lock in memory). Django's Redis incr checks the key exists before INCR; a key that
    expired in between would come back without a lifetime, so a key outlives its window by a
    whole period, far longer than one request takes.
    """
    limit, period = _rate(scope)
    now = time.time()
    window = int(now // period)
    remaining = (window + 1) * period - now
    key = f"pulse:throttle:{scope}:{window}:{_client_digest(request, scope, subject)}"
    cache = caches[settings.PULSE_THROTTLE_CACHE]
    lifetime = math.ceil(remaining) + period
    if redis_outage.ongoing:
        return None
    try:
        cache.add(key, 0, timeout=lifetime)
        try:
            count = cache.incr(key)
        except ValueError:  # evicted between the two calls
            cache.set(key, 1, timeout=lifetime)
            count = 1
    except REDIS_UNREACHABLE as error:
        # The counts live in Redis: without it, refusing everyone would lose answers (survey/outage.py).
        redis_outage.failed(error, "the submission throttle")
        return None
    return max(1, math.ceil(remaining)) if count > limit else None


def failure_count(*, request) -> Throttled | None:
    """Counts one refused submission from the request's client. Past the limit, the error that
    replaces the refusal's own answer; the caller lets a link that can still answer through."""
    wait = _hit(request, "failures")
    return Throttled(wait) if wait is not None else None


def open_link_admit(*, request, invitation: Invitation) -> None:
    """Counts one answer through an open link from the request's client; past the limit, raises
    Throttled before anything is consumed. Single-use links are not counted at all."""
    if not invitation.reusable:
        return
    wait = _hit(request, "open_link", str(invitation.pk))
    if wait is not None:
        raise Throttled(wait)
