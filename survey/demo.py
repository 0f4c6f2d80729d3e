"""A realistic demo organisation: a 3-level tree, two waves and correlated synthetic answers.

Synthetic respondents are drawn from latent traits with the correlations the seed articles
describe (adoption drives intensification, intensification drives fatigue, enablement
protects), plus team and department effects so that heatmaps differ by team.
"""

import random
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from survey.models import Answer, Comment, Organisation, Question, Response, Survey, Team, Wave
from survey.services.instrument import instrument_load_builtin
from survey.services.scrub import scrub
from survey.services.teams import team_closure_rebuild

DEPARTMENTS = {
    "Engineering": ["Platform", "Mobile", "Data", "Security", "QA", "Site reliability", "Architecture (small)"],
    "Sales": ["Enterprise", "Mid-market", "Partners", "Sales operations", "Pre-sales"],
    "Marketing": ["Content", "Brand", "Growth", "Events (small)", "Product marketing"],
    "Customer care": ["Support FR", "Support EN", "Onboarding", "Success", "Escalations (small)", "Knowledge base"],
    "Finance": ["Accounting", "Controlling", "Procurement", "Payroll (small)"],
    "People": ["Recruiting", "Learning", "HR business partners", "Legal"],
    "Operations": ["Logistics", "Facilities", "IT support", "Quality"],
}

COMMENTS = {
    "en": [
        "Clear rules on which data we may paste would help more than another tool.",
        "Training on real cases from our team, not generic webinars.",
        "I use my own ChatGPT account because the company tool is too limited.",
        "Time saved just turns into more tickets. Nobody asked us.",
        "I would like to be told honestly what happens to our jobs.",
        "Let us experiment without being judged for it. Ask Paul Martin, he agrees.",
        "I am tired in a different way than before: less typing, more checking.",
        "Deadlines got shorter as soon as management heard about AI.",
    ],
    "fr": [
        "Des règles claires sur les données qu'on peut copier, plutôt qu'un outil de plus.",
        "Une vraie formation sur nos cas concrets, pas des webinaires génériques.",
        "J'utilise mon compte perso parce que l'outil de l'entreprise est trop limité.",
        "Le temps gagné est aussitôt rempli par d'autres tâches.",
        "J'aimerais de la transparence sur l'avenir de nos postes. Écrivez-moi: jean.dupont@example.com",
        "On a l'impression de ne plus avoir le temps de réfléchir.",
        "Mon manager encourage à tester, c'est appréciable.",
        "Je me sens vidé en fin de journée, à force de tout relire.",
    ],
}


@dataclass
class DemoResult:
    organisation: Organisation
    closed_wave: Wave
    open_wave: Wave
    responses: int


def _tree(organisation: Organisation, rng: random.Random) -> list[Team]:
    root, _ = Team.objects.update_or_create(
        organisation=organisation, slug="all", defaults={"name": organisation.name, "parent": None}
    )
    leaves = []
    for department_name, team_names in DEPARTMENTS.items():
        department, _ = Team.objects.update_or_create(
            organisation=organisation,
            slug=department_name.lower().replace(" ", "-"),
            defaults={"name": department_name, "parent": root},
        )
        for team_name in team_names:
            small = "(small)" in team_name
            name = team_name.replace(" (small)", "")
            team, _ = Team.objects.update_or_create(
                organisation=organisation,
                slug=f"{department.slug}-{name.lower().replace(' ', '-')}",
                defaults={
                    "name": name,
                    "parent": department,
                    "headcount": rng.randint(3, 4) if small else rng.randint(25, 70),
                },
            )
            leaves.append(team)
    for department in Team.objects.filter(parent=root):
        department.headcount = sum(team.headcount for team in leaves if team.parent_id == department.id)
        department.save(update_fields=["headcount"])
    root.headcount = sum(team.headcount for team in leaves)
    root.save(update_fields=["headcount"])
    team_closure_rebuild(organisation=organisation)
    return leaves


def _latent(rng: np.random.Generator, team_effect: np.ndarray, shift: float) -> dict[str, float]:
    noise = rng.normal(size=7)
    adoption = team_effect[0] + shift + noise[0]
    enablement = team_effect[1] + noise[1]
    intensification = 0.45 * adoption + team_effect[2] + 0.8 * noise[2]
    fatigue = 0.6 * intensification - 0.3 * enablement + team_effect[3] + 0.7 * noise[3]
    job_fear = 0.3 * adoption - 0.35 * enablement + 0.9 * noise[4]
    shadow_ai = 0.5 * adoption - 0.55 * enablement + 0.8 * noise[5]
    enps = 0.5 * enablement - 0.45 * fatigue - 0.2 * job_fear + 0.8 * noise[6]
    return {
        "adoption": adoption,
        "enablement": enablement,
        "intensification": intensification,
        "fatigue": fatigue,
        "job_fear": job_fear,
        "shadow_ai": shadow_ai,
        "enps": enps,
    }


def _answer(question: Question, options: list, z: float, rng: np.random.Generator) -> int:
    if question.is_multiple:
        picked = [o.value for o in options if rng.random() < 1 / (1 + np.exp(-(z - 0.3)))]
        return sum(1 << value for value in picked)
    if question.type == Question.Type.SCALE10:
        return int(np.clip(round(7 + 1.6 * z + rng.normal(0, 0.8)), 0, 10))
    target = np.clip(50 + 22 * z + rng.normal(0, 12), 0, 100)
    return min(options, key=lambda option: abs((option.score or 0) - target)).value


