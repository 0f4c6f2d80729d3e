"""The heatmaps, a cell's drill-down and the heatmap CSV: scoped to the viewer, figures straight
from published cells, reasons in words in both languages."""

import io
import json
import re
from html.parser import HTMLParser

import pandas as pd
import pytest
from django.urls import reverse
from django.utils import timezone

from analytics.cells import CELL_COLUMNS, HEATMAPS
from analytics.models import PublishedCell
from survey.models import Team
from survey.services.waves import wave_close
from tests.analytics.helpers import respond
from tests.api.conftest import client_with, new_key
from tests.dashboard.conftest import signed_in


class CellCollector(HTMLParser):
    """The heatmap table's cells: (team, code) -> the <td>'s data attributes and its text."""

    def __init__(self) -> None:
        super().__init__()
        self.team = None
        self.cells: dict = {}
        self.rows: list = []
        self.current = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "tr" and "data-team" in attrs:
            self.team = attrs["data-team"]
            self.rows.append(self.team)
        elif tag == "td" and self.team and "data-code" in attrs:
            self.current = (self.team, attrs["data-code"])
            self.cells[self.current] = {**attrs, "text": ""}

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current:
            self.cells[self.current]["text"] += data


def collect(response) -> CellCollector:
    collector = CellCollector()
    collector.feed(response.content.decode())
    return collector


def plot_data(response) -> dict:
    match = re.search(r'<script id="heatmap-data" type="application/json">(.*?)</script>', response.content.decode())
    assert match
    return json.loads(match.group(1))


def heatmap_url(wave, name="adoption", organisation=None) -> str:
    return reverse("dashboard:heatmap", args=[organisation or wave.organisation.slug, wave.pk, name])


def csv_url(wave, name="adoption") -> str:
    return reverse("dashboard:heatmap-csv", args=[wave.organisation.slug, wave.pk, name])


def cell_url(wave, team, code) -> str:
    return reverse("dashboard:cell", args=[wave.organisation.slug, wave.pk, team.pk, code])


FROZEN_ORDER = ["all", "dept", "team-a", "team-b", "team-c", "other", "team-d"]


def slugs(ids: list) -> list:
    by_id = {str(team.pk): team.slug for team in Team.objects.all()}
    return [by_id[team_id] for team_id in ids]


def test_an_hr_admin_sees_every_team_of_the_frozen_tree_in_order(hr_admin, published_wave):
    response = signed_in(hr_admin).get(heatmap_url(published_wave))
    assert response.status_code == 200
    assert slugs(collect(response).rows) == FROZEN_ORDER
    data = plot_data(response)
    assert slugs([row["team"] for row in data["rows"]]) == FROZEN_ORDER
    assert [row["depth"] for row in data["rows"]] == [0, 1, 2, 2, 2, 1, 2]
    assert len(data["columns"]) == len(HEATMAPS["adoption"])
    assert b"plotly/plotly.min.js" in response.content and b"js/heatmap.js" in response.content


def test_the_frozen_tree_wins_over_later_edits(hr_admin, published_wave, teams):
    """A team moved after the wave opened still shows where it was when the wave froze."""
    Team.objects.filter(pk=teams["team-d"].pk).update(parent=teams["dept"])
    response = signed_in(hr_admin).get(heatmap_url(published_wave))
    assert slugs(collect(response).rows) == FROZEN_ORDER


def test_a_manager_sees_their_department_only(manager, published_wave, teams):
    client = signed_in(manager)
    response = client.get(heatmap_url(published_wave, "wellbeing"))
    assert response.status_code == 200
    assert slugs(collect(response).rows) == ["dept", "team-a", "team-b", "team-c"]
    assert slugs([row["team"] for row in plot_data(response)["rows"]]) == ["dept", "team-a", "team-b", "team-c"]
    assert [row["depth"] for row in plot_data(response)["rows"]] == [0, 1, 1, 1]
    assert client.get(cell_url(published_wave, teams["team-d"], "adoption")).status_code == 404
    assert client.get(cell_url(published_wave, teams["all"], "adoption")).status_code == 404
    assert client.get(cell_url(published_wave, teams["team-a"], "adoption")).status_code == 200


def test_nobody_reads_another_organisation(manager, stranger, hr_admin, published_wave, teams):
    globex = Team.objects.get(organisation__slug="globex", slug="north")
    globex_wave = globex.organisation.waves.get()
    for user in (manager, hr_admin):
        client = signed_in(user)
        assert client.get(heatmap_url(globex_wave)).status_code == 404
        assert client.get(csv_url(globex_wave)).status_code == 404
        assert client.get(cell_url(globex_wave, globex, "adoption")).status_code == 404
        # The other organisation's wave through our own slug: no such wave here either.
        assert client.get(heatmap_url(globex_wave, organisation="acme")).status_code == 404
    client = signed_in(stranger)
    assert client.get(heatmap_url(published_wave)).status_code == 404
    assert client.get(csv_url(published_wave)).status_code == 404
    assert client.get(cell_url(published_wave, teams["team-a"], "adoption")).status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, published_wave):
    response = client.get(heatmap_url(published_wave))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("dashboard:login"))


