"""The Content-Security-Policy in a real browser (Debian's chromium through Playwright) on the pages
that the employee and HR journeys (tests/survey/test_browser.py, tests/dashboard/test_browser.py)
do not open: the Django admin and the API's Swagger UI. Each page must work, and no violation may
happen, whether the page reports it (securitypolicyviolation) or Chromium logs it. The first test
shows that the policy is enforced and that the watch sees what it refuses."""

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import CspWatch

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


@pytest.fixture
def tab(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    csp = CspWatch(context)
    page = context.new_page()
    # Script errors and failed loads (but the browser's own /favicon.ico guess on the admin pages).
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "response",
        lambda response: (
            errors.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    yield page, csp, errors
    context.close()


def test_an_injected_inline_script_style_and_style_attribute_are_refused_and_seen(tab, live_server):
    page, csp, _ = tab
    page.goto(f"{live_server.url}/s/privacy/")
    csp.assert_none(page, "privacy page")
    # What an HTML injection would add; the DOM calls below stand in for the injected markup.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          const style = document.createElement("style");
          style.textContent = "body { background: rgb(255, 0, 0) }";
          document.head.append(style);
          document.querySelector("main").setAttribute("style", "color: rgb(255, 0, 0)");
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    assert page.evaluate("getComputedStyle(document.querySelector('main')).color") != "rgb(255, 0, 0)"
    refused = " ".join(csp.violations)
    assert "script-src-elem" in refused and "style-src-elem" in refused and "style-src-attr" in refused, refused


def test_admin_signs_in_and_its_forms_run_their_scripts_without_a_violation(tab, live_server, organisation):
    page, csp, errors = tab
    get_user_model().objects.create_superuser("root", "root@example.org", PASSWORD)
    page.goto(f"{live_server.url}/admin/")
    assert "/admin/login/" in page.url
    page.locator("#id_username").wait_for()
    csp.assert_none(page, "admin sign-in")
    page.locator("#id_username").fill("root")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("input[type=submit]").click()
    page.get_by_role("link", name="Teams").first.wait_for()
    csp.assert_none(page, "admin index")
    # The team form's slug follows the name (admin/js/prepopulate.js): the admin's scripts run.
    page.goto(f"{live_server.url}/admin/survey/team/add/")
    page.locator("#id_name").press_sequentially("Data Science")
    assert page.locator("#id_slug").input_value() == "data-science"
    csp.assert_none(page, "admin team form")
    # The nav sidebar's filter and a change list with its actions (admin/js/actions.js).
    page.goto(f"{live_server.url}/admin/survey/team/")
    page.locator("#result_list").wait_for()
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select:checked").count() == page.locator("input.action-select").count() > 0
    csp.assert_none(page, "admin team list")
    assert errors == [], errors


def test_swagger_ui_renders_its_operations_from_static_files_without_a_violation(tab, live_server):
    page, csp, errors = tab
    response = page.goto(f"{live_server.url}/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    operations = page.locator(".opblock")
    operations.first.wait_for()
    assert operations.count() >= 5, operations.count()
    assert page.locator(".opblock-tag", has_text="figures").count() == 1
    # Every script and stylesheet came from this server (drf-spectacular-sidecar): no CDN.
    sources = page.evaluate(
        "[...document.querySelectorAll('script[src], link[rel=stylesheet]')].map(e => e.src || e.href)"
    )
    assert len(sources) >= 4 and all(source.startswith(live_server.url) for source in sources), sources
    # Opening an operation renders its parameters and responses (React, and its highlighted examples).
    operations.first.locator(".opblock-summary").click()
    page.locator(".opblock.is-open .responses-wrapper").wait_for()
    page.locator(".opblock.is-open").get_by_role("button", name="Try it out").click()
    page.locator(".opblock.is-open .execute").wait_for()
    csp.assert_none(page, "Swagger UI")
    assert errors == [], errors
