"""A training reserves its model name: real lock files held by real other processes, released
at the end, and stale (taken over) after a crash."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
from tests.helpers import end_normally, hold_lock_in_process, kill_hard, make_tiny_model_file

from distill.models.library import delete_model, list_models, rename_model
from distill.models.locks import (
    OTHER_HOST_STALE_S,
    UNREADABLE_STALE_S,
    LockOwner,
    ModelLockedError,
    acquire,
    hold_model_name,
    is_stale,
    lock_path,
    read_owner,
    running_training,
)


def test_the_lock_holds_who_took_it_and_goes_at_the_end(tmp_path: Path) -> None:
    model = tmp_path / "models" / "drums.distill"
    with hold_model_name(model, "drums"):
        owner = read_owner(model)
        assert owner is not None and owner.pid == os.getpid()
        assert owner.host == socket.gethostname() and abs(owner.started - time.time()) < 60
        assert lock_path(model).name == "drums.distill.lock"
        assert running_training(model) == owner
        with pytest.raises(ModelLockedError, match="already running"):
            acquire(model, "drums")  # not even this process trains one name twice
    assert not lock_path(model).exists() and running_training(model) is None


def test_a_training_in_another_process_blocks_the_name_until_it_ends(tmp_path: Path) -> None:
    model = tmp_path / "drums.distill"
    other = hold_lock_in_process(model)
    try:
        with pytest.raises(ModelLockedError) as excinfo:
            acquire(model, "drums")
        assert str(excinfo.value).startswith(
            f"A training of the model 'drums' is already running (process {other.pid} on "
            f"{socket.gethostname()}, started "
        )
        assert str(excinfo.value).endswith("wait for it to end, or choose another name.")
    finally:
        end_normally(other)
    assert not lock_path(model).exists()  # it cleaned up after itself
    with hold_model_name(model, "drums"):
        pass


def test_a_killed_training_leaves_a_stale_lock_that_is_taken_over(tmp_path: Path) -> None:
    model = tmp_path / "drums.distill"
    other = hold_lock_in_process(model)
    kill_hard(other)
    left = read_owner(model)
    assert left is not None and left.pid == other.pid  # the crash left its lock behind
    assert is_stale(left) and running_training(model) is None
    with hold_model_name(model, "drums"):
        owner = read_owner(model)
        assert owner is not None and owner.pid == os.getpid()
    assert not lock_path(model).exists()


def test_locks_from_other_hosts_reused_pids_and_cut_short_files(tmp_path: Path) -> None:
    now = time.time()
    elsewhere = LockOwner(pid=os.getpid(), host="another-machine", started=now - 60)
    assert not is_stale(elsewhere, now)
    assert is_stale(LockOwner(os.getpid(), "another-machine", now - OTHER_HOST_STALE_S - 1), now)
    reused = LockOwner(os.getpid(), socket.gethostname(), now, process_start="1")
    assert is_stale(reused, now)  # our pid, but not the process that took the lock
    model = tmp_path / "drums.distill"
    lock_path(model).write_text('{"pid": 12')  # a crash while the lock was being written
    with pytest.raises(ModelLockedError):  # too fresh to tell: its owner may be writing it
        acquire(model, "drums")
    old = time.time() - UNREADABLE_STALE_S - 1
    os.utime(lock_path(model), (old, old))
    acquire(model, "drums")
    assert json.loads(lock_path(model).read_text())["pid"] == os.getpid()


def test_a_model_in_training_cannot_be_renamed_or_deleted(tmp_path: Path) -> None:
    model = make_tiny_model_file(tmp_path / "drums.distill")
    other_model = make_tiny_model_file(tmp_path / "bells.distill", seed=1)
    other = hold_lock_in_process(model)
    try:
        with pytest.raises(ModelLockedError, match=r"being trained right now .* cannot be deleted"):
            delete_model(model)
        with pytest.raises(ModelLockedError, match="cannot be renamed"):
            rename_model(model, "kit")
        delete_model(other_model)
        assert [info.name for info in list_models(tmp_path, include_demo=False)] == ["drums"]
    finally:
        end_normally(other)
    delete_model(model)
