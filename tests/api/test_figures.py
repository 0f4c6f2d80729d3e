"""Published cells, participation, heatmaps, trends and drivers: every number from published cells."""

from django.utils import timezone

from analytics.models import PublishedCell
from survey.models import Wave
from tests.conftest import publish


def test_cells_flat_table(api, published_wave, teams):
    response = api.get("/api/v1/cells/", {"wave": str(published_wave.pk), "page_size": 5000})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == PublishedCell.objects.filter(wave=published_wave).count()
    fatigue_a = next(row for row in rows if row["team_slug"] == "team-a" and row["code"] == "fatigue")
    assert fatigue_a["team_path"] == "Acme / dept / team-a"
    assert fatigue_a["level"] == 2
    assert fatigue_a["kind"] == "dimension"
    assert list(fatigue_a) == [
        "wave",
        "team",
        "team_slug",
        "team_path",
        "level",
        "kind",
        "code",
        "n",
        "score",
        "favourable_pct",
        "delta_org",
        "delta_previous",
        "suppressed",
        "reason",
    ]


def test_suppressed_cells_come_with_null_numbers_and_a_reason(api, published_wave):
    rows = api.get("/api/v1/cells/", {"wave": str(published_wave.pk), "page_size": 5000}).json()["results"]
    hidden = [row for row in rows if row["suppressed"]]
    assert any(row["team_slug"] == "team-c" and row["reason"] == "min_group" for row in hidden)
    for row in hidden:
        assert row["n"] is None and row["score"] is None and row["favourable_pct"] is None
        assert row["delta_org"] is None and row["reason"]
    shown = [row for row in rows if not row["suppressed"] and row["kind"] == "dimension" and row["n"]]
    assert all(row["n"] >= published_wave.k_min for row in shown)


def test_cell_filters(api, published_wave, teams):
    wave = str(published_wave.pk)
    by_team = api.get("/api/v1/cells/", {"wave": wave, "team": str(teams["team-a"].pk)}).json()["results"]
    assert {row["team_slug"] for row in by_team} == {"team-a"}
    subtree = api.get("/api/v1/cells/", {"wave": wave, "subtree": str(teams["dept"].pk), "page_size": 5000})
    assert {row["team_slug"] for row in subtree.json()["results"]} == {"dept", "team-a", "team-b", "team-c"}
    kind = api.get("/api/v1/cells/", {"wave": wave, "kind": "participation"}).json()["results"]
    assert {row["kind"] for row in kind} == {"participation"} and len(kind) == 7
    code = api.get("/api/v1/cells/", {"wave": wave, "code": "enps"}).json()["results"]
    assert {row["code"] for row in code} == {"enps"}
    dimension = api.get("/api/v1/cells/", {"wave": wave, "dimension": "adoption", "team": str(teams["all"].pk)})
    codes = {(row["kind"], row["code"]) for row in dimension.json()["results"]}
    assert ("dimension", "adoption") in codes and ("question", "adoption_frequency") in codes
    assert all(code == "adoption" or code.startswith("adoption") for _, code in codes)


def test_delta_org_is_score_minus_the_organisation(api, published_wave, teams):
    rows = api.get("/api/v1/cells/", {"wave": str(published_wave.pk), "code": "adoption"}).json()["results"]
    root = next(row for row in rows if row["team_slug"] == "all")
    assert root["delta_org"] == 0
    for row in rows:
        if not row["suppressed"]:
            assert row["delta_org"] == round(row["score"] - root["score"], 1)


def test_participation(api, published_wave):
    rows = api.get("/api/v1/participation/", {"wave": str(published_wave.pk)}).json()["results"]
    by_slug = {row["team_slug"]: row for row in rows}
    assert set(by_slug) == {"all", "dept", "other", "team-a", "team-b", "team-c", "team-d"}
    # 6 of 20: the 7th answer came alone after the last mixing batch and waits for k more (closing included).
    assert by_slug["team-d"]["n"] == 6 and by_slug["team-d"]["score"] == 30.0
    assert by_slug["team-c"]["suppressed"] and by_slug["team-c"]["n"] is None


def test_heatmap(api, published_wave):
    response = api.get("/api/v1/heatmap/", {"wave": str(published_wave.pk), "map": "wellbeing"})
    assert response.status_code == 200
    body = response.json()
    assert body["dimensions"] == ["fatigue", "intensification", "job_fear", "enps"]
    rows = {row["team_slug"]: row for row in body["rows"]}
    assert rows["all"]["level"] == 0 and rows["all"]["team_path"] == "Acme"
    assert set(rows["team-a"]["cells"]) == set(body["dimensions"])
    fatigue = rows["all"]["cells"]["fatigue"]
    assert set(fatigue) == {"score", "n", "favourable_pct", "delta_org", "delta_previous", "suppressed", "reason"}
    assert fatigue["n"] == 18 and fatigue["delta_org"] == 0  # 21 answered; 3 wait for k more (see conftest)
    assert rows["team-c"]["cells"]["fatigue"]["score"] is None
    adoption = api.get("/api/v1/heatmap/", {"wave": str(published_wave.pk), "map": "adoption"}).json()
    assert adoption["dimensions"] == ["adoption", "shadow_ai", "enablement"]


