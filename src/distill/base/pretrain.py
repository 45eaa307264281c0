"""Pretrain the base model on the rendered audio: resumable, step-scheduled, CPU or GPU.

    python -m distill.base.pretrain DATA_DIR --out build/base [--steps N] [--minutes M]
        [--init BASE_FILE]

Every few minutes the run writes a checkpoint (weights, optimiser, step) to OUT, so an
interrupted run (Ctrl-C, a closed laptop, the end of a sitting) resumes where it stopped when
started again with the same OUT; the learning rate follows the step, not the clock, so pauses
change nothing. It also exports the base model file (half-precision weights) and appends each
validation to OUT/log.jsonl (the loss curve).

The base is a linear-output ConvVQVAE at the CPU preset's size (what fine-tuning starts from)
with 8 levels of 256 codes; a second, mel head on the decoder's trunk is trained beside the
linear one, so a mel-output model can start from the same base (bench/README.md, issue 26).

`--init` continues an exported base (the shipped one, say) in a new OUT: its weights and its
step count carry on, a fresh optimiser and mel head, and a second schedule (warm-up, then
cosine) from its step to `--steps`, so a base can be pretrained further in later sittings.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

from distill.audio.spectrogram import AudioSpectrogram, SpectrogramConfig
from distill.models.base import base_config, save_base
from distill.models.persistence import load_model, resolve_device
from distill.models.vqvae import ConvVQVAE, VQVAEConfig, mel_head
from distill.training.data import MelClip, MelDataset, load_clip, random_windows, tiled_windows
from distill.training.loss import output_loss, reconstruction_loss
from distill.training.presets import CPU_PRESET, CUDA_PRESET

CHECKPOINT = "checkpoint.safetensors"
MEL_HEAD = "mel_head.safetensors"
LOG = "log.jsonl"


@dataclass(frozen=True)
class PretrainConfig:
    steps: int = 8_000  # the learning-rate schedule's length
    batch_size: int = CPU_PRESET.batch_size  # a GPU takes the CUDA preset's (per step)
    crop_frames: int = CPU_PRESET.crop_frames
    learning_rate: float = 1e-3
    final_learning_rate: float = 1e-4
    warmup_steps: int = 500
    weight_decay: float = 0.01
    mel_head_weight: float = 0.5  # the auxiliary mel head's share of the loss
    val_fraction: float = 0.02
    validate_every_steps: int = 500
    checkpoint_every_s: float = 600.0
    seed: int = 0
    device: str = "auto"
    restart_step: int = 0  # where this schedule starts: the step of the base it continues


def lr_at(step: int, config: PretrainConfig) -> float:
    """Linear warm-up from `restart_step`, then cosine from learning_rate to
    final_learning_rate at `steps`."""
    local, length = step - config.restart_step, config.steps - config.restart_step
    if local < config.warmup_steps:
        return config.learning_rate * (local + 1) / config.warmup_steps
    done = min(1.0, (local - config.warmup_steps) / max(1, length - config.warmup_steps))
    low, high = config.final_learning_rate, config.learning_rate
    return low + (high - low) * 0.5 * (1 + math.cos(math.pi * done))


def load_data(directory: Path, spec: AudioSpectrogram, config: PretrainConfig) -> MelDataset:
    """Every rendered file (manifest order) as a clip with linear targets; a fixed share held
    out for validation, spread over the sources. The spectrograms are cached beside the data
    (CACHE), so a resumed sitting starts in a minute, not a quarter of an hour."""
    manifest = json.loads((directory / "manifest.json").read_text())
    clips = _cached_clips(directory, manifest)
    if clips is None:
        clips = []
        for number, entry in enumerate(manifest):
            clips.append(load_clip(directory / entry["file"], spec, linear=True))
            if number % 500 == 0:
                print(f"loading {number}/{len(manifest)}", flush=True)
        _cache_clips(directory, clips)
    every = max(2, round(1 / config.val_fraction))
    validation = [c for i, c in enumerate(clips) if i % every == every // 2]
    train = [c for i, c in enumerate(clips) if i % every != every // 2]
    return MelDataset(train, validation, [])


CACHE = "spectrograms.safetensors"


def _cache_clips(directory: Path, clips: list[MelClip]) -> None:
    """All clips' log-mel and log linear power, concatenated along time, in one file."""
    tensors = {
        "mel": torch.cat([c.mel for c in clips], dim=-1).half().contiguous(),  # [1, M, total]
        "linear": torch.cat([c.linear for c in clips if c.linear is not None], dim=-1),
    }
    meta = {
        "files": json.dumps([c.path.name for c in clips]),
        "frames": json.dumps([c.num_frames for c in clips]),
        "seconds": json.dumps([c.duration_s for c in clips]),
    }
    save_file(tensors, directory / (CACHE + ".tmp"), metadata=meta)
    (directory / (CACHE + ".tmp")).replace(directory / CACHE)


