"""The one writer every file goes through: atomic, and plain words for a full disk or a folder
that cannot be written (real tiny and read-only filesystems where this machine allows them)."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import BinaryIO

import pytest
from tests.helpers import mounted_tmpfs, read_only_folder

from distill import files
from distill.files import (
    WriteError,
    check_free_space,
    describe_os_error,
    write_bytes_atomic,
    write_text_atomic,
)


def test_a_write_replaces_the_file_whole_and_leaves_nothing_else(tmp_path: Path) -> None:
    target = write_text_atomic(tmp_path / "deep" / "er" / "page.html", "<p>one</p>")
    assert target.read_text() == "<p>one</p>"
    write_bytes_atomic(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]


def test_a_full_disk_midway_keeps_the_old_file_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write_text_atomic(tmp_path / "codes.json", "old")

    def half_then_full(handle: BinaryIO, data: bytes) -> None:
        handle.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_write_all", half_then_full)
    with pytest.raises(WriteError) as excinfo:
        write_text_atomic(target, "new " * 1000)
    assert str(excinfo.value) == (
        f"Could not write {target}: the disk is full (no space left on device). Free some "
        "space or choose another folder."
    )
    assert excinfo.value.errno == errno.ENOSPC and excinfo.value.path == target
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["codes.json"]


def test_a_real_tiny_disk_that_fills_up(tmp_path: Path) -> None:
    with mounted_tmpfs(tmp_path / "tiny", 64 * 1024) as disk:
        kept = write_bytes_atomic(disk / "small.bin", b"x" * 1000)
        with pytest.raises(WriteError, match="the disk is full"):
            write_bytes_atomic(disk / "big.bin", b"y" * 200_000)
        assert sorted(p.name for p in disk.iterdir()) == ["small.bin"]  # no partial file
        assert kept.read_bytes() == b"x" * 1000
        with pytest.raises(WriteError) as excinfo:
            check_free_space(disk, 1_000_000, "the model 'big'")
        assert str(excinfo.value).startswith(
            f"Not enough free space in {disk} for the model 'big': it needs about 1.0 MB and "
            "only 0.1 MB is free."
        )
        check_free_space(disk, 10_000, "a small file")  # room enough: no error


def test_a_read_only_folder_is_said_in_plain_words(tmp_path: Path) -> None:
    with read_only_folder(tmp_path / "locked") as folder:
        with pytest.raises(WriteError) as excinfo:
            write_text_atomic(folder / "codes.json", "{}")
        message = str(excinfo.value)
        assert message.startswith(f"Could not write {folder / 'codes.json'}: ")
        assert ("read-only" in message or "permission denied" in message) and "Errno" not in message
        assert message.endswith("Choose a folder you can write to.")
        assert list(folder.iterdir()) == []


def test_os_errors_from_anywhere_read_as_a_sentence() -> None:
    error = OSError(errno.EROFS, "Read-only file system", "/mnt/x/out.wav")
    assert describe_os_error(error) == (
        "A file operation failed (/mnt/x/out.wav): the folder is on a read-only disk or mount."
    )
    odd = OSError(errno.EXDEV, "Invalid cross-device link")
    assert describe_os_error(odd) == "A file operation failed: invalid cross-device link."
