"""The recount's one pass gives every option's count exactly, whatever the option values (sparse,
negative) or the length of the multiple-choice masks."""

import random
import uuid
from collections import Counter

import pytest
from django.db import connection

from analytics.models import AnswerCount
from analytics.scoring import ANSWERED
from analytics.services.recount import counts_recount
from survey.models import Answer, Option, Question, Response, Survey, Wave
from tests.conftest import make_tree

# (type, option values)
QUESTIONS = {
    "likert": (Question.Type.LIKERT, [1, 2, 3, 4, 5]),
    "one": (Question.Type.SINGLE, [1]),
    "sparse": (Question.Type.SINGLE, [-30000, -3, 0, 7, 5000, 30000]),
    "scale": (Question.Type.SCALE10, list(range(11))),
    "short": (Question.Type.MULTIPLE, [0, 1, 2, 3]),
    "long": (Question.Type.MULTIPLE, [0, 1, 5, 11, 12, 13, 19, 20, 27, 30]),
}


def make_survey(codes: list[str]) -> Survey:
    survey = Survey.objects.create(code=f"recount-{uuid.uuid4().hex[:8]}", name_en="Recount", name_fr="Recomptage")
    for position, code in enumerate(codes):
        kind, values = QUESTIONS[code]
        question = Question.objects.create(
            survey=survey, code=code, type=kind, position=position, text_en=code, text_fr=code
        )
        Option.objects.bulk_create(
            Option(question=question, value=value, position=i, label_en=str(value), label_fr=str(value), score=50)
            for i, value in enumerate(values)
        )
    return survey


def answer_rows(rng: random.Random, wave: Wave, sizes: dict) -> Counter:
    """Random answers for `sizes` ({team: responses}), and the counts FOLD_BATCH would keep."""
    expected: Counter = Counter()
    questions = list(wave.survey.questions.prefetch_related("options"))
    responses, answers = [], []
    for team, size in sizes.items():
        for _ in range(size):
            response = Response(wave=wave, team=team, scored=True)
            responses.append(response)
            for question in questions:
                values = [option.value for option in question.options.all()]
                if rng.random() < 0.1:
                    continue
                if question.is_multiple:
                    ticked = rng.sample(values, rng.randint(0, len(values)))
                    value = sum(1 << bit for bit in ticked)
                    expected.update((team.pk, question.pk, bit) for bit in ticked)
                    expected[team.pk, question.pk, ANSWERED] += 1
                else:
                    value = rng.choice(values)
                    expected[team.pk, question.pk, value] += 1
                answers.append(Answer(response=response, question=question, wave=wave, team=team, value=value))
    Response.objects.bulk_create(responses)
    Answer.objects.bulk_create(answers)
    return expected


def stored_counts(wave: Wave) -> Counter:
    rows = AnswerCount.objects.filter(wave=wave, n__gt=0).values_list("team_id", "question_id", "value", "n")
    return Counter({(team, question, value): n for team, question, value, n in rows})


@pytest.mark.parametrize("seed", [1, 2])
def test_every_option_is_counted_exactly(db, seed):
    organisation, teams = make_tree(f"recount{seed}", {"d": {"a": 40, "b": 40, "c": 40}})
    wave = Wave.objects.create(organisation=organisation, survey=make_survey(list(QUESTIONS)), name="R")
    expected = answer_rows(random.Random(seed), wave, {teams["a"]: 37, teams["b"]: 3, teams["c"]: 1})
    assert any(key[2] >= 20 for key in expected), "the long masks' high bits were ticked"

    assert counts_recount(wave=wave) == len(expected)
    assert stored_counts(wave) == expected
    assert counts_recount(wave=wave) == 0, "a second recount of the same answers changes nothing"


def test_a_survey_without_multiple_choice_is_counted_exactly(db):
    organisation, teams = make_tree("recount-single", {"d": {"a": 40, "b": 40}})
    codes = [code for code, (kind, _) in QUESTIONS.items() if kind != Question.Type.MULTIPLE]
    wave = Wave.objects.create(organisation=organisation, survey=make_survey(codes), name="R")
    expected = answer_rows(random.Random(3), wave, {teams["a"]: 20, teams["b"]: 4})
    assert expected

    assert counts_recount(wave=wave) == len(expected)
    assert stored_counts(wave) == expected


def test_the_counting_tables_are_vacuumed_after_every_20000_new_rows(db):
    """The recount reads the counting indexes alone only on pages a vacuum marked all-visible."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname, reloptions FROM pg_class WHERE relname IN ('survey_answer', 'survey_response')")
        options = dict(cursor.fetchall())
    for table in ("survey_answer", "survey_response"):
        assert "autovacuum_vacuum_insert_threshold=20000" in options[table], table
        assert "autovacuum_vacuum_insert_scale_factor=0" in options[table], table
