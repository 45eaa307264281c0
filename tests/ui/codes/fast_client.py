"""A page's side of the fast path in tests: the real app served on a free port (fixture
`server`, in conftest.py) and requests keyed by a page's session, as fast.js sends them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from email.message import Message
from typing import Any

from distill.ui.codes.fast import ROUTE
from distill.ui.codes.session import SESSIONS, CodesSession


class Page:
    """A page's requests: its Gradio session hash and the key its session gave it."""

    def __init__(self, server: str, name: str, session: CodesSession) -> None:
        self.server, self.name, self.session, self.key = server, name, session, session.key
        SESSIONS.register(name, session)

    def post(
        self, path: str, body: dict[str, Any], key: str | None = None
    ) -> tuple[int, Message, bytes]:
        request = urllib.request.Request(
            f"{self.server}{ROUTE}/{path}",
            data=json.dumps(body).encode(),
            headers={
                "Content-Type": "application/json",
                "X-Distill-Page": self.name,
                "X-Distill-Key": self.key if key is None else key,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as reply:
                return reply.status, reply.headers, reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def edit(self, **body: Any) -> dict:
        status, _, data = self.post("edit", body)
        answer = json.loads(data)
        assert status == (200 if answer["ok"] else 422)
        return answer
