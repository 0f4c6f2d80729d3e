"""Security headers on every kind of page: the employee's survey pages, the HR dashboard (charts
drawn by Plotly), the Django admin and the API's Swagger UI. The Content-Security-Policy is the
strict one of config/settings/base.py, and every page keeps to it: no inline script, <style>,
style="" or event-handler attribute, every script and stylesheet from our own /static/.
tests/test_csp_browser.py and the browser journeys check the same in Chromium."""

import base64
import hashlib
import re
from html.parser import HTMLParser
from pathlib import Path

import plotly
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from survey.models import Membership, Team
from survey.services.members import membership_add
from survey.services.waves import wave_create, wave_open

STRICT_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "style-src-elem": [
        "'self'",
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # the empty string
        "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # MapLibre's CSS inside plotly.min.js
    ],
    "style-src-attr": ["'unsafe-hashes'", "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"],
    "img-src": ["'self'", "data:", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} twice"
        directives[name] = sources
    return directives


class InlineCode(HTMLParser):
    """What a strict CSP refuses in a page's markup, and the addresses of its scripts and stylesheets."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "script":
            if attrs.get("src"):
                self.sources.append(attrs["src"])
            elif attrs.get("type") != "application/json":  # json_script: data, never run
                self.refused.append(f"inline <script> {attrs}")
        if tag == "style":
            self.refused.append("<style> element")
        if tag == "link" and attrs.get("rel") == "stylesheet":
            self.sources.append(attrs["href"])
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.refused.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.refused.append(f"<{tag} {name}={value!r}>")


def assert_strict_page(response, *, name: str) -> InlineCode:
    assert response.status_code == 200, (name, response.status_code)
    assert policy(response) == STRICT_POLICY, name
    assert response["Referrer-Policy"] == "same-origin", name
    assert response["X-Content-Type-Options"] == "nosniff", name
    assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
    assert response["X-Frame-Options"] == "DENY", name
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"], name
    markup = InlineCode()
    markup.feed(response.content.decode())
    assert markup.refused == [], (name, markup.refused)
    # From this server only (our static files, or the docs' start-up script): no CDN, no "//host/".
    assert markup.sources, f"{name}: no stylesheet found, so nothing was checked"
    assert all(re.match(r"/(?!/)", source) for source in markup.sources), (name, markup.sources)
    return markup


def test_the_markup_check_finds_what_the_policy_refuses():
    markup = InlineCode()
    markup.feed(
        '<script>alert(1)</script><script type="application/json">{}</script><style>p{}</style>'
        '<p style="color: red" onclick="go()"><a href="javascript:go()">x</a></p><script src="/static/a.js"></script>'
    )
    assert len(markup.refused) == 5, markup.refused  # the JSON block is data, not code
    assert markup.sources == ["/static/a.js"]


def test_employee_pages_from_the_link_to_the_receipt(client, tokens):
    assert_strict_page(client.get("/s/privacy/"), name="privacy")
    client.get(f"/s/{tokens[0]}/")
    assert_strict_page(client.get("/s/"), name="welcome")
    assert_strict_page(client.get("/s/questions/"), name="questions")
    receipt = client.post("/s/questions/", {"adoption_frequency": "5", "enps_recommend": "8"})
    assert "Thank you" in receipt.content.decode()
    assert_strict_page(receipt, name="receipt")
    # A token link itself redirects; the redirect carries the policy too.
    assert "frame-ancestors 'none'" in client.get(f"/s/{tokens[1]}/")["Content-Security-Policy"]


def test_comment_confirmation_page(client, tokens):
    client.get(f"/s/{tokens[0]}/")
    page = client.post(
        "/s/questions/", {"adoption_frequency": "5", "comment_ai_help": "Ask jane.doe@example.com about it"}
    )
    assert "[EMAIL]" in page.content.decode()
    assert_strict_page(page, name="confirm")


@pytest.fixture
def hr_client(organisation) -> Client:
    user = membership_add(organisation=organisation, username="hr-headers", role=Membership.Role.HR_ADMIN).user
    client = Client()
    client.force_login(user)
    return client


def test_dashboard_pages_with_their_charts(hr_client, published_wave, organisation, survey):
    slug, pk = organisation.slug, published_wave.pk
    team = Team.objects.get(organisation=organisation, slug="team-a")
    open_wave = wave_open(wave=wave_create(organisation=organisation, survey=survey, name="Winter"))
    pages = {
        "sign-in": Client().get(reverse("dashboard:login")),
        "overview": hr_client.get(reverse("dashboard:overview", args=[slug, pk])),
        "adoption heatmap": hr_client.get(reverse("dashboard:heatmap", args=[slug, pk, "adoption"])),
        "wellbeing heatmap": hr_client.get(reverse("dashboard:heatmap", args=[slug, pk, "wellbeing"])),
        "cell": hr_client.get(reverse("dashboard:cell", args=[slug, pk, team.pk, "adoption"])),
        "trends": hr_client.get(reverse("dashboard:trends", args=[slug])),
        "drivers": hr_client.get(reverse("dashboard:drivers", args=[slug, pk])),
        "comments": hr_client.get(reverse("dashboard:comments", args=[slug, pk])),
        "print": hr_client.get(reverse("dashboard:print", args=[slug, pk])),
        "waves": hr_client.get(reverse("dashboard:waves", args=[slug])),
        "new wave": hr_client.get(reverse("dashboard:wave-new", args=[slug])),
        "links": hr_client.get(reverse("dashboard:wave-links", args=[slug, open_wave.pk])),
    }
    for name, response in pages.items():
        markup = assert_strict_page(response, name=name)
        if "heatmap" in name:
            assert any(source.endswith("plotly/plotly.min.js") for source in markup.sources), name
    # The pages whose bars and indentation used to be style="" attributes.
    assert b'<svg class="dist-bar"' in pages["cell"].content
    assert b'class="tree-name"' in pages["links"].content


def test_admin_sign_in_index_list_and_forms(client, organisation):
    assert_strict_page(client.get("/admin/login/"), name="admin sign-in")
    root = get_user_model().objects.create_superuser("root", "root@example.org", "not-used")
    client.force_login(root)
    team = Team.objects.filter(organisation=organisation).first()
    pages = ["/admin/", "/admin/survey/team/", "/admin/survey/team/add/", f"/admin/survey/team/{team.pk}/change/"]
    for url in pages:
        assert_strict_page(client.get(url), name=url)


def test_api_docs_load_swagger_ui_and_its_start_up_script_from_our_server(client):
    markup = assert_strict_page(client.get("/api/v1/docs/"), name="Swagger UI")
    assets = [source for source in markup.sources if source.startswith("/static/drf_spectacular_sidecar/")]
    assert len(assets) == 3, markup.sources  # swagger-ui.css, swagger-ui-bundle.js, the standalone preset
    # The start-up script that drf-spectacular would inline comes from the split view instead.
    (script_url,) = [source for source in markup.sources if source.startswith("/api/v1/docs/?")]
    script = client.get(script_url)
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle(" in script.content
    assert b'"validatorUrl": null' in script.content  # nothing sent to validator.swagger.io
    assert script["X-Content-Type-Options"] == "nosniff"


def test_api_answers_carry_the_headers_too(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert policy(response) == STRICT_POLICY
    assert response["X-Content-Type-Options"] == "nosniff"


def test_maplibre_hash_is_the_one_plotly_min_js_injects():
    """plotly.min.js injects one stylesheet with content at load (MapLibre's); its hash is in the
    policy. A Plotly upgrade that changes it fails here, before the browser tests."""
    bundle = (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").read_text()
    injected = re.findall(r"""createElement\("style"\);\w+\.id="[0-9a-f]+",\w+\.textContent='([^'\\]*)'""", bundle)
    assert len(injected) == 1, "plotly.min.js injects another inline stylesheet: see config/settings/base.py"
    digest = base64.b64encode(hashlib.sha256(injected[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in STRICT_POLICY["style-src-elem"]
