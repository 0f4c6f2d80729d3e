"""The submission floor (issue 10): bare views on the same gunicorn, beside the real app.

`bench/submit.py` serves the app with `bench.settings`, which is production plus these routes under
/bench/floor/. They do the least a submission needs and nothing Pulse adds: no validation beyond
the types, no scrubbing, no throttling, no mixing, no signal; the single-use check is one
conditional UPDATE and the rows (one pending response, its answers, its comments) go in with plain
SQL, in the same tables, in a second transaction as Pulse does.

- JSON: POST /bench/floor/submit/ {"token", "answers"} -> 201.
- HTML, the same four requests as a browser on Pulse: the link (sets a cookie, redirects), the
  welcome page, the questions page (with its CSRF token), the POST (the CSRF check stays: the
  middleware is Pulse's). The two pages are the very bytes Pulse renders, rendered once per
  process and then served from memory with this request's CSRF token.
"""

import hashlib
import json
import uuid

from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from survey.models import Question, Survey, Wave
from survey.selectors import survey_question_groups

COOKIE = "floor_token"
CSRF_MARK = "@@csrf@@"
_questions: dict[object, dict[str, tuple[int, str]]] = {}  # survey id -> code -> (question id, type)
_pages: dict[tuple, str] = {}


def _consume(token: str) -> tuple | None:
    """(wave id, team id, survey id) of an unused link, marked used in its own transaction."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE survey_invitation i SET used = true FROM survey_wave w "
            "WHERE i.token_hash = %s AND NOT i.used AND w.id = i.wave_id RETURNING i.wave_id, i.team_id, w.survey_id",
            [digest],
        )
        return cursor.fetchone()


def _codes(survey_id) -> dict[str, tuple[int, str]]:
    if survey_id not in _questions:
        with connection.cursor() as cursor:
            cursor.execute("SELECT code, id, type FROM survey_question WHERE survey_id = %s", [survey_id])
            _questions[survey_id] = {code: (pk, kind) for code, pk, kind in cursor.fetchall()}
    return _questions[survey_id]


@transaction.atomic
def _insert(wave_id, team_id, survey_id, answers: dict) -> None:
    codes = _codes(survey_id)
    pending = uuid.uuid4()
    values, comments = [], []
    for code, value in answers.items():
        question_id, kind = codes[code]
        if kind == Question.Type.TEXT:
            if value:
                comments.append((uuid.uuid4(), pending, question_id, value))
        elif kind == Question.Type.MULTIPLE:
            values.append((pending, question_id, sum(1 << int(item) for item in set(value))))
        elif value not in (None, ""):
            values.append((pending, question_id, int(value)))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO survey_pendingresponse (id, wave_id, team_id) VALUES (%s, %s, %s)", [pending, wave_id, team_id]
        )
        if values:
            marks = ", ".join(["(%s, %s, %s)"] * len(values))
            cursor.execute(
                f"INSERT INTO survey_pendinganswer (pending_id, question_id, value) VALUES {marks}",
                [field for row in values for field in row],
            )
        if comments:
            marks = ", ".join(["(%s, %s, %s, %s)"] * len(comments))
            cursor.execute(
                f"INSERT INTO survey_pendingcomment (id, pending_id, question_id, text) VALUES {marks}",
                [field for row in comments for field in row],
            )


@csrf_exempt
def submit(request: HttpRequest) -> JsonResponse:
    body = json.loads(request.body)
    found = _consume(body["token"])
    if found is None:
        return JsonResponse({"detail": "unknown or used"}, status=409)
    _insert(*found, body["answers"])
    return JsonResponse({"detail": "stored"}, status=201)


def link(request: HttpRequest, token: str) -> HttpResponse:
    response = redirect("/bench/floor/s/")
    response.set_cookie(COOKIE, token, path="/bench/floor/", httponly=True, samesite="Lax")
    return response


def _page(request: HttpRequest, template: str) -> HttpResponse:
    """Pulse's own page for the first link this process sees, from memory afterwards."""
    key = (template, request.LANGUAGE_CODE)
    if key not in _pages:
        digest = hashlib.sha256(request.COOKIES.get(COOKIE, "").encode()).hexdigest()
        wave = Wave.objects.select_related("survey").get(invitations__token_hash=digest)
        survey = Survey.objects.get(pk=wave.survey_id)
        context = {"wave": wave, "survey": survey, "groups": survey_question_groups(survey=survey), "seats": None}
        _pages[key] = render_to_string(template, {**context, "csrf_token": CSRF_MARK}, request=request)
    return HttpResponse(_pages[key].replace(CSRF_MARK, get_token(request)))


def welcome(request: HttpRequest) -> HttpResponse:
    return _page(request, "survey/welcome.html")


def questions(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _page(request, "survey/questions.html")
    found = _consume(request.COOKIES.get(COOKIE, ""))
    if found is None:
        return HttpResponse("unknown or used", status=410)
    codes = _codes(found[2])
    answers = {
        code: request.POST.getlist(code) if kind == Question.Type.MULTIPLE else request.POST.get(code)
        for code, (_, kind) in codes.items()
    }
    _insert(*found, answers)
    response = HttpResponse("<!doctype html><title>Thank you</title><p>Stored.</p>")
    response.delete_cookie(COOKIE, path="/bench/floor/")
    return response


urlpatterns = [
    path(
        "bench/floor/",
        include(
            [
                path("submit/", submit),
                path("s/", welcome),
                path("s/questions/", questions),
                path("s/<str:token>/", link),
            ]
        ),
    ),
    path("", include("config.urls")),
]
