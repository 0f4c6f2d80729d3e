"""Answers to send, and the published figures to compare with a clean run."""

import io
import json
import random

from django.core.management import call_command

from analytics.models import (
    AnswerCount,
    CommentScore,
    DriverResult,
    Publication,
    PublishedCell,
    PublishedDay,
    RolledCount,
    TeamTally,
    WaveTopic,
)
from survey.models import Question, Survey, Wave
from survey.services.invitations import invitations_issue
from tests.conftest import make_tree, token_of


def open_wave_with_links(survey: Survey, name: str, links_per_team: int) -> tuple[Wave, list[str]]:
    """An open wave of a fresh organisation with two teams of 30, and that many links for each."""
    organisation, teams = make_tree(name.lower(), {"d": {"t1": 30, "t2": 30}})
    wave = Wave.objects.create(organisation=organisation, survey=survey, name=name, status=Wave.Status.OPEN)
    tokens = [
        token_of(link)
        for slug in ("t1", "t2")
        for link in invitations_issue(wave=wave, team=teams[slug], count=links_per_team)
    ]
    return wave, tokens


def random_answers(rng: random.Random, questions: list[Question], comments: float = 0.02) -> dict:
    """One person's answers, as the API takes them: about one question in ten skipped, and a
    comment in about `comments` of the free-text questions (scrubbing one costs ~20 ms)."""
    answers: dict = {}
    for question in questions:
        values = [option.value for option in question.options.all()]
        if question.type == Question.Type.TEXT:
            if rng.random() < comments:
                answers[question.code] = rng.choice(
                    ["More training, please.", "Moins de réunions, plus de temps pour réfléchir.", "Clear rules."]
                )
        elif rng.random() < 0.1:
            continue
        elif question.type == Question.Type.MULTIPLE:
            answers[question.code] = rng.sample(values, rng.randint(0, len(values)))
        else:
            answers[question.code] = rng.choice(values)
    return answers


def questions_of(survey: Survey) -> list[Question]:
    return list(survey.questions.prefetch_related("options").order_by("position"))


def published(wave: Wave) -> list[tuple]:
    """Every published cell's figures, in a stable order."""
    rows = PublishedCell.objects.filter(wave=wave).values_list(
        "team_id", "kind", "code", "n", "score", "favourable_pct", "distribution", "suppressed", "reason"
    )
    return sorted((str(team), *rest[:5], json.dumps(rest[5]), *rest[6:]) for team, *rest in rows)


def clean_run(wave: Wave) -> list[tuple]:
    """The published cells of a clean run over the same stored answers: every derived row of the
    wave dropped, then `manage.py aggregate --full` as an operator would run it."""
    for model in (AnswerCount, RolledCount, TeamTally, PublishedCell, PublishedDay, DriverResult, CommentScore):
        model.objects.filter(wave=wave).delete()
    WaveTopic.objects.filter(wave=wave).delete()
    Publication.objects.filter(wave=wave).delete()
    call_command("aggregate", wave=str(wave.pk), full=True, stdout=io.StringIO())
    return published(wave)
