"""The employee's pages: link, welcome, questions, receipt. No JavaScript needed."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from survey.forms import answers_from_post
from survey.selectors import survey_question_groups
from survey.services.errors import AnswersInvalid, SubmissionError
from survey.services.submission import invitation_check, submission_submit

# The secret is kept in the signed session cookie so that it appears in one request line only
# (the link itself, whose path the log filter redacts), never in the pages' URLs.
SESSION_TOKEN = "survey_token"  # noqa: S105 (a session key name)


def _error_page(request: HttpRequest, error: SubmissionError) -> HttpResponse:
    # For a person, a used link is simply gone (410); the API keeps 409 for clients.
    status = 410 if error.status == 409 else error.status
    return render(request, "survey/error.html", {"error": error}, status=status)


@never_cache
def start(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation_check(token=token)
    except SubmissionError as error:
        return _error_page(request, error)
    request.session[SESSION_TOKEN] = token
    return redirect("survey:welcome")


def _current_invitation(request: HttpRequest):
    return invitation_check(token=request.session.get(SESSION_TOKEN, ""))


@never_cache
def welcome(request: HttpRequest) -> HttpResponse:
    try:
        invitation = _current_invitation(request)
    except SubmissionError as error:
        return _error_page(request, error)
    return render(request, "survey/welcome.html", {"wave": invitation.wave, "survey": invitation.wave.survey})


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
        submission_submit(token=request.session.get(SESSION_TOKEN, ""), answers=answers)
    except AnswersInvalid as error:
        context.update(errors=error.errors, submitted=request.POST)
        return render(request, "survey/questions.html", context, status=400)
    except SubmissionError as error:
        return _error_page(request, error)
    request.session.pop(SESSION_TOKEN, None)
    return redirect("survey:receipt")


def receipt(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/receipt.html")


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/privacy.html")
