"""Encode every audio file under a folder into codes JSON files, in worker processes.

Invariant: each audio file DIR/a/b.wav has one codes file OUT/a/b.json (b.wav.json where
two files in a folder share a name), written atomically by the worker that encoded it, so
an interrupted run leaves only whole files and `resume` carries on from them. A file that
cannot be encoded is listed with its reason and never stops the others; a worker process
that dies (out of memory, a crashing decoder) is replaced, and the files it held are tried
again one at a time, so only the one that kills a worker is skipped.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path

from distill.audio.io import find_audio_files
from distill.inference.codes_json import model_sha256, read_codes_json
from distill.inference.folder_worker import EncodedFile, FolderJob, encode_one, start_worker
from distill.inference.grid import CodeGridError
from distill.models.persistence import load_model

MAX_IDLE_BREAKS = 3  # pools in a row that broke holding no job: give up, something is wrong
WORKER_DIED = "the worker process encoding it stopped (out of memory, or a crash reading it)"


class FolderEncodeError(ValueError):
    """A folder run that cannot start: no audio, or outputs that would be overwritten."""


def default_jobs() -> int:
    """The CPUs this process may use (all of them unless restricted)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class FolderPlan:
    """What a folder run will do: the files to encode and those already done (resume)."""

    jobs: tuple[FolderJob, ...]
    done: tuple[Path, ...]  # sources whose codes file from this model is already there


@dataclass(frozen=True)
class FolderProgress:
    finished: int  # files encoded or skipped so far (already done ones not counted)
    total: int
    last: EncodedFile


@dataclass(frozen=True)
class FolderResult:
    encoded: tuple[EncodedFile, ...]
    skipped: tuple[EncodedFile, ...]  # each with its reason (.error)
    already_done: tuple[Path, ...]
    elapsed_s: float
    workers: int
    restarts: int  # worker pools replaced after a worker died

    @property
    def audio_seconds(self) -> float:
        return sum(item.duration_s for item in self.encoded)

    @property
    def files_per_second(self) -> float:
        return len(self.encoded) / max(self.elapsed_s, 1e-9)

    @property
    def audio_seconds_per_second(self) -> float:
        return self.audio_seconds / max(self.elapsed_s, 1e-9)


def codes_targets(sources: list[Path], root: Path, out_dir: Path) -> list[Path]:
    """OUT/rel/name.json per source; rel/name.ext.json for names a folder holds twice."""
    stems: dict[Path, int] = {}
    for source in sources:
        key = source.relative_to(root).with_suffix("")
        stems[key] = stems.get(key, 0) + 1
    targets = []
    for source in sources:
        relative = source.relative_to(root)
        shared = stems[relative.with_suffix("")] > 1
        name = f"{relative.name}.json" if shared else f"{relative.stem}.json"
        targets.append(out_dir / relative.parent / name)
    return targets


def _is_done(target: Path, weights_sha256: str) -> bool:
    try:
        return read_codes_json(target).model_sha256 == weights_sha256
    except (CodeGridError, OSError, ValueError):
        return False


def plan_folder(
    root: Path,
    out_dir: Path,
    model_path: Path,
    resume: bool = False,
    force: bool = False,
    refine_steps: int | None = None,
) -> FolderPlan:
    """The run's files. Existing codes files are kept with `resume` (when this model made
    them), replaced with `force`, and otherwise refused (FolderEncodeError), so nothing is
    overwritten by accident. refine_steps: each file's code refinement (None: by its length)."""
    sources = find_audio_files(root)
    if not sources:
        raise FolderEncodeError(f"No audio files under {root} (WAV, FLAC, OGG, MP3, AIFF).")
    weights = model_sha256(model_path)
    jobs, done, in_the_way = [], [], []
    for source, target in zip(sources, codes_targets(sources, root, out_dir), strict=True):
        if resume and target.is_file() and _is_done(target, weights):
            done.append(source)
            continue
        if target.exists() and not force:
            in_the_way.append(target)
        jobs.append(FolderJob(source, target, refine_steps))
    if in_the_way:
        hint = "replace them" if resume else "keep them and encode the rest"
        flag = "--force" if resume else "--resume"
        why = " (not codes of this model)" if resume else ""
        raise FolderEncodeError(
            f"{out_dir} already holds {len(in_the_way)} of these codes files{why}, e.g. "
            f"{in_the_way[0]}: pass {flag} to {hint}, or --force to encode everything again."
        )
    return FolderPlan(tuple(jobs), tuple(done))


