"""The employee's pages: link, welcome, questions, confirmation, receipt. No JavaScript needed.

What the person typed is scrubbed as soon as it arrives and never goes back out: the confirmation
page, the receipt and a page asking for corrections carry only the scrubbed text, every page is
no-store, and nothing of it goes into the session or a cookie (PRODUCT.md rules 6 and 8).
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_http_methods

from survey.forms import answers_from_post, comment_reviews, confirmation_needed, hidden_fields
from survey.models import Invitation, Question, Survey
from survey.selectors import invitation_team_seats, submission_receipt, survey_question_groups
from survey.services.answers import CleanAnswers, answers_clean
from survey.services.errors import AnswersInvalid, SubmissionError, Throttled
from survey.services.submission import invitation_check, submission_store
from survey.throttling import failure_count, open_link_admit

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
    # Every link that cannot answer counts against the visitor's address; past the limit the page
    # says to wait instead (survey/throttling.py). A link that can answer never comes here.
    error = failure_count(request=request) or error
    # For a person, a used link is simply gone (410); the API keeps 409 for clients.
    status = 410 if error.status == 409 else error.status
    # A link that cannot answer now has no reason to stay in the browser.
    response = _forget_token(render(request, "survey/error.html", {"error": error}, status=status))
    return _retry_after(response, error)


def _retry_after(response: HttpResponse, error: SubmissionError | None) -> HttpResponse:
    if isinstance(error, Throttled):
        response["Retry-After"] = str(error.retry_after)
    return response


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


def _questions_page(
    request: HttpRequest,
    invitation: Invitation,
    error: AnswersInvalid | None = None,
    *,
    throttled: tuple[Throttled, CleanAnswers] | None = None,
) -> HttpResponse:
    """The questions; with `error`, again for correcting (400); with `throttled`, again with the
    checked answers to send once more after the wait (429): nothing typed is lost."""
    survey = invitation.wave.survey
    context = {"wave": invitation.wave, "survey": survey, "groups": survey_question_groups(survey=survey)}
    if error is None and throttled is None:
        return render(request, "survey/questions.html", context)
    # The answers come back, but a comment only as it would be stored: the page never echoes
    # what was typed (a comment too long to check comes back empty).
    all_scrubbed = error.scrubbed if error is not None else throttled[1].scrubbed
    submitted = request.POST.copy()
    for question in survey.questions.filter(type=Question.Type.TEXT):
        scrubbed = all_scrubbed.get(question.code)
        submitted.setlist(question.code, [scrubbed.text] if scrubbed else [])
    scrubbed_codes = {code for code, scrubbed in all_scrubbed.items() if scrubbed.changed}
    context.update(errors=error.errors if error else {}, submitted=submitted, scrubbed_codes=scrubbed_codes)
    if throttled is None:
        return render(request, "survey/questions.html", context, status=400)
    context["throttled"] = throttled[0]
    return _retry_after(render(request, "survey/questions.html", context, status=429), throttled[0])


def _confirmation_page(request: HttpRequest, survey: Survey, answers: dict, clean: CleanAnswers) -> HttpResponse:
    """Each comment that scrubbing changed, as it will be stored, editable; the other answers
    ride along in hidden fields and are checked again when the page posts."""
    reviews = comment_reviews(survey=survey, data=request.POST, clean=clean)
    context = {
        "survey": survey,
        "reviews": reviews,
        "hidden": hidden_fields(survey=survey, answers=answers, clean=clean, reviews=reviews),
        "again": bool(request.POST.get("action")),
    }
    return render(request, "survey/confirm.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
# Should the page ever fail, an error report (mail, DEBUG page) shows neither the posted answers
# nor this frame's variables, which hold the comments as typed.
@sensitive_post_parameters()
@sensitive_variables()
def questions(request: HttpRequest) -> HttpResponse:
    """The questions, then (if scrubbing changed a comment) the confirmation page, then the
    receipt: each is the answer to a POST of the one before, all on this URL."""
    try:
        invitation = _current_invitation(request)
    except SubmissionError as error:
        return _error_page(request, error)
    if request.method == "GET":
        return _questions_page(request, invitation)
    survey = invitation.wave.survey
    answers = answers_from_post(survey=survey, data=request.POST)
    try:
        clean = answers_clean(survey=survey, answers=answers, language=request.LANGUAGE_CODE)
    except AnswersInvalid as error:
        # Counted, never turned into a 429: this link can answer once corrected.
        failure_count(request=request)
        return _questions_page(request, invitation, error)
    if confirmation_needed(data=request.POST, clean=clean):
        return _confirmation_page(request, survey, answers, clean)
    try:
        open_link_admit(request=request, invitation=invitation)
    except Throttled as throttled:
        return _questions_page(request, invitation, throttled=(throttled, clean))
    try:
        # The single-use check happens here, at the store: a replayed or reloaded form meets a used link.
        submitted = submission_store(invitation=invitation, clean=clean)
    except SubmissionError as error:
        return _error_page(request, error)
    # Rendered in this response rather than after a redirect, so that the receipt needs no session
    # or cookie to remember it; a reload posts again and finds the link gone.
    context = {"submitted": submitted, "lines": submission_receipt(survey=survey, clean=submitted.clean)}
    return _forget_token(render(request, "survey/receipt.html", context))


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "survey/privacy.html")
