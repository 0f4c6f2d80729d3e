"""Where a signed-in person lands: their organisation, then its latest wave."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from analytics.dashboard.access import Viewer, dashboard_page
from analytics.dashboard.pages import page
from survey.roles import user_memberships


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    memberships = list(user_memberships(user=request.user).order_by("organisation__name"))
    if len(memberships) == 1:
        return redirect("dashboard:organisation", organisation=memberships[0].organisation.slug)
    # No membership: signed in, but nothing to show here (an operator uses the admin).
    status = 200 if memberships else 403
    return render(request, "dashboard/organisations.html", {"memberships": memberships}, status=status)


@dashboard_page()
def organisation(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    """The latest wave that has figures, else the waves page (HR admin) or an empty page."""
    waves = [wave for wave in viewer.waves() if wave.status != wave.Status.DRAFT]
    if waves:
        return redirect("dashboard:overview", organisation=viewer.organisation.slug, wave=waves[0].pk)
    if viewer.can_manage:
        return redirect("dashboard:waves", organisation=viewer.organisation.slug)
    return page(request, "dashboard/no_wave.html", viewer)
