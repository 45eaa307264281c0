"""Shared CLI plumbing: one-line errors, no tracebacks unless --debug, overwrite protection."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class CliState:
    debug: bool = False


state = CliState()


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear line on stderr and return the Exit to raise."""
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    return typer.Exit(code)


def user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn expected failures (bad audio, bad model, bad codes, bad values) into one line."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except typer.Exit:
            raise
        except KeyboardInterrupt:
            raise fail("interrupted", code=130) from None
        except (ValueError, OSError) as error:  # our error types derive from ValueError
            if state.debug:
                raise
            raise fail(plain_message(error)) from None
        except Exception as error:
            if state.debug:
                raise
            print(f"error: unexpected {type(error).__name__}: {error}", file=sys.stderr)
            print("Run again with --debug for the full traceback.", file=sys.stderr)
            raise typer.Exit(2) from None

    return wrapper


def plain_message(error: ValueError | OSError) -> str:
    """Ours are ValueErrors with clear text; a bare OSError (a full disk, a read-only folder,
    a vanished file) is put in plain words."""
    from distill.files import describe_os_error

    return describe_os_error(error) if isinstance(error, OSError) else str(error)


AUDIO_OUTPUT_SUFFIXES = (".wav", ".flac")


def check_audio_output(path: Path, force: bool) -> None:
    """An audio file to write: a .wav or .flac name, and never overwritten without --force."""
    if path.suffix.lower() not in AUDIO_OUTPUT_SUFFIXES:
        raise fail(f"{path}: the output file name must end in .wav or .flac.")
    refuse_overwrite(path, force)


def refuse_overwrite(path: Path, force: bool) -> None:
    """Never overwrite an output without --force."""
    if path.exists() and not force:
        raise fail(f"{path} already exists; pass --force to overwrite it.")
