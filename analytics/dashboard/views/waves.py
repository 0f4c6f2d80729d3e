"""Waves and links (HR admin only): create, open, close; single-use links as CSV; open team link.

Every write goes through the survey services, the same ones the API calls, so a refusal (a wave
in the wrong state, links for a closed wave, more links than the frozen headcount) means the same
thing and has the same status here: 409 for a wrong state or seats used up, 410 for a closed wave.
"""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _

from analytics.dashboard.access import Viewer, dashboard_page
from analytics.dashboard.forms import LinksForm, OpenLinkForm, WaveForm
from analytics.dashboard.pages import page
from survey.models import Wave
from survey.selectors import wave_team_seats
from survey.services.invitations import LinksRefused, SeatsExhausted, WaveNotIssuable, invitations_issue
from survey.services.waves import wave_close, wave_create, wave_open
from survey.spreadsheet import spreadsheet_cell


def _waves_page(request: HttpRequest, viewer: Viewer, *, status: int = 200, error: str = "") -> HttpResponse:
    return page(request, "dashboard/waves.html", viewer, nav="waves", status=status, error=error)


@dashboard_page(manage=True)
def waves(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    return _waves_page(request, viewer)


@dashboard_page(manage=True, methods=("GET", "HEAD", "POST"))
def wave_new(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    form = WaveForm(request.POST or None, organisation=viewer.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            wave = wave_create(organisation=viewer.organisation, **form.cleaned_data)
        except ValidationError as error:  # the service's own check, should the form have missed one
            form.add_error(None, error)
        else:
            messages.success(request, _("Wave “%(name)s” created as a draft.") % {"name": wave.name})
            return redirect("dashboard:waves", organisation=viewer.organisation.slug)
    status = 400 if form.is_bound else 200
    return page(request, "dashboard/wave_new.html", viewer, nav="waves", form=form, status=status)


def _transition(request: HttpRequest, viewer: Viewer, wave: Wave, move, done: str) -> HttpResponse:
    """A wrong state (a second tab already opened or closed the wave) is the API's 409: the waves
    page again, with what happened, and nothing changed."""
    try:
        wave = move(wave=wave)
    except ValidationError:
        message = _("“%(name)s” is %(status)s now, so this cannot be done. Nothing was changed.") % {
            "name": wave.name,
            "status": Wave.objects.get(pk=wave.pk).get_status_display().lower(),
        }
        return _waves_page(request, viewer, status=409, error=message)
    messages.success(request, done % {"name": wave.name})
    return redirect("dashboard:waves", organisation=viewer.organisation.slug)


@dashboard_page(manage=True, methods=("POST",))
def wave_open_view(request: HttpRequest, viewer: Viewer, wave: Wave) -> HttpResponse:
    return _transition(request, viewer, wave, wave_open, _("Wave “%(name)s” is open: k and the team tree are fixed."))


@dashboard_page(manage=True, methods=("POST",))
def wave_close_view(request: HttpRequest, viewer: Viewer, wave: Wave) -> HttpResponse:
    return _transition(
        request, viewer, wave, wave_close, _("Wave “%(name)s” is closed: its figures are being computed.")
    )


def _links_page(request: HttpRequest, viewer: Viewer, wave: Wave, *, status: int = 200, **forms) -> HttpResponse:
    teams = wave_team_seats(wave=wave) if wave.status != Wave.Status.DRAFT else []
    forms.setdefault("links_form", LinksForm(teams=teams))
    forms.setdefault("open_link_form", OpenLinkForm(teams=teams))
    return page(
        request,
        "dashboard/wave_links.html",
        viewer,
        wave=wave if wave.status != Wave.Status.DRAFT else None,
        nav="waves",
        status=status,
        link_wave=wave,
        frozen_teams=teams,
        **forms,
    )


def _refusal(wave: Wave, error: LinksRefused, form: LinksForm) -> int:
    """The form's message and the API's status for a refusal of the links service."""
    if isinstance(error, WaveNotIssuable):
        wave.refresh_from_db(fields=["status"])  # the service read the row; this copy may predate a close
        if wave.status == Wave.Status.CLOSED:
            form.add_error(None, _("This wave is closed: it takes no more links. Nothing was issued."))
            return 410
        form.add_error(None, _("Open the wave first: links count against the headcounts it freezes when it opens."))
        return 409
    if isinstance(error, SeatsExhausted):
        row = next(r for r in wave_team_seats(wave=wave) if r.team.pk == form.chosen().team.pk)
        form.add_error(
            "count",
            _(
                "Too many links: %(team)s can take at most %(remaining)s more (no team gets more links than the "
                "people it had when the wave opened). Nothing was issued."
            )
            % {"team": row.team.name, "remaining": row.remaining},
        )
        return 409
    form.add_error(None, str(error))
    return 400


@dashboard_page(manage=True, methods=("GET", "HEAD", "POST"))
def wave_links(request: HttpRequest, viewer: Viewer, wave: Wave) -> HttpResponse:
    if request.method != "POST":
        return _links_page(request, viewer, wave)
    teams = wave_team_seats(wave=wave)
    form = LinksForm(request.POST, teams=teams)
    if wave.status == Wave.Status.DRAFT:  # no frozen tree to choose from yet; the service refuses it too
        form.add_error(None, _("Open the wave first: links count against the headcounts it freezes when it opens."))
        return _links_page(request, viewer, wave, status=409, links_form=form)
    if not form.is_valid():
        return _links_page(request, viewer, wave, status=400, links_form=form)
    chosen = form.chosen()
    try:
        # The service refuses a wave that is not open (closed included): the view does not decide that.
        links = invitations_issue(wave=wave, team=chosen.team, count=form.cleaned_data["count"])
    except LinksRefused as error:
        status = _refusal(wave, error, form)
        return _links_page(request, viewer, wave, status=status, links_form=form)
    filename = f"links-{slugify(wave.name) or wave.pk}-{chosen.team.slug}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)  # secrets: never kept by the browser or a proxy
    writer = csv.writer(response)
    writer.writerow(["team", "team_path", "link"])
    for link in links:
        # HR opens this file in a spreadsheet or a mail-merge tool, and HR named the teams.
        writer.writerow([spreadsheet_cell(chosen.team.name), spreadsheet_cell(chosen.path), spreadsheet_cell(link.url)])
    return response


@dashboard_page(manage=True, methods=("POST",))
def wave_open_link(request: HttpRequest, viewer: Viewer, wave: Wave) -> HttpResponse:
    teams = wave_team_seats(wave=wave)
    form = OpenLinkForm(request.POST, teams=teams)
    if not form.is_valid():
        return _links_page(request, viewer, wave, status=400, open_link_form=form)
    if not wave.allow_open_links:
        form.add_error(None, _("This wave does not allow open team links: use single-use links."))
        return _links_page(request, viewer, wave, status=400, open_link_form=form)
    chosen = form.chosen()
    try:
        [link] = invitations_issue(wave=wave, team=chosen.team, count=1, reusable=True)
    except LinksRefused as error:
        status = _refusal(wave, error, form)
        return _links_page(request, viewer, wave, status=status, open_link_form=form)
    response = page(
        request, "dashboard/wave_open_link.html", viewer, wave=wave, nav="waves", link_wave=wave, row=chosen, link=link
    )
    add_never_cache_headers(response)
    return response


urlpatterns = [
    path("<slug:organisation>/waves/", waves, name="waves"),
    path("<slug:organisation>/waves/new/", wave_new, name="wave-new"),
    path("<slug:organisation>/waves/<uuid:wave>/open/", wave_open_view, name="wave-open"),
    path("<slug:organisation>/waves/<uuid:wave>/close/", wave_close_view, name="wave-close"),
    path("<slug:organisation>/waves/<uuid:wave>/links/", wave_links, name="wave-links"),
    path("<slug:organisation>/waves/<uuid:wave>/open-link/", wave_open_link, name="wave-open-link"),
]