def test_bad_input_is_a_404_never_a_500(hr_admin, published_wave, teams):
    client = signed_in(hr_admin)
    assert client.get(heatmap_url(published_wave, "nope")).status_code == 404
    assert client.get(csv_url(published_wave, "nope")).status_code == 404
    assert client.get(cell_url(published_wave, teams["team-a"], "no-such-dimension")).status_code == 404
    wave_url = heatmap_url(published_wave)
    assert client.get(wave_url.replace(str(published_wave.pk), "not-a-uuid")).status_code == 404
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(wave_url.replace(str(published_wave.pk), missing)).status_code == 404
    url = cell_url(published_wave, teams["team-a"], "adoption").replace(str(teams["team-a"].pk), missing)
    assert client.get(url).status_code == 404


def test_printed_values_are_the_published_cells(hr_admin, published_wave):
    for name, codes in HEATMAPS.items():
        response = signed_in(hr_admin).get(heatmap_url(published_wave, name))
        table = collect(response).cells
        plot = plot_data(response)
        published = PublishedCell.objects.filter(wave=published_wave, kind="dimension", code__in=codes)
        compared = 0
        for cell in published:
            shown = table[(str(cell.team_id), cell.code)]
            row = [str(row["team"]) for row in plot["rows"]].index(str(cell.team_id))
            drawn = plot["cells"][row][list(codes).index(cell.code)]
            assert drawn["hidden"] == cell.suppressed
            if cell.suppressed:
                assert "data-score" not in shown and drawn["score"] is None
            else:
                assert float(shown["data-score"]) == cell.score
                assert f"{cell.score:.1f}" in shown["text"]
                assert int(shown["data-n"]) == cell.n
                assert (drawn["score"], drawn["n"], drawn["favourable"]) == (cell.score, cell.n, cell.favourable_pct)
                compared += 1
        assert compared >= 5


@pytest.mark.parametrize(
    ("headers", "min_group", "complementary"),
    [
        ({}, "fewer than 5 answers", "hidden so that a smaller group cannot be worked out"),
        (
            {"HTTP_ACCEPT_LANGUAGE": "fr"},
            "moins de 5 réponses",
            "masqué pour qu’on ne puisse pas en déduire un groupe plus petit",
        ),
    ],
)
def test_hidden_cells_say_why_in_words(hr_admin, published_wave, teams, headers, min_group, complementary):
    # team-c has 2 answers (below k); team-b is hidden as the gate hides a sibling to protect it.
    PublishedCell.objects.filter(wave=published_wave, team=teams["team-b"], kind="dimension", code="adoption").update(
        n=None, score=None, favourable_pct=None, suppressed=True, reason=PublishedCell.Reason.COMPLEMENTARY
    )
    client = signed_in(hr_admin)
    response = client.get(heatmap_url(published_wave), **headers)
    table = collect(response).cells
    assert min_group in table[(str(teams["team-c"].pk), "adoption")]["text"]
    assert complementary in table[(str(teams["team-b"].pk), "adoption")]["text"]
    hover = plot_data(response)["cells"][FROZEN_ORDER.index("team-b")][0]
    assert hover["reason"] == complementary and hover["hidden"]
    page = client.get(cell_url(published_wave, teams["team-c"], "adoption"), **headers).content.decode()
    assert min_group in page


def test_the_drill_down_shows_each_question_and_its_published_distribution(hr_admin, published_wave, teams):
    response = signed_in(hr_admin).get(cell_url(published_wave, teams["dept"], "adoption"))
    assert response.status_code == 200
    page = response.content.decode()
    cell = PublishedCell.objects.get(
        wave=published_wave, team=teams["dept"], kind="question", code="adoption_frequency"
    )
    assert not cell.suppressed and cell.distribution == {"6": 12}
    question = published_wave.survey.questions.get(code="adoption_frequency")
    assert question.text_en in page
    section = page[page.index('data-question="adoption_frequency"') :]
    section = section[: section.index("</section>")]
    assert '<tr data-value="6">' in section
    row = section[section.index('<tr data-value="6">') :]
    assert re.search(r'<td class="num">12</td>\s*<td class="num">100.0 %</td>', row)
    assert question.options.get(value=6).label_en in section
    # A question nobody answered is hidden with its reason, no numbers.
    hidden = page[page.index('data-question="adoption_routine"') :]
    assert "fewer than 5 answers" in hidden[: hidden.index("</section>")]
    french = signed_in(hr_admin).get(cell_url(published_wave, teams["dept"], "adoption"), HTTP_ACCEPT_LANGUAGE="fr")
    assert question.text_fr in french.content.decode()
    assert question.options.get(value=6).label_fr in french.content.decode()


