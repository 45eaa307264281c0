"""Plain test helpers (import them from here, not from conftest): tiny real models, synthetic
audio, the CLI in-process."""

from __future__ import annotations

import contextlib
import math
import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from distill.models.vqvae import VQVAEConfig

SAMPLE_RATE = 48000
N_MELS = VQVAEConfig().n_mels  # the default front end's mel bands (tiny models use it too)


def synth_tone(
    seconds: float = 1.0, freq: float = 440.0, sample_rate: int = SAMPLE_RATE
) -> np.ndarray:
    """A decaying harmonic tone with a noisy attack: [S] float32."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    tone = sum(np.sin(2 * math.pi * freq * k * t) / k for k in (1, 2, 3))
    rng = np.random.default_rng(int(freq))
    attack = rng.standard_normal(t.shape) * np.exp(-t * 60)
    return (0.3 * tone * np.exp(-t * 2) + 0.2 * attack).astype(np.float32)


def run_cli(*args: object):  # -> click.testing.Result
    """`distill ARGS...` through the real Typer app, in this process."""
    from typer.testing import CliRunner

    from distill.cli import app

    return CliRunner().invoke(app, [str(a) for a in args])


def make_tiny_model_file(
    path: Path, num_levels: int = 3, codebook_size: int = 16, seed: int = 0
) -> Path:
    """A small real model (k-means-initialised codebooks, untrained decoder) saved to disk;
    the same arguments always give the same weights."""
    from distill.audio.spectrogram import SpectrogramConfig
    from distill.models.persistence import ModelMetadata, save_model
    from distill.models.records import DatasetSummary
    from distill.models.vqvae import ConvVQVAE, VQVAEConfig

    torch.manual_seed(seed)
    config = VQVAEConfig(
        hidden_channels=32,
        latent_dim=16,
        num_levels=num_levels,
        codebook_size=codebook_size,
        residual_dilations=(1,),
    )
    model = ConvVQVAE(config)
    model.train()
    with torch.no_grad():
        model(torch.randn(4, 1, config.n_mels, 64))  # k-means init of every level's codebook
    model.eval()
    metadata = ModelMetadata(name=path.stem, dataset=DatasetSummary(num_files=0))
    return save_model(path, model, SpectrogramConfig(), metadata)


def train_in_the_train_tab(files: list[Path], name: str, stop: threading.Event) -> list:
    """Run the Train tab's training thread to its end on a tiny model (3 steps, width 8, 2
    levels of 4 codes) and return everything it reported, the TrainResult last."""
    from distill.training import TrainConfig
    from distill.ui.train import handlers

    config = TrainConfig(
        max_minutes=None,
        max_steps=3,
        num_levels=2,
        codebook_size=4,
        model=VQVAEConfig(hidden_channels=8),
        device="cpu",
    )
    updates: queue.Queue = queue.Queue()
    handlers._worker(files, name, config, updates, stop)
    return [updates.get_nowait() for _ in range(updates.qsize())]


def write_tone(path: Path, seconds: float, freq: float, sample_rate: int = 48000) -> Path:
    """A short real recording stand-in: a decaying harmonic tone with a noisy attack."""
    t = np.arange(int(seconds * sample_rate)) / sample_rate
    tone = sum(np.sin(2 * np.pi * freq * k * t) / k for k in (1, 2, 3))
    noise = np.random.default_rng(int(freq)).standard_normal(t.shape) * np.exp(-t * 30)
    samples = (0.3 * tone * np.exp(-t * 1.5) + 0.2 * noise).astype(np.float32)
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, samples, sample_rate, subtype="PCM_16")
    return path


def error_text(excinfo: pytest.ExceptionInfo) -> str:
    """The message of a gr.Error a UI handler raised."""
    return str(excinfo.value.message)


@contextlib.contextmanager
def mounted_tmpfs(folder: Path, size_bytes: int, read_only: bool = False) -> Iterator[Path]:
    """A real, tiny filesystem at `folder` (a tmpfs of `size_bytes`, or read-only), unmounted
    afterwards. Mounting needs root's CAP_SYS_ADMIN: the test is skipped where it is missing
    (the patched-write tests cover the same code everywhere)."""
    folder.mkdir(parents=True, exist_ok=True)
    options = f"size={size_bytes},mode=0777" + (",ro" if read_only else "")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[Path]:
    """A real folder this process cannot write into: chmod 0o555 for a normal user; root
    ignores permissions, so for root a read-only tmpfs mount instead."""
    if os.geteuid() != 0:
        folder.mkdir(parents=True, exist_ok=True)
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    with mounted_tmpfs(folder, 1 << 20, read_only=True):
        yield folder


def hold_lock_in_process(model_file: Path) -> subprocess.Popen:
    """Another real process that reserves `model_file`'s name as a running training does,
    until its stdin is closed (then it ends normally, releasing it) or it is killed; returns
    once the lock is taken."""
    code = (
        "import sys; from pathlib import Path; from distill.models.locks import hold_model_name\n"
        f"with hold_model_name(Path({str(model_file)!r}), 'other'):\n"
        "    print('ready', flush=True)\n"
        "    sys.stdin.read()\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def end_normally(process: subprocess.Popen) -> None:
    """Let a hold_lock_in_process process finish its work and exit."""
    assert process.stdin is not None
    process.stdin.close()
    assert process.wait(timeout=30) == 0


def kill_hard(process: subprocess.Popen) -> None:
    """kill -9, as a crash or the OOM killer would: nothing runs on the way out."""
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
