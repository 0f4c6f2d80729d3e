"""Releasing counts and publishing cells through the disclosure gate.

A release adds the released teams' new counts to `RolledCount` for all their ancestors (SQL).
Publication then runs the gate over every cell's n (one small GROUP BY), and recomputes the full
cells (scores, distributions) only for teams whose counts or suppression changed.
"""

import json
import uuid

from django.db import connection
from django.db.models import F, Q, Sum
from django.utils import timezone

from analytics import disclosure
from analytics.models import DriverResult, Publication, PublishedCell, RolledCount, TeamTally
from analytics.scoring import ANSWERED, cell_sizes, raw_cells, survey_rules
from analytics.services.counts import counts_merge
from analytics.services.drivers import wave_drivers
from config.db import execute, uuid_param, uuid_text
from survey.models import Question, Team, TeamClosure, Wave

# Live multiple-choice counts are per bitmask (one row per answer pattern). Rolled up they become
# one row per option (value = the option's bit: people who ticked it) plus value -1 (people who
# answered, scoring.ANSWERED): a handful of rows per question instead of up to 2^options.
EXPLODED = """
SELECT a.team_id, a.question_id, a.value, a.n, a.released FROM analytics_answercount a
JOIN survey_question q ON q.id = a.question_id AND q.type <> 'multiple' WHERE {where}
UNION ALL
SELECT a.team_id, a.question_id, o.value, a.n, a.released FROM analytics_answercount a
JOIN survey_question q ON q.id = a.question_id AND q.type = 'multiple'
JOIN survey_option o ON o.question_id = a.question_id AND (a.value & (1 << o.value)) <> 0 WHERE {where}
UNION ALL
SELECT a.team_id, a.question_id, -1, a.n, a.released FROM analytics_answercount a
JOIN survey_question q ON q.id = a.question_id AND q.type = 'multiple' WHERE {where}
"""

# What each released team brings since its last release, added to every ancestor's rolled counts.
ROLL_RELEASE = """
INSERT INTO analytics_rolledcount (wave_id, team_id, question_id, value, n)
SELECT %s, c.ancestor_id, e.question_id, e.value, SUM(e.n - e.released)
FROM ({exploded}) e JOIN survey_teamclosure c ON c.descendant_id = e.team_id
WHERE true
GROUP BY c.ancestor_id, e.question_id, e.value
ON CONFLICT (wave_id, team_id, question_id, value) DO UPDATE SET n = analytics_rolledcount.n + EXCLUDED.n
"""

SNAPSHOT_RELEASE = """
UPDATE analytics_answercount SET released = n WHERE wave_id = %s AND team_id IN ({teams}) AND n <> released
"""

ROLL_ALL = """
SELECT c.ancestor_id AS team_id, e.question_id, e.value, SUM(e.released) AS total
FROM ({exploded}) e JOIN survey_teamclosure c ON c.descendant_id = e.team_id
GROUP BY c.ancestor_id, e.question_id, e.value
"""

CELL_COLUMNS = (
    "id",
    "wave_id",
    "team_id",
    "kind",
    "code",
    "n",
    "score",
    "favourable_pct",
    "distribution",
    "delta_previous",
    "suppressed",
    "reason",
)


def _release(wave: Wave) -> list:
    """Moves the teams the release rule lets through into the snapshot and the rolled counts."""
    tallies = {
        team: (responses, released)
        for team, responses, released in TeamTally.objects.filter(wave=wave).values_list(
            "team_id", "responses", "released"
        )
    }
    teams = disclosure.teams_to_release(tallies, k=wave.k_min, wave_closed=wave.status == Wave.Status.CLOSED)
    if teams:
        marks = ", ".join(["%s"] * len(teams))
        wave_id, team_ids = uuid_param(wave.pk), [uuid_param(team) for team in teams]
        where = f"a.wave_id = %s AND a.team_id IN ({marks}) AND a.n <> a.released"
        execute(ROLL_RELEASE.format(exploded=EXPLODED.format(where=where)), [wave_id, *[wave_id, *team_ids] * 3])
        execute(SNAPSHOT_RELEASE.format(teams=marks), [wave_id, *team_ids])
        TeamTally.objects.filter(wave=wave, team_id__in=teams).update(released=F("responses"))
    return teams


def _reroll(wave: Wave) -> None:
    select = ROLL_ALL.format(exploded=EXPLODED.format(where="a.wave_id = %s AND a.released > 0"))
    counts_merge(
        table="analytics_rolledcount", column="n", wave_id=wave.pk, select=select, params=[uuid_param(wave.pk)] * 3
    )


def _previous_scores(wave: Wave) -> dict:
    previous = (
        Wave.objects.filter(organisation=wave.organisation_id, survey=wave.survey_id, opens_at__lt=wave.opens_at)
        .order_by("-opens_at")
        .first()
        if wave.opens_at
        else None
    )
    if previous is None:
        return {}
    cells = PublishedCell.objects.filter(wave=previous, suppressed=False)
    return {
        (team, kind, code): score for team, kind, code, score in cells.values_list("team_id", "kind", "code", "score")
    }


