"""The fast path's route for keeping work: a page says hello once it has its key, naming its
browser tab (and its browser's recent tabs); the answer is the tab id it keeps and the
session it is offered to restore (autosave.py)."""

from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from distill.ui.codes.autosave import KEEPS
from distill.ui.codes.fast import PAGE_HEADER, ROUTE, session_of

router = APIRouter(prefix=f"{ROUTE}/keep")


class Hello(BaseModel):
    """A page's tab id (from sessionStorage; empty: it has none yet) and its browser's
    recent tab ids (from localStorage)."""

    tab: str = ""
    known: list[str] = []


@router.post("/hello")
def hello(body: Hello, request: Request) -> JSONResponse:
    session = session_of(request)
    page = request.headers.get(PAGE_HEADER, "")
    answer = KEEPS.hello(page, session, body.tab, body.known)
    offer = asdict(answer.offer) if answer.offer is not None else None
    if offer is not None:
        del offer["path"]  # the page needs the line, not where the file is
    return JSONResponse({"tab": answer.tab, "offer": offer})
