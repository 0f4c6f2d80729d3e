"""Deltas, drivers and the aggregate command, end to end through real submissions."""

import io
import random

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from analytics.models import DriverResult
from analytics.selectors import wave_cells
from analytics.services.aggregation import wave_aggregate
from survey.models import Wave
from tests.analytics.helpers import respond
from tests.conftest import make_tree


@pytest.fixture
def two_waves(db, survey):
    organisation, teams = make_tree("deltas", {"d": {"a": 20, "b": 20}, "e": {"small": 4, "c": 20}})
    now = timezone.now()
    spring = Wave.objects.create(
        organisation=organisation,
        survey=survey,
        name="Spring",
        status=Wave.Status.OPEN,
        opens_at=now - timezone.timedelta(days=100),
    )
    autumn = Wave.objects.create(
        organisation=organisation,
        survey=survey,
        name="Autumn",
        status=Wave.Status.OPEN,
        opens_at=now - timezone.timedelta(days=1),
    )
    return spring, autumn, teams


def close(wave):
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.CLOSED)
    wave_aggregate(wave_id=wave.pk)


def fatigue(wave):
    return {cell.team.slug: cell for cell in wave_cells(wave=wave).filter(kind="dimension", code="fatigue")}


def test_deltas_against_the_previous_wave_and_the_organisation(two_waves):
    spring, autumn, teams = two_waves
    respond(spring, teams["a"], [{"fatigue_hard_to_focus": 2} for _ in range(6)])  # score 25
    respond(spring, teams["b"], [{"fatigue_hard_to_focus": 4} for _ in range(6)])  # score 75
    close(spring)
    respond(autumn, teams["a"], [{"fatigue_hard_to_focus": 3} for _ in range(6)])  # score 50
    respond(autumn, teams["b"], [{"fatigue_hard_to_focus": 4} for _ in range(6)])
    respond(autumn, teams["small"], [{"fatigue_hard_to_focus": 5} for _ in range(2)])
    respond(autumn, teams["c"], [{"fatigue_hard_to_focus": 1} for _ in range(6)])
    close(autumn)
    cells = fatigue(autumn)
    assert cells["a"].score == 50.0 and cells["a"].delta_previous == 25.0
    assert cells["b"].delta_previous == 0.0
    organisation = cells["all"].score
    assert cells["a"].delta_org == round(50.0 - organisation, 1)
    # Hidden on either side: no delta. small's 2 answers wait for k (release rule, closing included);
    # c had no spring cell.
    assert cells["small"].suppressed and cells["small"].delta_org is None and cells["small"].delta_previous is None
    assert not cells["c"].suppressed and cells["c"].delta_previous is None
    assert cells["e"].delta_previous is None and cells["e"].delta_org is not None


def test_drivers_for_a_closed_wave_with_enough_people(two_waves):
    spring, _, teams = two_waves
    rng = random.Random(3)
    answers = []
    for _ in range(40):
        load = rng.randint(1, 5)
        answers.append(
            {
                "intens_more_volume": load,
                "intens_shorter_deadlines": load,
                "fatigue_hard_to_focus": load,
                "fatigue_drained_end_of_day": min(5, max(1, load + rng.choice([-1, 0, 1]))),
                "enable_training": rng.randint(1, 5),
                "shadow_hide_from_manager": rng.randint(1, 5),
                "job_fear_two_years": rng.randint(1, 5),
                "adoption_routine": rng.randint(1, 5),
                "enps_recommend": rng.randint(0, 10),
            }
        )
    respond(spring, teams["a"], answers[:20])
    respond(spring, teams["b"], answers[20:])
    assert not DriverResult.objects.filter(wave=spring).exists(), "not while the wave is open"
    close(spring)
    fatigue_drivers = dict(
        DriverResult.objects.filter(wave=spring, team=teams["all"], outcome="fatigue").values_list(
            "driver", "coefficient"
        )
    )
    assert max(fatigue_drivers, key=lambda code: abs(fatigue_drivers[code])) == "intensification"
    assert DriverResult.objects.filter(wave=spring, team=teams["all"]).values_list("n", flat=True).first() == 40
    # Departments below 30 respondents are pooled into the organisation, not fitted alone.
    assert not DriverResult.objects.filter(wave=spring).exclude(team=teams["all"]).exclude(team=teams["d"]).exists()


def test_aggregate_command(two_waves):
    spring, _, teams = two_waves
    respond(spring, teams["a"], [{"enps_recommend": 9} for _ in range(3)])
    out = io.StringIO()
    call_command("aggregate", wave=str(spring.pk), full=True, stdout=out)
    assert "Spring" in out.getvalue() and "published" in out.getvalue()
    with pytest.raises(CommandError, match="No wave"):
        call_command("aggregate", wave="not-a-uuid", stdout=io.StringIO())
