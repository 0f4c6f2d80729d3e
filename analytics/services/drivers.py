"""Driver analysis: which dimensions move cognitive fatigue and eNPS most.

Per-respondent dimension scores come from one SQL GROUP BY; scikit-learn fits a linear model
on standardised scores, so each coefficient reads as "one standard deviation more of this
dimension goes with that many standard deviations more of the outcome". Fitted at organisation
level and for each department with enough respondents (smaller ones are pooled in the
organisation figure). Only for closed waves: a model refitted after each new answer would move
with single people.
"""

import uuid
from collections import defaultdict

import numpy as np
from django.db import connection, transaction
from sklearn.linear_model import LinearRegression
from sklearn.preprocessing import StandardScaler

from analytics import disclosure
from analytics.models import DriverResult
from config.db import uuid_param
from survey.models import Team, TeamClosure, Wave

OUTCOMES = ("fatigue", "enps")
MIN_RESPONDENTS = 30  # below this a 5-predictor regression says nothing; pooled upwards instead

PERSON_SCORES = """
SELECT a.response_id, a.team_id, d.code, AVG(o.score)
FROM survey_answer a
JOIN survey_question q ON q.id = a.question_id
JOIN survey_dimension d ON d.id = q.dimension_id
JOIN survey_option o ON o.question_id = a.question_id AND o.value = a.value
WHERE a.wave_id = %s AND o.score IS NOT NULL
GROUP BY a.response_id, a.team_id, d.code
"""


def _person_matrix(wave: Wave) -> tuple[list[str], np.ndarray, list]:
    people: dict = defaultdict(dict)
    teams: dict = {}
    with connection.cursor() as cursor:
        cursor.execute(PERSON_SCORES, [uuid_param(wave.pk)])
        for response, team, dimension, score in cursor.fetchall():
            people[response][dimension] = float(score)
            teams[response] = team
    dimensions = list(wave.survey.dimensions.values_list("code", flat=True))
    matrix = np.array([[scores.get(code, np.nan) for code in dimensions] for scores in people.values()])
    return dimensions, matrix.reshape(len(people), len(dimensions)), [uuid.UUID(str(teams[r])) for r in people]


def _fit(dimensions: list[str], matrix: np.ndarray, outcome: str) -> tuple[dict[str, float], float, int] | None:
    predictors = [code for code in dimensions if code not in (outcome, "enps")]
    columns = [dimensions.index(code) for code in [*predictors, outcome]]
    complete = matrix[:, columns]
    complete = complete[~np.isnan(complete).any(axis=1)]
    n = len(complete)
    if n < MIN_RESPONDENTS:
        return None
    x = StandardScaler().fit_transform(complete[:, :-1])
    y = StandardScaler().fit_transform(complete[:, -1:]).ravel()
    model = LinearRegression().fit(x, y)
    return dict(zip(predictors, model.coef_.round(3).tolist(), strict=True)), round(model.score(x, y), 3), n


@transaction.atomic
def wave_drivers(*, wave: Wave) -> int:
    """Refits and republishes the wave's drivers. Returns the number of results stored."""
    DriverResult.objects.filter(wave=wave).delete()
    if wave.status != Wave.Status.CLOSED:
        return 0
    dimensions, matrix, person_teams = _person_matrix(wave)
    root_and_departments = Team.objects.filter(organisation=wave.organisation_id, parent__parent__isnull=True)
    results = []
    for unit in root_and_departments:
        members = set(TeamClosure.objects.filter(ancestor=unit).values_list("descendant_id", flat=True))
        rows = matrix[[team in members for team in person_teams]] if len(matrix) else matrix
        for outcome in OUTCOMES:
            fitted = _fit(dimensions, rows, outcome)
            if fitted is None or not disclosure.shown(fitted[2], k=wave.k_min):
                continue
            coefficients, r2, n = fitted
            results += [
                DriverResult(wave=wave, team=unit, outcome=outcome, driver=driver, coefficient=value, r2=r2, n=n)
                for driver, value in coefficients.items()
            ]
    DriverResult.objects.bulk_create(results)
    return len(results)
