"""Who may see what on the HR pages.

A page's URL names an organisation; the signed-in user must hold a Membership there, or the page
does not exist for them (404: another organisation's slug, wave or team reveals nothing). An HR
admin sees the whole tree and manages waves and links; a staff representative reads the whole
tree; a manager reads only the subtree under their team, and a page that writes answers 403.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404

from analytics.selectors import organisation_waves
from survey.models import Membership, Organisation, Team, TeamClosure, Wave, WaveTeamClosure
from survey.roles import user_memberships


@dataclass
class Viewer:
    membership: Membership
    _teams: dict = field(default_factory=dict, repr=False)

    @property
    def organisation(self) -> Organisation:
        return self.membership.organisation

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def can_manage(self) -> bool:
        return self.role == Membership.Role.HR_ADMIN

    @property
    def subtree_root(self) -> Team | None:
        """The manager's team; None for roles that see the whole organisation."""
        return self.membership.team if self.role == Membership.Role.MANAGER else None

    def team_ids(self, wave: Wave | None = None) -> set:
        """The teams this viewer may see: in the wave's frozen tree when the wave has one (that is
        the tree its figures use), else in the organisation's live tree."""
        key = wave.pk if wave is not None else None
        if key not in self._teams:
            frozen = wave is not None and wave.status != Wave.Status.DRAFT
            if frozen:
                links = WaveTeamClosure.objects.filter(wave=wave)
            else:
                links = TeamClosure.objects.filter(descendant__organisation=self.organisation)
            if self.subtree_root is not None:
                links = links.filter(ancestor_id=self.subtree_root.pk)
            self._teams[key] = set(links.values_list("descendant_id", flat=True).distinct())
        return self._teams[key]

    def sees(self, team_id: object, wave: Wave | None = None) -> bool:
        return team_id in self.team_ids(wave)

    def waves(self):
        """The organisation's waves this viewer may read: every wave for an HR admin, the ones
        that opened (and so have figures) for the other roles."""
        waves = organisation_waves(organisation=self.organisation).select_related("survey")
        if not self.can_manage:
            waves = waves.exclude(status=Wave.Status.DRAFT)
        return waves.order_by("-opens_at", "-id")


def viewer_get(*, user, organisation_slug: str) -> Viewer:
    membership = user_memberships(user=user).filter(organisation__slug=organisation_slug).first()
    if membership is None:
        raise Http404("No such organisation.")
    return Viewer(membership=membership)


READ = ("GET", "HEAD")


def dashboard_page(*, manage: bool = False, methods: tuple[str, ...] = READ) -> Callable:
    """Resolves `organisation` (slug) and, when the URL has one, `wave` (id) into the viewer and
    the wave, scoped to the viewer; `manage` pages are the HR admin's only (403 for the others).
    Other methods are 405, checked after the scope and the wave so that a stranger learns nothing."""

    def decorate(view: Callable) -> Callable:
        @login_required
        @wraps(view)
        def page(request: HttpRequest, organisation: str, **kwargs: object) -> HttpResponse:
            viewer = viewer_get(user=request.user, organisation_slug=organisation)
            if manage and not viewer.can_manage:
                raise PermissionDenied("Only an HR admin of this organisation can do this.")
            if "wave" in kwargs:
                kwargs["wave"] = get_object_or_404(viewer.waves(), pk=kwargs["wave"])
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            request.viewer = viewer
            return view(request, viewer, **kwargs)

        return page

    return decorate


def visible_team(viewer: Viewer, team_id: object, wave: Wave | None = None) -> Team:
    """A team the viewer may see, or 404."""
    if not viewer.sees(team_id, wave):
        raise Http404("No such team.")
    return get_object_or_404(Team, pk=team_id, organisation=viewer.organisation)
