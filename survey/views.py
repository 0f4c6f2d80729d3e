"""The employee's pages: link, welcome, questions, receipt. No JavaScript needed."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from survey.forms import answers_from_post
from survey.selectors import invitation_team_seats, survey_question_groups
from survey.services.errors import AnswersInvalid, SubmissionError
from survey.services.submission import invitation_check, submission_submit

# The secret travels in the link's own request only, then in a signed cookie of its own, never in
# the pages' URLs (browser history, Referer). Not in the session: that would give it the admin
# session's 14-day age. The signature's timestamp enforces the age even if a browser keeps the
# cookie longer; the path keeps it away from every other page.
SURVEY_COOKIE = "pulse_survey"
SURVEY_COOKIE_SALT = "survey.views.link"
SURVEY_COOKIE_PATH = "/s/"


def _token(request: HttpRequest) -> str:
    """The link's secret, or "" for a missing, forged or expired cookie: an unknown link."""
    return request.get_signed_cookie(
        SURVEY_COOKIE, default="", salt=SURVEY_COOKIE_SALT, max_age=settings.PULSE_SURVEY_COOKIE_SECONDS
    )


def _forget_token(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(SURVEY_COOKIE, path=SURVEY_COOKIE_PATH, samesite="Lax")
    return response


def _error_page(request: HttpRequest, error: SubmissionError) -> HttpResponse:
    # For a person, a used link is simply gone (410); the API keeps 409 for clients.
    status = 410 if error.status == 409 else error.status
    # A link that cannot answer now has no reason to stay in the browser.
    return _forget_token(render(request, "survey/error.html", {"error": error}, status=status))


@never_cache
def start(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation_check(token=token)
    except SubmissionError as error:
        return _error_page(request, error)
    response = redirect("survey:welcome")
    response.set_signed_cookie(
        SURVEY_COOKIE,
        token,
        salt=SURVEY_COOKIE_SALT,
        max_age=settings.PULSE_SURVEY_COOKIE_SECONDS,
        path=SURVEY_COOKIE_PATH,
        secure=settings.PULSE_SURVEY_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _current_invitation(request: HttpRequest):
    return invitation_check(token=_token(request))


@never_cache
def welcome(request: HttpRequest) -> HttpResponse:
    try:
        invitation = _current_invitation(request)
    except SubmissionError as error:
        return _error_page(request, error)
    context = {"wave": invitation.wave, "survey": invitation.wave.survey, "seats": invitation_team_seats(invitation)}
    return render(request, "survey/welcome.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def questions(request: HttpRequest) -> HttpResponse:
    try:
        invitation = _current_invitation(request)
    except SubmissionError as error:
        return _error_page(request, error)
    survey = invitation.wave.survey
    context = {"wave": invitation.wave, "survey": survey, "groups": survey_question_groups(survey=survey)}
    if request.method == "GET":
        return render(request, "survey/questions.html", context)
    answers = answers_from_post(survey=survey, data=request.POST)
    try:
        submission_submit(token=_token(request), answers=answers, language=request.LANGUAGE_CODE)
    except AnswersInvalid as error:
        context.update(errors=error.errors, submitted=request.POST)
        return render(request, "survey/questions.html", context, status=400)
    except SubmissionError as error:
        return _error_page(request, error)
    return _forget_token(redirect("survey:receipt"))


def receipt(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/receipt.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/privacy.html")