def read_csv(response) -> pd.DataFrame:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment;")
    return pd.read_csv(io.StringIO(response.content.decode("utf-8")))


def test_the_csv_holds_the_visible_rows_with_the_apis_figures(hr_admin, manager, published_wave, organisation):
    frame = read_csv(signed_in(hr_admin).get(csv_url(published_wave)))
    assert list(frame.columns)[: len(CELL_COLUMNS)] == list(CELL_COLUMNS)
    assert len(frame) == len(FROZEN_ORDER) * len(HEATMAPS["adoption"])
    assert frame["team_path"].iloc[0] == "Acme" and "Acme / dept / team-a" in set(frame["team_path"])
    api = client_with(new_key(organisation))
    rows = api.get("/api/v1/cells/", {"wave": str(published_wave.pk), "kind": "dimension", "page_size": 5000})
    by_key = {(row["team"], row["code"]): row for row in rows.json()["results"]}
    compared = 0
    for record in frame.to_dict("records"):
        expected = by_key[(record["team"], record["code"])]
        for figure in ("n", "score", "favourable_pct", "delta_org", "delta_previous", "suppressed", "reason"):
            value = record[figure]
            if expected[figure] is None or expected[figure] == "":
                assert pd.isna(value), (record["team_path"], figure)
            else:
                assert value == pytest.approx(expected[figure]), (record["team_path"], figure)
                compared += 1
        assert record["team_path"] == expected["team_path"]
    assert compared > 10
    hidden = frame[frame["suppressed"]]
    assert len(hidden) and set(hidden["reason_words"]) == {"fewer than 5 answers"}

    managed = read_csv(signed_in(manager).get(csv_url(published_wave, "wellbeing")))
    assert len(managed) == 4 * len(HEATMAPS["wellbeing"])
    assert sorted(set(managed["team_slug"])) == ["dept", "team-a", "team-b", "team-c"]


def test_csv_text_cannot_start_a_formula(hr_admin, published_wave, teams):
    # The root's name starts every team_path: a formula there would reach every row.
    Team.objects.filter(pk=teams["all"].pk).update(name='=HYPERLINK("http://x","y")')
    frame = read_csv(signed_in(hr_admin).get(csv_url(published_wave)))
    checked = 0
    for column in ("team_path", "team_slug", "kind", "code", "reason", "dimension_name", "reason_words"):
        for value in frame[column].dropna():
            assert not str(value).startswith(("=", "+", "-", "@")), (column, value)
            checked += 1
    assert checked > 0
    assert frame["team_path"].iloc[0] == '\'=HYPERLINK("http://x","y")'


@pytest.fixture
def varied_wave(wave, teams, answers):
    """team-a all at the top of the adoption scale (no spread), team-d split between both ends."""
    wave.opens_at = timezone.now() - timezone.timedelta(days=10)
    wave.save(update_fields=["opens_at"])
    respond(wave, teams["team-a"], [{**answers, "adoption_frequency": 7}] * 6)
    respond(wave, teams["team-b"], [{**answers, "adoption_frequency": value} for value in (3, 4, 3, 4, 3, 4)])
    respond(wave, teams["team-d"], [{**answers, "adoption_frequency": value} for value in (1, 7, 1, 7, 1, 7)])
    from analytics.services.aggregation import wave_aggregate

    wave = wave_close(wave=wave)
    wave_aggregate(wave_id=wave.pk, full=True)
    return wave


def test_meaningful_deltas_are_marked_only_beyond_their_noise(hr_admin, varied_wave, teams):
    response = signed_in(hr_admin).get(heatmap_url(varied_wave))
    data = plot_data(response)
    adoption = {slug: data["cells"][i][0] for i, slug in enumerate(slugs([row["team"] for row in data["rows"]]))}
    assert adoption["team-a"]["score"] == 100.0 and adoption["team-a"]["deltaOrg"] > 0
    assert adoption["team-a"]["meaningfulOrg"] is True  # everyone gave the same answer: no noise
    assert adoption["team-d"]["n"] == 6 and abs(adoption["team-d"]["deltaOrg"]) < 20
    assert adoption["team-d"]["meaningfulOrg"] is False  # half at 0, half at 100: within noise
    assert adoption["all"]["meaningfulOrg"] is None  # the organisation against itself
    assert all(row[0]["meaningfulPrevious"] is None for row in data["cells"])  # no previous wave
    table = collect(response).cells
    assert "▲" in table[(str(teams["team-a"].pk), "adoption")]["text"]
    assert "▲" not in table[(str(teams["team-d"].pk), "adoption")]["text"]
    assert "▼" not in table[(str(teams["team-d"].pk), "adoption")]["text"]


def test_the_page_costs_a_handful_of_queries(hr_admin, published_wave, django_assert_max_num_queries):
    client = signed_in(hr_admin)
    client.get(heatmap_url(published_wave))  # session and language settle
    with django_assert_max_num_queries(16):
        assert client.get(heatmap_url(published_wave)).status_code == 200
