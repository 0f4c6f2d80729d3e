"""Team tree, surveys and waves, scoped to the key's organisation."""

from survey.models import Option


def test_team_tree_with_paths_and_levels(api, teams):
    response = api.get("/api/v1/teams/")
    assert response.status_code == 200
    by_slug = {team["slug"]: team for team in response.json()["results"]}
    assert set(by_slug) == {"all", "dept", "other", "team-a", "team-b", "team-c", "team-d"}
    team_a = by_slug["team-a"]
    assert team_a["path"] == "Acme / dept / team-a"
    assert team_a["level"] == 2
    assert team_a["parent"] == str(teams["dept"].pk)
    assert team_a["headcount"] == 10
    assert by_slug["all"]["parent"] is None and by_slug["all"]["level"] == 0


def test_team_subtree_filter(api, teams):
    response = api.get("/api/v1/teams/", {"subtree": str(teams["dept"].pk)})
    assert {team["slug"] for team in response.json()["results"]} == {"dept", "team-a", "team-b", "team-c"}


def test_team_detail(api, teams):
    response = api.get(f"/api/v1/teams/{teams['team-d'].pk}/")
    assert response.status_code == 200
    assert response.json()["path"] == "Acme / other / team-d"


def test_surveys_with_dimensions_and_questions(api, survey):
    response = api.get("/api/v1/surveys/")
    assert response.status_code == 200
    [listed] = [item for item in response.json()["results"] if item["id"] == str(survey.pk)]
    assert listed["builtin"] is True
    assert {dimension["code"] for dimension in listed["dimensions"]} >= {"adoption", "shadow_ai", "fatigue", "enps"}
    question = next(q for q in listed["questions"] if q["code"] == "adoption_frequency")
    assert question["dimension"] == "adoption" and question["text_en"] and question["text_fr"]
    # A BI client can label a published distribution: each option's value and its FR and EN labels.
    stored = list(Option.objects.filter(question__survey=survey, question__code="adoption_frequency"))
    assert len(stored) > 1
    assert [(o["value"], o["label_en"], o["label_fr"], o["score"]) for o in question["options"]] == [
        (o.value, o.label_en, o.label_fr, o.score) for o in stored
    ]
    assert api.get(f"/api/v1/surveys/{survey.pk}/").json()["code"] == survey.code


def test_waves(api, published_wave):
    response = api.get("/api/v1/waves/")
    [wave] = response.json()["results"]
    assert wave["id"] == str(published_wave.pk)
    assert wave["status"] == "closed"
    assert wave["k_min"] == 5 and wave["k_comments"] == 10
    assert api.get("/api/v1/waves/", {"status": "draft"}).json()["results"] == []
    assert api.get(f"/api/v1/waves/{published_wave.pk}/").json()["name"] == "Autumn"


def test_pagination_with_a_cursor(api, teams):
    first = api.get("/api/v1/teams/", {"page_size": 3}).json()
    assert len(first["results"]) == 3 and first["next"]
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    slugs = [team["slug"] for page in (first, second, third) for team in page["results"]]
    assert len(slugs) == len(set(slugs)) == 7
    assert third["next"] is None