def _cached_clips(directory: Path, manifest: list[dict]) -> list[MelClip] | None:
    """The cached clips, if the cache holds exactly the manifest's files."""
    path = directory / CACHE
    if not path.is_file():
        return None
    with safe_open(str(path), "pt") as stored:
        meta = stored.metadata()
        if json.loads(meta["files"]) != [entry["file"] for entry in manifest]:
            return None
        mel, linear = stored.get_tensor("mel").float(), stored.get_tensor("linear")
    clips, start = [], 0
    for name, frames, seconds in zip(
        json.loads(meta["files"]),
        json.loads(meta["frames"]),
        json.loads(meta["seconds"]),
        strict=True,
    ):
        end = start + frames
        clips.append(
            MelClip(directory / name, mel[..., start:end], seconds, linear[..., start:end])
        )
        start = end
    return clips


class Pretraining:
    """The model, its extra mel head, the optimiser and the step: all a checkpoint holds."""

    def __init__(
        self,
        config: PretrainConfig,
        spec: AudioSpectrogram,
        device: torch.device,
        model_config: VQVAEConfig | None = None,  # the base's (tests: a tiny one)
    ):
        self.config, self.spec, self.device = config, spec, device
        model_config = model_config or base_config(spec.config)
        self.model = ConvVQVAE(model_config).to(device).train()
        self.mel_head = mel_head(self.model.config.hidden_channels, spec.config.n_mels).to(device)
        parameters = [*self.model.parameters(), *self.mel_head.parameters()]
        self.optimizer = torch.optim.AdamW(
            parameters, lr=config.learning_rate, weight_decay=config.weight_decay
        )
        self.step = 0
        self.elapsed_s = 0.0  # training time over every sitting

    def loss(self, windows_mel: torch.Tensor, linear: torch.Tensor) -> torch.Tensor:
        model = self.model
        latent = model.encode(windows_mel)
        quantized, _, commitment = model.quantize(latent)
        features = model.decoder.features(quantized.squeeze(2))  # [B, C, F]
        frames = (windows_mel.shape[2], windows_mel.shape[3])
        output = model.decode(quantized, frames)  # [B, 1, N, F]
        loss = output_loss(output, windows_mel, linear, self.spec) + commitment
        mel = self.mel_head(features)[..., : frames[1]].unsqueeze(1)  # [B, 1, M, F]
        mel_loss = reconstruction_loss(mel, windows_mel, self.spec)
        return loss + self.config.mel_head_weight * mel_loss

    def train_step(self, data: MelDataset, rng: random.Random) -> float:
        config = self.config
        windows = random_windows(
            data.train, config.batch_size, config.crop_frames, self.spec.config.silence, rng
        ).to(self.device)
        assert windows.linear is not None
        for group in self.optimizer.param_groups:
            group["lr"] = lr_at(self.step, config)
        with torch.autocast(self.device.type, torch.bfloat16, enabled=self.device.type == "cuda"):
            loss = self.loss(windows.mel, windows.linear)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.step += 1
        return loss.item()

    @torch.no_grad()
    def validate(self, data: MelDataset) -> dict[str, float]:
        """Validation loss with every level and with the first 1, 2 and 4 only."""
        self.model.eval()
        batches = tiled_windows(
            data.validation, 32, self.config.crop_frames, self.spec.config.silence
        )
        totals = {"all": 0.0, "levels_1": 0.0, "levels_2": 0.0, "levels_4": 0.0}
        for windows in batches[:40]:
            windows = windows.to(self.device)
            _, codes, _ = self.model.quantize(self.model.encode(windows.mel))
            for key, keep in (
                ("all", codes.shape[-1]),
                ("levels_1", 1),
                ("levels_2", 2),
                ("levels_4", 4),
            ):
                kept = codes.clone()
                kept[..., keep:] = -1
                quantized = self.model.codes_to_embeddings(kept, (1, kept.shape[1]))
                output = self.model.decode(quantized, (windows.mel.shape[2], windows.mel.shape[3]))
                totals[key] += float(output_loss(output, windows.mel, windows.linear, self.spec))
        self.model.train()
        return {k: round(v / min(len(batches), 40), 5) for k, v in totals.items()}

    def save_checkpoint(self, out: Path) -> None:
        tensors = {f"model.{k}": v for k, v in self.model.state_dict().items()}
        tensors |= {f"mel_head.{k}": v for k, v in self.mel_head.state_dict().items()}
        for index, state in self.optimizer.state_dict()["state"].items():
            for name, value in state.items():
                tensors[f"adam.{index}.{name}"] = (
                    torch.as_tensor(value).reshape(-1) if name == "step" else value
                )
        meta = {
            "step": str(self.step),
            "elapsed_s": str(self.elapsed_s),
            "config": json.dumps(asdict(self.config)),
        }
        temporary = out / (CHECKPOINT + ".tmp")
        save_file(
            {k: v.detach().cpu().contiguous() for k, v in tensors.items()}, temporary, metadata=meta
        )
        temporary.replace(out / CHECKPOINT)

    def load_checkpoint(self, out: Path) -> bool:
        path = out / CHECKPOINT
        if not path.is_file():
            return False
        tensors = load_file(path, device=str(self.device))
        self.model.load_state_dict({k[6:]: v for k, v in tensors.items() if k.startswith("model.")})
        self.mel_head.load_state_dict(
            {k[9:]: v for k, v in tensors.items() if k.startswith("mel_head.")}
        )
        state = self.optimizer.state_dict()
        for key, value in tensors.items():
            if key.startswith("adam."):
                _, index, name = key.split(".", 2)
                state["state"].setdefault(int(index), {})[name] = (
                    value.cpu() if name == "step" else value
                )
        self.optimizer.load_state_dict(state)
        with safe_open(str(path), "pt") as stored:  # the step and time are in the header
            meta = stored.metadata()
        self.step, self.elapsed_s = int(meta["step"]), float(meta["elapsed_s"])
        stored_config = json.loads(meta["config"])  # where its schedule restarted, if it did
        self.config = replace(self.config, restart_step=stored_config.get("restart_step", 0))
        return True

    def start_from(self, path: Path) -> None:
        """Continue an exported base: its weights, step and training time; this run's
        schedule restarts at its step (the optimiser and the mel head start afresh)."""
        base = load_model(path)
        training = base.metadata.training
        if base.vqvae_config != self.model.config or training is None:
            raise SystemExit(f"{path} is not a base of this architecture: it cannot be continued.")
        self.model.load_state_dict(base.model.state_dict())
        self.step, self.elapsed_s = training.steps, training.elapsed_s
        self.config = replace(self.config, restart_step=self.step)

    def export(self, out: Path, data_summary: dict) -> Path:
        save_file(
            {
                k: v.detach().cpu().half().contiguous()
                for k, v in self.mel_head.state_dict().items()
            },
            out / MEL_HEAD,
        )
        return save_base(
            out / "base.distill",
            self.model,
            self.spec.config,
            self.step,
            self.elapsed_s,
            data_summary,
        )


