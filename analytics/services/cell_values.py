"""Writing the published cells in SQL: values from the rolled counts, masked by the gate's verdicts.

The disclosure gate (analytics.disclosure.suppression) judges every cell's n in Python, on one
small GROUP BY per team and question. Its verdicts go into a temporary table, one row per cell of
`scoring.cell_layout` (the one enumeration of cells), and the statements below compute the values
of those very cells in the database, refuse to publish if any computed n differs from the n the
gate judged, and write only the cells whose figures differ from what is stored. Nothing reaches
`analytics_publishedcell` except through `disclosure.masked`.

The figures, for one team (its whole subtree's released counts, `RolledCount`):
- a question: n = its answers (multiple choice: the people who answered it); the distribution of
  values (multiple choice: people per option, every option listed); score = the mean option score
  of the scored answers; favourable % = the favourable answers over n;
- a dimension: the mean of its answered questions' scores and favourable %, n = the smallest of
  their n; eNPS reads its first answered question: % promoters (9-10) - % detractors (0-6);
- participation: n = responses, score = n over the frozen headcount;
- comments: n = released comments, the distribution their sentiment and theme counts.
Every figure is rounded by `pulse_round1` (one decimal, halves to even, as Python and pandas).
"""

import uuid
from collections.abc import Callable

from django.db import connection

from analytics import disclosure
from analytics.scoring import ANSWERED, PARTICIPATION, SurveyRules, cell_layout
from survey.models import Dimension, Wave
from survey.sql import execute, overlapped, temp_table, uuid_param

QUESTION_VALUES = """
INSERT INTO pulse_question_values (team_id, question_id, n, score, favourable_pct, distribution, promoters, detractors)
SELECT r.team_id, r.question_id, SUM(r.n),
  pulse_round1(1.0 * SUM(r.n * o.score) / NULLIF(SUM(CASE WHEN o.score IS NOT NULL THEN r.n END), 0)),
  CASE WHEN SUM(CASE WHEN o.score IS NOT NULL THEN r.n END) > 0
       THEN pulse_round1(100.0 * SUM(CASE WHEN o.favourable THEN r.n ELSE 0 END) / SUM(r.n)) END,
  {object_agg}(CAST(r.value AS TEXT), r.n),
  SUM(CASE WHEN r.value >= 9 THEN r.n ELSE 0 END), SUM(CASE WHEN r.value <= 6 THEN r.n ELSE 0 END)
FROM {rolled} r
JOIN {teams} t ON t.team_id = r.team_id
JOIN survey_question q ON q.id = r.question_id AND q.type <> 'multiple'
LEFT JOIN survey_option o ON o.question_id = r.question_id AND o.value = r.value
WHERE r.wave_id = %(wave)s
GROUP BY r.team_id, r.question_id
"""

# Every option of a multiple-choice question, ticked or not; n is the people who answered it.
MULTIPLE_VALUES = f"""
INSERT INTO pulse_question_values (team_id, question_id, n, distribution, promoters, detractors)
SELECT t.team_id, o.question_id, COALESCE(MAX(a.n), 0), {{object_agg}}(CAST(o.value AS TEXT), COALESCE(r.n, 0)), 0, 0
FROM {{teams}} t
CROSS JOIN (SELECT o.* FROM survey_option o JOIN survey_question q ON q.id = o.question_id
            WHERE q.survey_id = %(survey)s AND q.type = 'multiple' ORDER BY o.question_id, o.value) o
LEFT JOIN analytics_rolledcount r
  ON r.wave_id = %(wave)s AND r.team_id = t.team_id AND r.question_id = o.question_id AND r.value = o.value
LEFT JOIN analytics_rolledcount a
  ON a.wave_id = %(wave)s AND a.team_id = t.team_id AND a.question_id = o.question_id AND a.value = {ANSWERED}
GROUP BY t.team_id, o.question_id
"""

QUESTION_CELLS = """
INSERT INTO pulse_cell_values (team_id, kind, code, n, score, favourable_pct, distribution)
SELECT v.team_id, 'question', q.code, v.n, v.score, v.favourable_pct, v.distribution
FROM pulse_question_values v JOIN survey_question q ON q.id = v.question_id AND q.type <> 'text'
"""

