"""The hub's client of the licensing backend's API (DESIGN.md §5): read a case, add a note.

    GET  {LICENSING_API_URL}/cases/{number}
    POST {LICENSING_API_URL}/cases/{number}/notes   Idempotency-Key: <key>   {"kind": .., "body": ..}

Bearer LICENSING_API_TOKEN. Each request has a connect and a read timeout; a refused connection,
a timeout and a 502/503/504 are tried again a few times with a growing pause (a POST too: its
Idempotency-Key makes a repeat harmless). Any other failure raises BackendError.
"""

import time
from urllib.parse import quote

import requests
from django.conf import settings

CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 10
ATTEMPTS = 3
PAUSE_SECONDS = 0.5  # then 1 s, 2 s, ...
RETRIED_STATUSES = {502, 503, 504}


class BackendError(Exception):
    """The licensing backend could not be reached, or refused the request."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class Client:
    def __init__(self, base_url: str | None = None, token: str | None = None, session: requests.Session | None = None):
        self.base_url = (base_url if base_url is not None else settings.LICENSING_API_URL).rstrip("/")
        self.token = token if token is not None else settings.LICENSING_API_TOKEN
        self.session = session or requests.Session()

    def case(self, number: str) -> dict:
        """The case as the backend has it now."""
        return self._request("GET", f"/cases/{quote(number, safe='')}").json()

    def add_note(self, number: str, kind: str, body: str, key: str) -> dict:
        """Add a note to the case; the same key again returns the first note, adding nothing."""
        answer = self._request(
            "POST",
            f"/cases/{quote(number, safe='')}/notes",
            json={"kind": kind, "body": body},
            headers={"Idempotency-Key": key},
        )
        return answer.json()

    def _request(self, method: str, path: str, **kwargs) -> requests.Response:
        if not self.base_url:
            raise BackendError("LICENSING_API_URL is not set")
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json", **kwargs.pop("headers", {})}
        problem = ""
        for attempt in range(ATTEMPTS):
            if attempt:
                time.sleep(PAUSE_SECONDS * 2 ** (attempt - 1))
            try:
                answer = self.session.request(
                    method, self.base_url + path, headers=headers, timeout=(CONNECT_TIMEOUT, READ_TIMEOUT), **kwargs
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                problem = f"{type(error).__name__}: {error}"
                continue
            if answer.status_code in RETRIED_STATUSES:
                problem = f"HTTP {answer.status_code}"
                continue
            if answer.status_code >= 400:
                raise BackendError(f"HTTP {answer.status_code}: {answer.text[:200]}", answer.status_code)
            return answer
        raise BackendError(f"{method} {path} failed after {ATTEMPTS} attempts: {problem}")