def _write_cells(wave: Wave, cells: list[disclosure.GatedCell]) -> None:
    """Bulk insert without building model instances: COPY on PostgreSQL, executemany elsewhere."""
    rows = (
        (
            uuid.uuid4(),
            wave.pk,
            cell.team,
            cell.kind,
            cell.code,
            cell.n,
            cell.score,
            cell.favourable_pct,
            json.dumps(cell.distribution) if cell.distribution is not None else None,
            cell.delta_previous,
            cell.suppressed,
            cell.reason,
        )
        for cell in cells
    )
    columns = ", ".join(CELL_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY analytics_publishedcell ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(CELL_COLUMNS))
            cursor.executemany(
                f"INSERT INTO analytics_publishedcell ({columns}) VALUES ({marks})",
                [(uuid_param(row[0]), uuid_param(row[1]), uuid_param(row[2]), *row[3:]) for row in rows],
            )


def _rolled_rows(wave: Wave, teams: set) -> list[tuple]:
    """(team, question, value, n) rows, read without the ORM's per-row conversions (hot path):
    team ids come back as text and are mapped back to the UUIDs we already hold."""
    by_text = {uuid_text(team): team for team in teams}
    marks = ", ".join(["%s"] * len(by_text))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT CAST(team_id AS TEXT), question_id, value, n FROM analytics_rolledcount "
            f"WHERE wave_id = %s AND team_id IN ({marks})",
            [uuid_param(wave.pk), *(uuid_param(team) for team in teams)],
        )
        return [(by_text[team], question, value, n) for team, question, value, n in cursor.fetchall()]


def _publish(wave: Wave, touched: set | None) -> None:
    """Gates every cell's n, then rewrites the cells of `touched` teams (all when None) and of any
    team whose suppression changed."""
    teams = Team.objects.filter(organisation=wave.organisation_id)
    parents = dict(teams.values_list("id", "parent_id"))
    rules = survey_rules(wave.survey)
    rolled = RolledCount.objects.filter(wave=wave)
    question_n = {
        # A multiple-choice question's n is its "answered" row, not the sum of its ticks.
        (team, question): answered if rules.questions[question].type == Question.Type.MULTIPLE else total
        for team, question, total, answered in rolled.values("team_id", "question_id")
        .annotate(total=Sum("n"), answered=Sum("n", filter=Q(value=ANSWERED)))
        .values_list("team_id", "question_id", "total", "answered")
    }
    responses = dict(
        TeamTally.objects.filter(wave=wave)
        .values("team__ancestor_links__ancestor")
        .annotate(total=Sum("released"))
        .values_list("team__ancestor_links__ancestor", "total")
    )
    reasons = disclosure.suppression(
        cells=cell_sizes(rules=rules, teams=parents, question_n=question_n, responses=responses),
        tree=disclosure.Tree.from_parents(parents),
        k=wave.k_min,
        k_comments=wave.k_comments,
    )
    stored = PublishedCell.objects.filter(wave=wave)
    if touched is None or not stored.exists():
        recompute = set(parents)
    else:
        before = {
            (team, kind, code): reason
            for team, kind, code, reason in stored.values_list("team_id", "kind", "code", "reason")
        }
        recompute = touched | {key[0] for key, reason in reasons.items() if before.get(key) != reason}
    cells = raw_cells(
        rules=rules,
        teams=recompute,
        counts=_rolled_rows(wave, recompute),
        responses=responses,
        headcounts=dict(teams.values_list("id", "headcount")),
    )
    gated = disclosure.mask(cells, reasons)
    disclosure.with_previous(gated, _previous_scores(wave))
    stored.filter(team_id__in=recompute).delete()
    _write_cells(wave, gated)


def wave_publish(*, wave: Wave, force: bool = False) -> bool:
    """Releases what the release rule allows and updates the published cells it changes (all of
    them if `force`). Runs inside the caller's transaction. Returns whether the cells changed."""
    released = _release(wave)
    if force:
        _reroll(wave)
    changed = force or bool(released) or not PublishedCell.objects.filter(wave=wave).exists()
    if changed:
        touched = (
            None
            if force
            else set(TeamClosure.objects.filter(descendant__in=released).values_list("ancestor_id", flat=True))
        )
        _publish(wave, touched)
        publication, _ = Publication.objects.get_or_create(wave=wave)
        publication.version += 1
        publication.published_at = timezone.now()
        publication.save()
    # Drivers exist for closed waves only: fit them at closing even when closing released nothing new.
    if changed or (wave.status == Wave.Status.CLOSED and not DriverResult.objects.filter(wave=wave).exists()):
        wave_drivers(wave=wave)
    return changed