# Means of figures already rounded to tenths, summed as whole tenths: exact, in any row order.
DIMENSION_CELLS = """
INSERT INTO pulse_cell_values (team_id, kind, code, n, score, favourable_pct)
SELECT v.team_id, 'dimension', m.code, MIN(v.n),
  pulse_round1(SUM(ROUND(v.score * 10)) / NULLIF(10 * COUNT(v.score), 0)),
  pulse_round1(SUM(ROUND(v.favourable_pct * 10)) / NULLIF(10 * COUNT(v.favourable_pct), 0))
FROM pulse_member m JOIN pulse_question_values v ON v.question_id = m.question_id AND v.n > 0
WHERE m.enps = %(false)s
GROUP BY v.team_id, m.code
"""

ENPS_CELLS = """
INSERT INTO pulse_cell_values (team_id, kind, code, n, score, favourable_pct)
SELECT team_id, 'dimension', code, n,
  pulse_round1(100.0 * (promoters - detractors) / n), pulse_round1(100.0 * promoters / n)
FROM (SELECT v.team_id, m.code, v.n, v.promoters, v.detractors,
             ROW_NUMBER() OVER (PARTITION BY v.team_id, m.code ORDER BY m.position) AS rank
      FROM pulse_member m JOIN pulse_question_values v ON v.question_id = m.question_id AND v.n > 0
      WHERE m.enps = %(true)s) first_answered
WHERE rank = 1
"""

PARTICIPATION_CELLS = f"""
INSERT INTO pulse_cell_values (team_id, kind, code, n, score)
SELECT t.team_id, '{PARTICIPATION}', '{PARTICIPATION}', COALESCE(tally.rolled, 0),
  CASE WHEN frozen.headcount > 0 THEN pulse_round1(100.0 * COALESCE(tally.rolled, 0) / frozen.headcount) END
FROM {{teams}} t
LEFT JOIN analytics_teamtally tally ON tally.wave_id = %(wave)s AND tally.team_id = t.team_id
LEFT JOIN survey_waveteam frozen ON frozen.wave_id = %(wave)s AND frozen.team_id = t.team_id
"""

# Released comments of each team's subtree (release points at the team or below it). The
# breakdown is shown only when it counts exactly the comments the cell's n counts (comments
# released before they were scored would make it disagree): left out, never shown wrong.
COMMENT_CELLS = """
INSERT INTO pulse_cell_values (team_id, kind, code, n, distribution)
SELECT v.team_id, 'comments', q.code, v.n,
  CASE WHEN b.n = v.n THEN {object}('sentiment', {nested}(b.sentiment), 'themes', {nested}(themes.counts)) END
FROM pulse_question_values v JOIN survey_question q ON q.id = v.question_id AND q.type = 'text'
LEFT JOIN (SELECT team_id, question_id, SUM(n) AS n, {object_agg}(sentiment, n) AS sentiment
           FROM (SELECT team_id, question_id, sentiment, SUM(n) AS n FROM pulse_released_comments
                 GROUP BY team_id, question_id, sentiment ORDER BY team_id, question_id, sentiment) s
           GROUP BY team_id, question_id) b ON b.team_id = v.team_id AND b.question_id = v.question_id
LEFT JOIN (SELECT team_id, question_id, {object_agg}(theme, n) AS counts
           FROM (SELECT team_id, question_id, theme, SUM(n) AS n FROM pulse_released_comments
                 GROUP BY team_id, question_id, theme ORDER BY team_id, question_id, theme) s
           GROUP BY team_id, question_id) themes ON themes.team_id = v.team_id AND themes.question_id = v.question_id
"""

RELEASED_COMMENTS = """
INSERT INTO pulse_released_comments (team_id, question_id, sentiment, theme, n)
SELECT c.ancestor_id, s.question_id, s.sentiment, s.theme, COUNT(*) FROM analytics_commentscore s
JOIN survey_waveteamclosure c ON c.wave_id = s.wave_id AND c.descendant_id = s.release_point_id
JOIN {teams} t ON t.team_id = c.ancestor_id
WHERE s.wave_id = %(wave)s GROUP BY c.ancestor_id, s.question_id, s.sentiment, s.theme
"""

# Every team of the wave's frozen tree: the teams the gate judges.
EVERY_TEAM = "INSERT INTO pulse_publish_team SELECT team_id FROM survey_waveteam WHERE wave_id = %(wave)s"

