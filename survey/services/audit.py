"""The audit trail of what HR (or an API key, or a command) did: PRODUCT.md rule 7.

Every write goes through `audit_record`. Rows of one organisation form a hash chain: each row's
hash covers the previous row's hash and the row itself, and `seq` counts from 1 without gaps.
The application can neither edit nor delete a row (model, queryset and, on PostgreSQL, a
trigger refuse it); `audit_verify` detects what someone with direct database access did anyway,
except dropping the newest rows, which only a copy of the head hash kept elsewhere reveals.

Who acted comes from a context variable: set per request for signed-in users
(survey.middleware), by the API-key authentication, or by `audit_actor(...)` in commands.
"""

import contextlib
import hashlib
import json
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import UTC
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from survey.models import AuditEvent, Organisation

# A string, or a callable resolved only when an event is recorded (a request's user is loaded
# lazily, so pages that record nothing never touch the session).
Actor = str | Callable[[], str | None] | None
_actor: ContextVar[Actor] = ContextVar("audit_actor", default=None)


def _default_actor() -> str:
    """`command:<name>` under manage.py (the shell included), else `system` (workers, tests)."""
    program = sys.argv[0] if sys.argv else ""
    if program.endswith("manage.py") and len(sys.argv) > 1:
        return f"command:{sys.argv[1]}"
    return "system"


def audit_actor_current() -> str:
    actor = _actor.get()
    if callable(actor):
        actor = actor()
    return actor or _default_actor()


@contextlib.contextmanager
def audit_actor(actor: Actor) -> Iterator[None]:
    """Attributes the events recorded inside the block to `actor`, e.g. "command:create_member"."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def audit_actor_set(actor: Actor) -> None:
    """For code that cannot wrap a block (DRF authentication); the request's middleware resets it."""
    _actor.set(actor)


def _canonical(value: Any) -> Any:
    """The JSON form a value has once stored and read back, so that hashes can be recomputed."""
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def audit_hash(event: AuditEvent) -> str:
    row = {
        "id": str(event.id),
        "organisation": str(event.organisation_id),
        "seq": event.seq,
        "at": event.at.astimezone(UTC).isoformat(),
        "actor": event.actor,
        "action": event.action,
        "detail": event.detail,
    }
    canonical = json.dumps(row, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((event.previous_hash + canonical).encode()).hexdigest()


@transaction.atomic
def audit_record(
    *, organisation: Organisation | Any, action: str, detail: dict, actor: str | None = None
) -> AuditEvent:
    """Appends one event to the organisation's chain, inside the caller's transaction.

    `organisation` may be an Organisation or its id. The organisation row is locked (FOR NO KEY
    UPDATE, which does not block inserts that reference it) so that concurrent events queue up
    instead of forking the chain.
    """
    if action not in AuditEvent.Action.values:
        raise ValueError(f"Unknown audit action {action!r}.")
    organisation_id = getattr(organisation, "pk", organisation)
    Organisation.objects.select_for_update(no_key=True).only("pk").get(pk=organisation_id)
    last = AuditEvent.objects.filter(organisation_id=organisation_id).order_by("-seq").first()
    event = AuditEvent(
        organisation_id=organisation_id,
        seq=last.seq + 1 if last else 1,
        at=timezone.now(),
        actor=(actor or audit_actor_current())[:200],
        action=action,
        detail=_canonical(detail),
        previous_hash=last.hash if last else "",
    )
    event.hash = audit_hash(event)
    event.save(force_insert=True)
    return event


def audit_verify(organisation: Organisation) -> list[str]:
    """What is wrong with the organisation's chain: missing rows, edited rows; empty when intact."""
    problems, expected_seq, previous_hash = [], 1, ""
    for event in AuditEvent.objects.filter(organisation=organisation).order_by("seq").iterator():
        if event.seq != expected_seq:
            problems.append(f"Events {expected_seq} to {event.seq - 1} are missing.")
        if event.previous_hash != previous_hash:
            problems.append(f"Event {event.seq} does not follow the event before it (one was deleted or edited).")
        if audit_hash(event) != event.hash:
            problems.append(f"Event {event.seq} was edited after it was recorded.")
        expected_seq, previous_hash = event.seq + 1, event.hash
    return problems


def audit_head(organisation: Organisation) -> AuditEvent | None:
    """The newest event: staff representatives can note its hash to detect later truncation."""
    return AuditEvent.objects.filter(organisation=organisation).order_by("-seq").first()
