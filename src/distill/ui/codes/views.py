"""One view record per family of Codes-tab events: each field is what one output shows, or
KEEP to leave it as it is. `bind` turns a handler that returns a view into the function
Gradio calls: the view becomes a dict keyed by component (Gradio's own way to update some
outputs and not others), and a failure becomes a message, never a traceback nor an error
mark left on the outputs.
"""

from __future__ import annotations

import functools
import html
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from enum import Enum
from typing import Any, ParamSpec, TypeAlias, TypeVar, Union

import gradio as gr

from distill.ui.codes.session import Cancelled
from distill.ui.common import user_message, without_upload_folders

P = ParamSpec("P")
T = TypeVar("T")
logger = logging.getLogger(__name__)


class Keep(Enum):
    """An output left as it is."""

    KEEP = "keep"


KEEP = Keep.KEEP
Maybe: TypeAlias = Union[T, Keep]  # noqa: UP007 (a generic alias needs Union)


@dataclass(frozen=True)
class Player:
    """A player's file (None: empty) and its label."""

    path: str | None
    label: str


@dataclass(frozen=True)
class OpenView:
    """A file opened in A (encoded, or generated): the page shows it as a new file."""

    grid_a: str
    grid_b: str
    toolbar: str
    status: str
    labels: str
    levels: int  # the "levels heard" slider: this many, all of them
    original: Player  # the original player: the file (a generation's own decode)
    reconstruction: str | None  # None: decoded next (`ReconstructionView`)
    unedited: str | None
    exported: None = None  # an export of the previous file no longer applies
    result: Maybe[str] = KEEP  # the Generate panel's result line


@dataclass(frozen=True)
class DecodeView:
    """A decode finished: the reconstruction, its spectrogram over grid A."""

    grid_a: Maybe[str]
    reconstruction: Maybe[str]
    status: str
    unedited: Maybe[str] = KEEP


@dataclass(frozen=True)
class EditView:
    """An edit made through a Gradio event (a regenerated region, a continuation, the
    levels-heard slider): the grids drawn again, the bar, what was done."""

    grid_a: str
    toolbar: str
    status: str
    grid_b: Maybe[str] = KEEP
    summary: Maybe[str] = KEEP
    reconstruction: Maybe[str | None] = KEEP
    result: Maybe[str] = KEEP


@dataclass(frozen=True)
class LabelsView:
    grid_a: Maybe[str]
    grid_b: Maybe[str]
    labels: str
    status: str


@dataclass(frozen=True)
class ExportView:
    exported: str
    status: str


@dataclass(frozen=True)
class PageView:
    """A page opened: the key its fast-path requests carry."""

    key: str


Target = gr.components.Component | tuple[gr.components.Component, Callable[[Any], Any]]


def updates(view: Any, targets: Mapping[str, Target]) -> dict[Any, Any]:
    """The view's fields that are not KEEP, keyed by the component each one goes to
    (through its converter when the target names one)."""
    out: dict[Any, Any] = {}
    for item in fields(view):
        value = getattr(view, item.name)
        if value is KEEP or item.name not in targets:
            continue
        target = targets[item.name]
        component, convert = target if isinstance(target, tuple) else (target, None)
        out[component] = convert(value) if convert is not None else value
    return out


def outputs(targets: Mapping[str, Target]) -> list[Any]:
    """The components an event updates (the targets of its view's fields)."""
    return [target[0] if isinstance(target, tuple) else target for target in targets.values()]


def warn(error: BaseException) -> str:
    """Show `error` as a toast, never a traceback nor a path of Gradio's upload cache; the
    same sentence for the status line."""
    if not isinstance(error, (ValueError, OSError)):
        logger.exception("unexpected error in a Codes tab handler", exc_info=error)
    message = without_upload_folders(user_message(error))
    gr.Warning(html.escape(message, quote=False), title="Not done")
    return message


def bind(handler: Callable[P, Any], targets: Mapping[str, Target]) -> Callable[P, dict]:
    """`handler` (returning a view record) as Gradio's function for an event whose outputs
    are `outputs(targets)`."""

    @functools.wraps(handler)
    def run(*args: P.args, **kwargs: P.kwargs) -> dict:
        try:
            view = handler(*args, **kwargs)
        except Cancelled:
            return unchanged(targets)
        except Exception as error:
            message = warn(error)
            status = targets.get("status")
            if status is None:
                return unchanged(targets)
            return updates(_Status(message), {"status": status})
        return unchanged(targets) if view is None else updates(view, targets)

    return run


def unchanged(targets: Mapping[str, Target]) -> dict:
    """Every output left as it is. Gradio reads an empty dict as one value, not as "no
    update" (it then refuses the event's answer, with a traceback in the server's log), so
    one output gets an update that changes nothing."""
    return {outputs(targets)[0]: gr.update()}


@dataclass(frozen=True)
class _Status:
    status: str
