"""Driver analysis: which dimensions move cognitive fatigue and eNPS most.

Per-respondent dimension scores come from one SQL GROUP BY; scikit-learn fits a linear model
on standardised scores, so each coefficient reads as "one standard deviation more of this
dimension goes with that many standard deviations more of the outcome". Fitted at organisation
level and for each department of the wave's frozen tree with enough respondents (smaller ones
are pooled in the organisation figure), and published through the gate's complementary
suppression. Only for closed waves: a model refitted after each new answer would move
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
from survey.models import Wave
from survey.selectors import wave_tree
from survey.sql import uuid_param

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
    parents, _ = wave_tree(wave=wave)
    tree = disclosure.Tree.from_parents(parents)
    roots = [team for team, parent in parents.items() if parent is None]
    units = dict.fromkeys(roots) | {department: root for root in roots for department in tree.kids(root)}
    results = []
    for outcome in OUTCOMES:
        fits = {}
        for unit in units:
            members = set(_subtree(tree, unit))
            rows = matrix[[team in members for team in person_teams]] if len(matrix) else matrix
            fitted = _fit(dimensions, rows, outcome)
            if fitted is not None:
                fits[unit] = fitted
        # The same gate as every cell: a fit on the organisation and fits on all its departments but
        # a few people would differ by those few, so complementary suppression drops one more fit.
        hidden = disclosure.suppression_pattern(
            disclosure.Tree.from_parents(units), [{unit: fitted[2] for unit, fitted in fits.items()}], k=wave.k_min
        )
        for unit, (coefficients, r2, n) in fits.items():
            if unit in hidden:
                continue
            results += [
                DriverResult(wave=wave, team_id=unit, outcome=outcome, driver=driver, coefficient=value, r2=r2, n=n)
                for driver, value in coefficients.items()
            ]
    DriverResult.objects.bulk_create(results)
    return len(results)


def _subtree(tree: disclosure.Tree, node: object) -> list:
    return [node, *(member for child in tree.kids(node) for member in _subtree(tree, child))]