# Teams whose verdicts differ from what is stored, among those not published yet: their cells are
# rewritten even if their counts did not move (a sibling's growth can lift or impose a
# complementary suppression).
VERDICTS_MOVED = """
INSERT INTO pulse_moved_team (team_id)
SELECT DISTINCT v.team_id FROM pulse_verdict v
LEFT JOIN analytics_publishedcell c
  ON c.wave_id = %(wave)s AND c.team_id = v.team_id AND c.kind = v.kind AND c.code = v.code
WHERE (c.id IS NULL OR c.reason <> v.reason OR (v.reason = '' AND c.n <> v.n))
  AND v.team_id NOT IN (SELECT team_id FROM pulse_publish_team)
"""

MISMATCH = """
SELECT v.team_id, v.kind, v.code FROM pulse_verdict v
JOIN pulse_publish_team t ON t.team_id = v.team_id
LEFT JOIN pulse_cell_values c ON c.team_id = v.team_id AND c.kind = v.kind AND c.code = v.code
WHERE COALESCE(c.n, 0) <> v.n
"""

FIGURES = ("n", "score", "favourable_pct", "distribution", "delta_previous", "suppressed", "reason")

# The masked cells are compared with the stored ones in one hash join: only those that differ (or
# are new) reach the upsert, so republishing unchanged figures probes no index row by row.
UPSERT = """
INSERT INTO analytics_publishedcell (id, wave_id, team_id, kind, code, {figures})
SELECT {new_id}, %(wave)s, x.team_id, x.kind, x.code, {figures_x}
FROM (SELECT v.team_id, v.kind, v.code, {masked}
      FROM pulse_verdict v
      JOIN pulse_publish_team t ON t.team_id = v.team_id
      LEFT JOIN pulse_cell_values c ON c.team_id = v.team_id AND c.kind = v.kind AND c.code = v.code
      LEFT JOIN analytics_publishedcell p ON p.wave_id = %(previous)s AND p.team_id = v.team_id
        AND p.kind = v.kind AND p.code = v.code AND p.suppressed = %(false)s) x
LEFT JOIN analytics_publishedcell s
  ON s.wave_id = %(wave)s AND s.team_id = x.team_id AND s.kind = x.kind AND s.code = x.code
WHERE s.id IS NULL OR {differs}
ON CONFLICT (wave_id, team_id, kind, code) DO UPDATE SET {assign}
"""

# Cells that no verdict covers any more: nothing may stay published that the gate did not judge.
STALE = """
DELETE FROM analytics_publishedcell WHERE wave_id = %(wave)s AND NOT EXISTS (
  SELECT 1 FROM pulse_verdict v WHERE v.team_id = analytics_publishedcell.team_id
  AND v.kind = analytics_publishedcell.kind AND v.code = analytics_publishedcell.code)
"""

TEMPORARY = {
    "pulse_verdict": (
        "team_id {uuid}, kind varchar(20), code varchar(60), reason varchar(20), n integer, "
        "PRIMARY KEY (team_id, kind, code)"
    ),
    "pulse_member": "code varchar(60), question_id bigint, position integer, enps boolean",
    "pulse_publish_team": "team_id {uuid} PRIMARY KEY",
    "pulse_moved_team": "team_id {uuid} PRIMARY KEY",
    "pulse_question_values": (
        "team_id {uuid}, question_id bigint, n bigint, score {number}, favourable_pct {number}, "
        "distribution {json}, promoters bigint, detractors bigint"
    ),
    "pulse_released_comments": "team_id {uuid}, question_id bigint, sentiment varchar(8), theme varchar(20), n bigint",
    "pulse_cell_values": (
        "team_id {uuid}, kind varchar(20), code varchar(60), n bigint, score {number}, favourable_pct {number}, "
        "distribution {json}"
    ),
}


