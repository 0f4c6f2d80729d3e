"""Meaningful deltas, on numbers computed by hand (analytics/significance.py's docstring)."""

import math

import pytest

from analytics import significance


def test_a_question_se_is_the_sample_sd_of_its_scored_answers_over_root_m():
    # Two people at 0 and two at 100; five "not sure" (no score) stay out: mean 50,
    # variance (4 x 50²) / 3 = 3333.3, SE = √(3333.3 / 4) = 28.87.
    distribution = {"1": 2, "2": 2, "3": 5}
    se = significance.question_se(distribution=distribution, scores={1: 0, 2: 100, 3: None})
    assert se == pytest.approx(math.sqrt(10_000 / 3 / 4))
    assert se == pytest.approx(28.8675, abs=1e-4)


def test_everyone_giving_the_same_answer_has_no_noise_and_one_answer_cannot_be_assessed():
    assert significance.question_se(distribution={"4": 6}, scores={4: 75}) == 0
    assert significance.question_se(distribution={"4": 1, "9": 3}, scores={4: 75, 9: None}) is None
    assert significance.question_se(distribution=None, scores={4: 75}) is None


def test_enps_se_from_promoters_and_detractors():
    # 10 people: 5 promoters, 3 passives, 2 detractors. p = .5, q = .2:
    # variance 100² (.7 - .09) = 6100, SE = √610 = 24.70.
    se = significance.enps_se(distribution={"10": 4, "9": 1, "7": 3, "3": 2})
    assert se == pytest.approx(math.sqrt(610))
    assert se == pytest.approx(24.698, abs=1e-3)


def test_a_dimension_se_is_bounded_by_the_mean_of_its_question_ses():
    assert significance.dimension_se([2.0, 4.0]) == 3.0
    assert significance.dimension_se([2.0, None]) is None
    assert significance.dimension_se([]) is None


def test_difference_ses():
    assert significance.previous_difference_se(se_now=3.0, se_previous=4.0) == 5.0
    assert significance.previous_difference_se(se_now=3.0, se_previous=None) is None
    # A quarter of the organisation: SE_team x √(1 - 25/100) = 4 x 0.866.
    assert significance.organisation_difference_se(se_team=4.0, n_team=25, n_org=100) == pytest.approx(3.4641, 1e-4)
    assert significance.organisation_difference_se(se_team=4.0, n_team=100, n_org=100) is None


def test_meaningful_means_beyond_1_96_standard_errors():
    assert significance.is_meaningful(delta=10.0, se=5.0) is True  # 10 > 9.8
    assert significance.is_meaningful(delta=-10.0, se=5.0) is True
    assert significance.is_meaningful(delta=9.7, se=5.0) is False
    assert significance.is_meaningful(delta=None, se=5.0) is None
    assert significance.is_meaningful(delta=3.0, se=None) is None


def test_the_embedded_modes_python_sums_equal_postgresqls(published_wave):
    """SQLite (the embedded default) sums the question moments in Python; PostgreSQL in SQL.
    Both must give every heatmap the same noise estimates."""
    from django.db import connection

    from analytics.selectors import QUESTION_MOMENTS, _question_moments
    from survey.models import Question

    codes = list(Question.objects.filter(survey=published_wave.survey).values_list("code", flat=True))
    params = {"survey": published_wave.survey_id, "waves": [published_wave.pk], "codes": codes}
    params |= {"promoter": significance.PROMOTER_MIN, "detractor": significance.DETRACTOR_MAX}
    with connection.cursor() as cursor:
        cursor.execute(QUESTION_MOMENTS.format(teams=""), params)
        in_sql = sorted(cursor.fetchall(), key=repr)
    in_python = sorted(
        _question_moments(survey_id=published_wave.survey_id, waves=[published_wave], codes=codes, team_ids=None),
        key=repr,
    )
    assert len(in_sql) > 20 and any(row[4] > 0 for row in in_sql)
    assert in_python == in_sql