def test_trends_in_date_order_with_delta_previous(api, published_wave, teams, survey, answers):
    later = Wave.objects.create(
        organisation=published_wave.organisation,
        survey=survey,
        name="Winter",
        status="open",
        opens_at=timezone.now() - timezone.timedelta(days=1),
    )
    publish(later, {teams["team-a"]: 5, teams["team-d"]: 5}, {**answers, "fatigue_drained_end_of_day": 1})
    response = api.get("/api/v1/trends/", {"team": str(teams["all"].pk), "kind": "dimension", "code": "fatigue"})
    assert response.status_code == 200
    points = response.json()
    assert [point["wave_name"] for point in points] == ["Autumn", "Winter"]
    assert points[0]["n"] == 18 and points[1]["n"] == 10
    assert points[1]["delta_previous"] == round(points[1]["score"] - points[0]["score"], 1)


def test_drivers(api, wave, teams):
    """Drivers need 30 respondents (analytics.services.drivers.MIN_RESPONDENTS): 40 varied ones,
    so the organisation's fits exist and the endpoint has rows to show."""
    import random

    from analytics.services.aggregation import wave_aggregate
    from analytics.services.drivers import MIN_RESPONDENTS
    from survey.services.waves import wave_close
    from tests.analytics.helpers import respond

    rng = random.Random(11)
    varied = [
        {
            "adoption_routine": rng.randint(1, 5),
            "shadow_hide_from_colleagues": rng.randint(1, 5),
            "job_fear_two_years": rng.randint(1, 5),
            "intens_more_volume": rng.randint(1, 5),
            "fatigue_drained_end_of_day": rng.randint(1, 5),
            "enable_training": rng.randint(1, 5),
            "enps_recommend": rng.randint(0, 10),
        }
        for _ in range(40)
    ]
    assert len(varied) >= MIN_RESPONDENTS
    # Within the frozen headcounts (10 + 10 + 20): only the organisation reaches 30.
    respond(wave, teams["team-a"], varied[:10])
    respond(wave, teams["team-b"], varied[10:20])
    respond(wave, teams["team-d"], varied[20:])
    wave = wave_close(wave=wave)
    wave_aggregate(wave_id=wave.pk, full=True)
    response = api.get("/api/v1/drivers/", {"wave": str(wave.pk)})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["outcome"] for row in rows} == {"fatigue", "enps"}
    for row in rows:
        assert set(row) == {"wave", "team", "team_slug", "team_path", "outcome", "driver", "coefficient", "r2", "n"}
        assert row["n"] >= MIN_RESPONDENTS and row["driver"] != row["outcome"]
        assert row["team_slug"] == "all"  # departments (25 and 20 people) are pooled upwards


def test_distribution_is_what_the_hr_drill_down_shows(api, published_wave, teams, outsider):
    """A BI client fetches a dimension cell's questions and their published answer distributions:
    the same selector as the HR pages' drill-down, hidden cells without any count."""
    from analytics.models import PublishedCell

    url = "/api/v1/distribution/"
    shown = api.get(url, {"wave": published_wave.pk, "team": teams["team-a"].pk, "dimension": "adoption"}).json()
    assert shown["cell"]["n"] == 6 and not shown["cell"]["suppressed"]
    frequency = next(q for q in shown["questions"] if q["code"] == "adoption_frequency")
    stored = PublishedCell.objects.get(
        wave=published_wave, team=teams["team-a"], kind="question", code="adoption_frequency"
    )
    assert {str(a["value"]): a["count"] for a in frequency["answers"] if a["count"]} == {
        value: count for value, count in stored.distribution.items() if count
    }
    assert all(a["label_en"] and a["label_fr"] for a in frequency["answers"])
    hidden = api.get(url, {"wave": published_wave.pk, "team": teams["team-c"].pk, "dimension": "adoption"}).json()
    assert hidden["cell"]["suppressed"] and hidden["cell"]["n"] is None
    checked = 0
    for question in hidden["questions"]:
        assert question["suppressed"] and question["answers"] == [] and question["n"] is None
        checked += 1
    assert checked > 0
    for params, field in (
        ({"team": outsider["teams"]["north"].pk, "dimension": "adoption"}, "team"),
        ({"team": teams["team-a"].pk, "dimension": "nope"}, "dimension"),
        ({"team": "not-a-uuid", "dimension": "adoption"}, "team"),
    ):
        response = api.get(url, {"wave": published_wave.pk, **params})
        assert response.status_code == 400 and field in str(response.json()), params