def _dialect() -> dict[str, str]:
    if connection.vendor == "postgresql":
        return {
            "uuid": "uuid",
            "number": "double precision",
            "json": "jsonb",
            # Built as json text, stored as jsonb (an assignment cast): jsonb_object_agg took 0.03 s
            # more over the 47,000 rolled counts of a full publication at 300,000 responses.
            "object_agg": "json_object_agg",
            "object": "jsonb_build_object",
            "nested": "",
            "new_id": "gen_random_uuid()",
            "distinct": "IS DISTINCT FROM",
            "rolled": "analytics_rolledcount",
        }
    return {
        "uuid": "char(32)",
        "number": "real",
        "json": "text",
        "object_agg": "json_group_object",
        "object": "json_object",
        "nested": "json",  # SQLite nests JSON text as JSON only when told
        "new_id": "lower(hex(randomblob(16)))",
        "distinct": "IS NOT",
        # SQLite builds JSON objects in the order rows arrive: sorted, so that an unchanged cell's
        # distribution is the same text (and is not rewritten).
        "rolled": "(SELECT * FROM analytics_rolledcount WHERE wave_id = %(wave)s ORDER BY team_id, question_id, value)",
    }


def _values(dialect: dict[str, str], params: dict, *, teams: str) -> None:
    """The values of every cell of the teams in the table `teams`."""
    for statement in (
        QUESTION_VALUES,
        MULTIPLE_VALUES,
        RELEASED_COMMENTS,
        QUESTION_CELLS,
        COMMENT_CELLS,
        DIMENSION_CELLS,
        ENPS_CELLS,
        PARTICIPATION_CELLS,
    ):
        execute(statement.format(**dialect, teams=teams), params)


def cells_publish(
    *,
    wave: Wave,
    rules: SurveyRules,
    judge: Callable[[], dict[tuple, disclosure.Verdict]],
    teams: set | None,
    previous: uuid.UUID | None,
) -> None:
    """Publishes the cells that `judge` (the gate's verdicts, computed in Python) judges, for
    `teams` (every team if None) and any team whose verdicts moved. `previous` is the wave whose
    scores give `delta_previous`.

    The database computes the values of `teams` while the gate judges (`overlapped`): at 300,000
    responses its 0.05 s of Python no longer add to the 0.1 s of SQL. The teams whose verdicts
    moved, known only then, get their values after."""
    dialect = _dialect()
    params = {
        "wave": uuid_param(wave.pk),
        "survey": uuid_param(wave.survey_id),
        "previous": uuid_param(previous) if previous else None,
        "true": True,
        "false": False,
    }
    for name, columns in TEMPORARY.items():
        execute(f"DROP TABLE IF EXISTS {name}")
        execute(f"CREATE TEMP TABLE {name} ({columns.format(**dialect)})")
    members = [
        (spec.code, rule.id, position, spec.dimension_kind == Dimension.Kind.ENPS)
        for spec in cell_layout(rules)
        for position, rule in enumerate(spec.members)
    ]
    temp_table("pulse_member", members)
    if teams is None:
        execute(EVERY_TEAM, params)
    else:
        temp_table("pulse_publish_team", ((team,) for team in teams))
    with overlapped():
        _values(dialect, params, teams="pulse_publish_team")
        verdicts = [(team, *key, v.reason, v.n) for (team, *key), v in judge().items()]
    temp_table("pulse_verdict", verdicts)
    if teams is not None and execute(VERDICTS_MOVED, params):
        for name in ("pulse_question_values", "pulse_released_comments"):  # the cells are written from them
            execute(f"DELETE FROM {name}")
        _values(dialect, params, teams="pulse_moved_team")
        execute("INSERT INTO pulse_publish_team SELECT team_id FROM pulse_moved_team")
    with connection.cursor() as cursor:
        cursor.execute(MISMATCH)
        mismatch = cursor.fetchone()
    if mismatch:
        raise disclosure.GateMismatch(*mismatch)
    distinct = dialect["distinct"]
    values = {
        "n": "c.n",
        "score": "c.score",
        "favourable_pct": "c.favourable_pct",
        "distribution": "c.distribution",
        "delta_previous": "pulse_round1(c.score - p.score)",
    }
    execute(
        UPSERT.format(
            figures=", ".join(FIGURES),
            figures_x=", ".join(f"x.{name}" for name in FIGURES),
            new_id=dialect["new_id"],
            masked=disclosure.masked(values, reason="v.reason"),
            assign=", ".join(f"{name} = EXCLUDED.{name}" for name in FIGURES),
            differs=" OR ".join(f"s.{name} {distinct} x.{name}" for name in FIGURES),
        ),
        params,
    )
    execute(STALE, params)
    for name in TEMPORARY:
        execute(f"DROP TABLE {name}")