def _allocate(rng: np.random.Generator, count: int, headcounts: list[int]) -> list[int]:
    """`count` respondents over teams in proportion to headcount, none above its headcount (what
    a frozen headcount allows): whatever a full team cannot take goes to teams with room left."""
    weights = np.array(headcounts, dtype=float)
    wanted = [
        min(int(n), cap) for n, cap in zip(rng.multinomial(count, weights / weights.sum()), headcounts, strict=True)
    ]
    left = count - sum(wanted)
    while left > 0:
        room = [index for index, cap in enumerate(headcounts) if wanted[index] < cap]
        for index in rng.permutation(room)[:left]:
            wanted[index] += 1
            left -= 1
    return wanted


class DemoTooLarge(ValueError):
    """More responses asked for than the demo organisation's headcounts can give."""


CLOSED_SHARE = 0.45  # of the responses, in the closed wave; the rest in the open one


def _split(responses: int) -> tuple[int, int]:
    closed = int(responses * CLOSED_SHARE)
    return closed, responses - closed


def demo_max_responses(*, seed: int = 7) -> int:
    """The most responses the demo holds: each wave takes at most one answer per employee."""
    employees = _headcount(random.Random(seed))
    most = int(employees / (1 - CLOSED_SHARE)) + 2
    while max(_split(most)) > employees:
        most -= 1
    return most


def _headcount(rng: random.Random) -> int:
    # The same draws as `_tree`, in the same order.
    return sum(
        rng.randint(3, 4) if "(small)" in name else rng.randint(25, 70)
        for names in DEPARTMENTS.values()
        for name in names
    )


def _responses(wave: Wave, teams: list[Team], count: int, shift: float, seed: int) -> int:
    rng = np.random.default_rng(seed)
    questions = list(wave.survey.questions.select_related("dimension").prefetch_related("options"))
    effects = {team.id: rng.normal(0, 0.6, size=4) for team in teams}
    for team in teams:  # departments share part of their teams' climate
        effects[team.id] += (hash(team.parent_id) % 7 - 3) * 0.08
    responses, answers, comments = [], [], []
    for team, wanted in zip(teams, _allocate(rng, count, [team.headcount for team in teams]), strict=True):
        for _ in range(wanted):
            latent = _latent(rng, effects[team.id], shift)
            response = Response(wave=wave, team=team, scored=False)
            responses.append(response)
            for question in questions:
                if rng.random() < 0.05:
                    continue  # skipped
                if question.is_text:
                    if rng.random() < 0.18:
                        language = "fr" if rng.random() < 0.6 else "en"
                        text = COMMENTS[language][int(rng.integers(len(COMMENTS[language])))]
                        comments.append(Comment(wave=wave, team=team, question=question, text=scrub(text).text))
                    continue
                value = _answer(question, list(question.options.all()), latent[question.dimension.code], rng)
                answers.append(Answer(response=response, question=question, wave=wave, team=team, value=value))
                response.scored |= any(option.score is not None for option in question.options.all())
    random.Random(seed).shuffle(responses)
    random.Random(seed + 1).shuffle(answers)
    Response.objects.bulk_create(responses, batch_size=2000)
    Answer.objects.bulk_create(answers, batch_size=5000)
    Comment.objects.bulk_create(comments, batch_size=2000)
    return len(responses)


@transaction.atomic
def demo_load(*, responses: int = 2000, seed: int = 7) -> DemoResult:
    """Creates (or re-creates) the demo organisation. Safe to run again. Refuses (DemoTooLarge)
    more responses than its headcounts hold: a wave takes at most one answer per employee."""
    rng = random.Random(seed)
    most = demo_max_responses(seed=seed)
    if responses > most:
        raise DemoTooLarge(
            f"The demo organisation has {_headcount(random.Random(seed)):,} employees and each wave takes at most "
            f"one answer per employee, so it holds at most {most:,} responses (asked for {responses:,}). "
            "For large volumes, bench/aggregate.py generates its own organisation."
        )
    survey: Survey = instrument_load_builtin()
    organisation, _ = Organisation.objects.update_or_create(slug="demo", defaults={"name": "Lumen Industries"})
    Wave.objects.filter(organisation=organisation).delete()
    teams = _tree(organisation, rng)
    now = timezone.now()
    closed = Wave.objects.create(
        organisation=organisation,
        survey=survey,
        name="AI at work pulse · spring",
        status=Wave.Status.CLOSED,
        opens_at=now - timedelta(days=200),
        closes_at=now - timedelta(days=180),
    )
    opened = Wave.objects.create(
        organisation=organisation,
        survey=survey,
        name="AI at work pulse · autumn",
        status=Wave.Status.OPEN,
        opens_at=now - timedelta(days=7),
        closes_at=now + timedelta(days=14),
    )
    closed_count, open_count = _split(responses)
    stored = _responses(closed, teams, closed_count, shift=-0.3, seed=seed)
    stored += _responses(opened, teams, open_count, shift=0.2, seed=seed + 1)
    return DemoResult(organisation=organisation, closed_wave=closed, open_wave=opened, responses=stored)
