"""Several processes training one model: a real `torchrun` with two CPU processes (gloo).

Each rank dumps its final weights and codebooks (DISTILL_RANK_STATE_DIR, the documented
debug feature); the test compares them tensor for tensor, then checks the one model file.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
from multiprocessing import Queue
from pathlib import Path

import pytest
import soundfile as sf
import torch
from safetensors import safe_open
from safetensors.torch import load_file
from tests.helpers import synth_tone

import distill
from distill.inference import encode_grid
from distill.models.persistence import load_model
from distill.models.vqvae import VQVAEConfig
from distill.training import TrainConfig, TrainingError, train_vqvae
from distill.training.distributed import RANK_STATE_ENV, Processes, launched_processes

TORCHRUN_TIMEOUT_S = 150  # a few seconds of training; generous for a shared 2-core CPU


@pytest.fixture
def audio_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "audio"
    folder.mkdir()
    for i, freq in enumerate((110, 165, 220, 330, 440)):
        sf.write(folder / f"tone{i}.wav", synth_tone(0.5, freq), 48000)
    return folder


def _torchrun(args: list[str], home: Path, ranks: Path) -> subprocess.CompletedProcess[str]:
    """`torchrun --standalone --nproc_per_node 2 -m distill ARGS`, this checkout's package."""
    source = str(Path(distill.__file__).resolve().parents[1])
    env = {
        **os.environ,
        "DISTILL_HOME": str(home),
        RANK_STATE_ENV: str(ranks),
        "OMP_NUM_THREADS": "1",
        "PYTHONPATH": os.pathsep.join([source, os.environ.get("PYTHONPATH", "")]),
    }
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone"]
    command += ["--nproc_per_node", "2", "-m", "distill", *args]
    launcher = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = launcher.communicate(timeout=TORCHRUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(launcher.pid, signal.SIGKILL)  # torchrun and both of its workers
        stdout, stderr = launcher.communicate()
    return subprocess.CompletedProcess(command, launcher.returncode, stdout, stderr)


def _rank_state(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    with safe_open(str(path), framework="pt") as handle:
        notes = handle.metadata() or {}
    return load_file(str(path)), notes


@pytest.mark.slow
def test_two_processes_train_one_model_with_identical_ranks(audio_dir: Path, tmp_path: Path):
    home, ranks = tmp_path / "home", tmp_path / "ranks"
    models = home / "models"
    # Three steps alone first, so the two processes also prove that --resume works.
    first = TrainConfig(
        max_minutes=None,
        max_steps=3,
        num_levels=3,
        codebook_size=16,
        batch_size=4,
        crop_frames=32,
        device="cpu",
        model=VQVAEConfig(hidden_channels=16, latent_dim=8, residual_dilations=(1,)),
    )
    train_vqvae(audio_dir, "pair", first, models)
    args = ["train", str(audio_dir), "--name", "pair", "--steps", "6", "--resume"]
    args += ["--levels", "3", "--codebook-size", "16", "--batch-size", "4"]
    args += ["--crop-frames", "32", "--device", "cpu"]
    run = _torchrun(args, home, ranks)
    assert run.returncode == 0, run.stderr[-3000:]
    assert run.stderr.count("Training finished") == 1, run.stderr  # rank 0 alone prints

    (zero, zero_notes), (one, one_notes) = (
        _rank_state(ranks / f"rank{r}.safetensors") for r in (0, 1)
    )
    assert zero.keys() == one.keys()
    codebooks = [key for key in zero if key.endswith("_codebook.embed")]
    assert len(codebooks) == 3 and any(key.endswith("cluster_size") for key in zero)
    differing = [key for key in zero if not torch.equal(zero[key], one[key])]
    assert differing == [], f"ranks disagree on {differing}"
    for notes in (zero_notes, one_notes):
        assert notes["steps"] == "9" and notes["world_size"] == "2"
    assert zero_notes["dropout_draws"] == one_notes["dropout_draws"]
    assert 0 < int(zero_notes["dropout_steps"]) < 6  # some steps dropped levels, not all

    assert sorted(p.name for p in models.iterdir()) == ["pair.distill"]  # no temporary left
    loaded = load_model(models / "pair.distill")
    training = loaded.metadata.training
    assert training is not None and training.steps == 9
    assert (training.setup.num_processes, training.setup.backend) == (2, "gloo")
    assert training.setup.batch_size == 4 and "2 processes (torchrun, gloo)" in run.stderr
    grid = encode_grid(audio_dir / "tone0.wav", loaded)
    assert grid.codes.shape[-1] == 3 and int(grid.codes.max()) < 16


def test_alone_is_one_process_and_torchrun_environment_is_read(monkeypatch: pytest.MonkeyPatch):
    for name in ("WORLD_SIZE", "RANK", "LOCAL_RANK"):
        monkeypatch.delenv(name, raising=False)
    assert launched_processes() == Processes() and Processes().is_main
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("RANK", "3")
    monkeypatch.setenv("LOCAL_RANK", "1")
    launched = launched_processes()
    assert (launched.rank, launched.local_rank, launched.world_size) == (3, 1, 4)
    assert launched.is_distributed and not launched.is_main
    monkeypatch.setenv("WORLD_SIZE", "two")
    with pytest.raises(TrainingError, match=r"WORLD_SIZE='two' in the environment"):
        launched_processes()


def _check_file_on_rank(rank: int, rendezvous: str, folder: str, answers: Queue) -> None:
    """One of two real gloo processes: only rank 0's machine has the model file."""
    import torch.distributed as dist

    from distill.training.distributed import require_file_everywhere

    dist.init_process_group("gloo", init_method=rendezvous, rank=rank, world_size=2)
    path = Path(folder) / f"rank{rank}" / "pair.distill"
    try:
        require_file_everywhere(Processes(rank, rank, 2, "gloo"), path)
        answers.put((rank, "ok"))
    except TrainingError as error:
        answers.put((rank, str(error)))
    finally:
        dist.destroy_process_group()


def test_resume_refuses_when_only_some_machines_have_the_model(tmp_path: Path):
    (tmp_path / "rank0").mkdir()
    (tmp_path / "rank0" / "pair.distill").write_bytes(b"a saved model")
    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    rendezvous = f"file://{tmp_path / 'rendezvous'}"
    ranks = [
        context.Process(target=_check_file_on_rank, args=(r, rendezvous, str(tmp_path), answers))
        for r in (0, 1)
    ]
    for process in ranks:
        process.start()
    replies = dict(answers.get(timeout=120) for _ in ranks)
    for process in ranks:
        process.join(timeout=30)
    expected = (
        "To resume, every machine needs pair.distill in its models folder: 1 of the 2 "
        "processes found it. Copy it to the others."
    )
    assert replies == {0: expected, 1: expected}