def read_log(path: Path) -> list[dict]:
    """A pretraining log's records, one per step (a step a resumed sitting redid: its last
    record); none before the first validation."""
    lines = path.read_text().splitlines() if path.exists() else []
    records = [json.loads(line) for line in lines if line.strip()]
    return list({record["step"]: record for record in records}.values())


def _logged(out: Path, step: int) -> bool:
    """Whether the log already has a record of this step (a finished run started again)."""
    return any(record["step"] == step for record in read_log(out / LOG))


def pretrain(
    data_dir: Path,
    out: Path,
    config: PretrainConfig,
    minutes: float | None,
    init: Path | None = None,
) -> None:
    """Train until `config.steps` (or `minutes` of this sitting), checkpointing as it goes;
    from `init` (an exported base) when OUT has no checkpoint yet."""
    device = resolve_device(config.device)
    if device.type == "cuda":
        config = replace(config, batch_size=CUDA_PRESET.batch_size)
    torch.manual_seed(config.seed)
    out.mkdir(parents=True, exist_ok=True)
    spec = AudioSpectrogram(SpectrogramConfig(), device)
    data = load_data(data_dir, AudioSpectrogram(SpectrogramConfig()), config)
    hours = sum(c.duration_s for c in data.all_clips) / 3600
    summary = {"files": len(data.all_clips), "hours": round(hours, 3)}
    print(
        f"{len(data.train)} training and {len(data.validation)} validation files, {hours:.2f} h",
        flush=True,
    )
    run = Pretraining(config, spec, device)
    if run.load_checkpoint(out):
        print(f"resuming at step {run.step}", flush=True)
    elif init is not None:
        run.start_from(init)
        print(f"continuing {init} from its step {run.step}", flush=True)
    config = run.config
    rng = random.Random(config.seed * 1_000_003 + run.step)
    started = time.monotonic()
    last_checkpoint = started
    losses: list[float] = []
    log = (out / LOG).open("a")

    def log_step() -> None:
        record = {
            "step": run.step,
            "elapsed_s": round(run.elapsed_s, 1),
            "lr": lr_at(run.step, config),
            "train": round(sum(losses) / len(losses), 5) if losses else None,
            "val": run.validate(data),
            "time": time.time(),
        }
        losses.clear()
        log.write(json.dumps(record) + "\n")
        log.flush()
        print(json.dumps(record), flush=True)

    while run.step < config.steps:
        if minutes is not None and time.monotonic() - started > minutes * 60:
            break
        tick = time.monotonic()
        losses.append(run.train_step(data, rng))
        run.elapsed_s += time.monotonic() - tick
        if run.step % config.validate_every_steps == 0:
            log_step()
        if time.monotonic() - last_checkpoint > config.checkpoint_every_s:
            run.save_checkpoint(out)
            run.export(out, summary)
            last_checkpoint = time.monotonic()
    if run.step >= config.steps and not _logged(out, run.step):
        log_step()  # the exported weights' own validation, whatever step the schedule ends at
    run.save_checkpoint(out)
    print(f"exported {run.export(out, summary)} at step {run.step}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path)
    parser.add_argument("--out", type=Path, default=Path("build/base"))
    parser.add_argument("--steps", type=int, default=PretrainConfig.steps)
    parser.add_argument(
        "--minutes", type=float, default=None, help="stop this sitting after M minutes"
    )
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="auto")
    parser.add_argument(
        "--init", type=Path, default=None, help="continue this exported base (a new OUT)"
    )
    parser.add_argument("--learning-rate", type=float, default=PretrainConfig.learning_rate)
    parser.add_argument(
        "--final-learning-rate", type=float, default=PretrainConfig.final_learning_rate
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    pretrain(
        args.data,
        args.out,
        PretrainConfig(
            steps=args.steps,
            device=args.device,
            learning_rate=args.learning_rate,
            final_learning_rate=args.final_learning_rate,
        ),
        args.minutes,
        args.init,
    )


if __name__ == "__main__":
    main()
