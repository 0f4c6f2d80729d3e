"""HTTP as the clients of the fault tests see it: a kiosk posting JSON, a phone on the survey pages."""

import http.client
import json
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    cookies: SimpleCookie

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode()


def request(port: int, method: str, path: str, body: bytes | None = None, timeout: float = 30, **headers) -> Reply:
    connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection_.request(method, path, body=body, headers={"Host": f"127.0.0.1:{port}", **headers})
        response = connection_.getresponse()
        cookies = SimpleCookie()
        for value in response.headers.get_all("Set-Cookie") or []:
            cookies.load(value)
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read(), cookies)
    finally:
        connection_.close()


def submit(port: int, token: str, answers: dict, timeout: float = 30, **fields) -> Reply:
    body = json.dumps({"token": token, "answers": answers, **fields}).encode()
    return request(port, "POST", "/api/v1/submit/", body, timeout, **{"Content-Type": "application/json"})


class Phone:
    """A browser on the survey pages, behind the TLS proxy that production sits behind (so that
    its Secure cookies and the CSRF origin check behave as in production)."""

    def __init__(self, port: int, language: str = "en") -> None:
        self.port, self.cookies = port, {}
        self.headers = {
            "X-Forwarded-Proto": "https",
            "Accept-Language": language,
            "Origin": f"https://127.0.0.1:{port}",
            "Referer": f"https://127.0.0.1:{port}/s/questions/",
        }

    def _send(self, method: str, path: str, body: bytes | None = None, **headers) -> Reply:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        reply = request(
            self.port, method, path, body, **self.headers, **headers, **({"Cookie": cookie} if cookie else {})
        )
        for name, morsel in reply.cookies.items():
            if morsel["max-age"] == "0":
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = morsel.value
        return reply

    def get(self, path: str) -> Reply:
        return self._send("GET", path)

    def post(self, path: str, fields: list[tuple[str, str]]) -> Reply:
        form = urlencode([*fields, ("csrfmiddlewaretoken", self.cookies["csrftoken"])])
        return self._send("POST", path, form.encode(), **{"Content-Type": "application/x-www-form-urlencoded"})