def encode_folder(
    plan: FolderPlan,
    model_path: Path,
    workers: int,
    device: str = "cpu",
    on_progress: Callable[[FolderProgress], None] | None = None,
) -> FolderResult:
    """Encode the plan's files in `workers` spawned processes (one torch thread each).

    The model is loaded here first, so a bad model file is one clear ModelFileError rather
    than every worker failing to start."""
    load_model(model_path)
    started = time.monotonic()
    results: list[EncodedFile] = []
    report = on_progress or (lambda _: None)

    def finished(item: EncodedFile) -> None:
        results.append(item)
        report(FolderProgress(len(results), len(plan.jobs), item))

    pending, suspects = deque(plan.jobs), deque[FolderJob]()
    restarts = stalls = 0
    size = max(1, min(workers, len(plan.jobs)))
    while pending or suspects:
        lost = _drain(pending, suspects, size, (str(model_path), device), finished)
        if lost is None:
            break
        restarts += 1
        stalls = 0 if lost else stalls + 1
        if stalls >= MAX_IDLE_BREAKS:
            raise FolderEncodeError(
                "The worker processes keep stopping before they encode anything (out of "
                "memory?): try fewer --jobs."
            )
        if len(lost) == 1 and lost[0].was_suspect:  # it alone was in its worker's hands
            finished(EncodedFile(lost[0].job.source, lost[0].job.target, 0.0, WORKER_DIED))
        else:
            suspects.extend(item.job for item in lost)
    encoded = tuple(item for item in results if item.error is None)
    skipped = tuple(item for item in results if item.error is not None)
    elapsed = time.monotonic() - started
    return FolderResult(encoded, skipped, plan.done, elapsed, size, restarts)


class _QuietSpawnProcess(SpawnProcess):
    """A spawned worker that ignores Ctrl-C (the disposition survives exec), so it finishes
    its file and exits when the parent, which does get the KeyboardInterrupt, shuts the
    pool down; rather than every worker printing a traceback of its own."""

    def start(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            super().start()  # signal handlers can only be changed from the main thread
            return
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            super().start()
        finally:
            signal.signal(signal.SIGINT, previous)


class _QuietSpawnContext(SpawnContext):
    Process = _QuietSpawnProcess


@dataclass(frozen=True)
class _Lost:
    job: FolderJob
    was_suspect: bool


def _drain(
    pending: deque[FolderJob],
    suspects: deque[FolderJob],
    workers: int,
    worker_args: tuple[str, str],
    finished: Callable[[EncodedFile], None],
) -> list[_Lost] | None:
    """Run jobs in one pool until none are left (None) or the pool breaks (what it held).

    A few jobs per worker are in flight at a time; suspects (held by a pool that broke)
    run one at a time, so the next break names its culprit."""
    in_flight: dict[Future[EncodedFile], _Lost] = {}
    with ProcessPoolExecutor(workers, _QuietSpawnContext(), start_worker, worker_args) as pool:
        try:
            while pending or suspects or in_flight:
                try:
                    _submit(pool, pending, suspects, in_flight, 2 * workers)
                except BrokenProcessPool:  # broke between jobs: the job stays where it was
                    return list(in_flight.values())
                done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                lost = _collect(done, in_flight, finished)
                if lost:
                    return lost + list(in_flight.values())
        except KeyboardInterrupt:  # Ctrl-C: workers finish the file in hand, start no other
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return None


def _submit(
    pool: ProcessPoolExecutor,
    pending: deque[FolderJob],
    suspects: deque[FolderJob],
    in_flight: dict[Future[EncodedFile], _Lost],
    window: int,
) -> None:
    """Top up the pool: a suspect alone, else pending jobs up to `window` in flight."""
    while suspects and not in_flight:
        future = pool.submit(encode_one, suspects[0])
        in_flight[future] = _Lost(suspects.popleft(), True)
    while pending and not suspects and len(in_flight) < window:
        future = pool.submit(encode_one, pending[0])
        in_flight[future] = _Lost(pending.popleft(), False)


def _collect(
    done: Iterable[Future[EncodedFile]],
    in_flight: dict[Future[EncodedFile], _Lost],
    finished: Callable[[EncodedFile], None],
) -> list[_Lost]:
    lost = []
    for future in done:
        item = in_flight.pop(future)
        try:
            finished(future.result())
        except BrokenProcessPool:
            lost.append(item)
    return lost
