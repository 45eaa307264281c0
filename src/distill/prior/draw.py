"""Drawing columns from a prior: several takes side by side (one batch, one generator each),
each column level by level coarse to fine, level 1 steered by the collection's habits
(novelty, events, hold penalty), every level filtered by temperature, top-k, top-p and
min-p. The prior's recurrent state is the cached context: a prefix is read once, then each
column costs one step for all takes together."""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from distill.models.prior import START, CodePrior, start_column
from distill.prior.habits import CollectionHabits
from distill.prior.settings import MAX_TAKES, SamplingSettings

MIN_SOUND_COLUMNS = 2  # a sound lasts at least this long before it may end
# Levels drawn at the temperature calibrated on held-out files (the prior's record keeps every
# level's): level 1 only. Measured (bench/README.md, "Generation"): calibrating level 1 cut
# how often takes replay the training files' coarse phrases 3x on real recordings; the finer
# levels drawn hotter too doubled the takes' onsets, a flicker the files never have.
CALIBRATED_LEVELS = 1
# In a continuation, level-1 codes the continued grid never uses have their probability
# multiplied by this. Measured (bench/README.md, "Continue"; 12 held-out real recordings cut
# in the middle, 3 priors x 6 seeds): a file's next second finds 96% of its level-1 codes in
# the half before it, a free continuation 22-26%, and its first second came 8.8-10.5 dB from
# the file's level, where the file itself moves 0.9 dB; at 0.3 48-57% and 6.5-8.4 dB; at 0.1
# 78-83% and 5.3-6.1 dB, changing codes as often as the file (0.03 and 0, two seeds: no
# closer in level, and fewer code changes than the file makes).
CONTINUE_STRAY = 0.1


@dataclass(frozen=True)
class Steering:
    """What the settings ask of one prior: END's logit offset (None: no new sound), the
    multiplier of level-1 moves the files never make, the hold penalty, and each level's
    temperature as calibrated on held-out files (the settings' temperatures multiply it)."""

    end_bias: float | None
    novelty: float
    hold_penalty: float
    habits: CollectionHabits | None = None
    temperatures: tuple[float, ...] = ()  # per level (missing: 1)
    # [K]: 0 on level 1's codes of a continued grid, log(CONTINUE_STRAY) on the others
    stray_bias: torch.Tensor | None = None

    @classmethod
    def of(
        cls,
        settings: SamplingSettings,
        habits: CollectionHabits | None,
        allow_end: bool,
        temperatures: tuple[float, ...] = (),
        continued: torch.Tensor | None = None,
        codebook_size: int = 0,
        end_offset: float = 0.0,
    ) -> Steering:
        """`continued` [P]: level 1 of the grid a continuation goes on from (its codes are
        the ones it keeps to, CONTINUE_STRAY); codebook_size K is needed with it.
        `end_offset`: what the prior's END log-odds need for its takes to start new sounds as
        often as its files do (prior.pace); the events setting is counted from there."""
        end_bias: float | None = None
        if allow_end and settings.events != 0:
            end_bias = end_offset
            if settings.events is not None and habits is not None:
                end_bias += math.log(settings.events / habits.sounds_per_minute)
        stray_bias = None
        if continued is not None and bool((continued >= 0).any()):
            stray_bias = torch.full((codebook_size,), math.log(CONTINUE_STRAY))
            stray_bias[continued[continued >= 0]] = 0.0
        return cls(
            end_bias, settings.novelty, settings.hold_penalty, habits, temperatures, stray_bias
        )

    def temperature(self, settings: SamplingSettings, level: int) -> float:
        """The settings' temperature for `level`, times the calibrated one where it is used
        (CALIBRATED_LEVELS)."""
        calibrated = self.temperatures[level] if level < len(self.temperatures) else 1.0
        return (calibrated if level < CALIBRATED_LEVELS else 1.0) * settings.level_temperature(
            level
        )


@dataclass(frozen=True)
class Drawn:
    """codes [B, N, L] of B takes; per take, the columns where a new sound starts."""

    codes: torch.Tensor
    sound_starts: tuple[tuple[int, ...], ...]


@dataclass
class _Lanes:
    """Where each take is: columns done, the last level-1 code and its run, the sound's age."""

    position: torch.Tensor  # [B]
    last_code: torch.Tensor  # [B], -1 at a sound's start
    run: torch.Tensor  # [B] columns the last code has been held
    age: torch.Tensor  # [B] columns since the sound started

    @classmethod
    def after(cls, prefix: torch.Tensor, lanes: int) -> _Lanes:
        last, run = -1, 0
        if len(prefix):
            last = int(prefix[-1, 0])
            differs = (prefix[:, 0] != last).nonzero()
            run = len(prefix) - (int(differs[-1]) + 1 if len(differs) else 0)
        values = torch.tensor([0, last, run, len(prefix)]).repeat(lanes, 1)  # [B, 4]
        return cls(*values.T.clone())

    def step(self, codes: torch.Tensor, ended: torch.Tensor, moved: torch.Tensor) -> None:
        """codes [B] level 1 drawn; ended [B] an END was drawn; moved [B] a column was kept."""
        same = codes == self.last_code
        self.run = torch.where(ended, 0, torch.where(same, self.run + 1, 1))
        self.last_code = torch.where(ended, -1, codes)
        self.age = torch.where(ended, 0, self.age + 1)
        self.position = self.position + moved.long()


def _end_probability(logits: torch.Tensor, lanes: _Lanes, steering: Steering) -> torch.Tensor:
    """Level 1's logits [B, K + 1] -> the chance [B] that the sound ends here: the prior's
    own, its odds times exp(end_bias) (the events setting), 0 for a sound just started."""
    log_p = torch.log_softmax(logits.double(), dim=-1)[:, -1]
    if steering.end_bias is None:
        return torch.zeros_like(log_p)
    odds = log_p - torch.log1p(-log_p.exp().clamp(max=1 - 1e-12)) + steering.end_bias
    return torch.where(lanes.age < MIN_SOUND_COLUMNS, 0.0, torch.sigmoid(odds))


def _steer(logits: torch.Tensor, lanes: _Lanes, steering: Steering) -> torch.Tensor:
    """Level 1's code logits [B, K] steered by novelty, the hold penalty and, in a
    continuation, the continued grid's own codes (an ending is decided apart, so steering the
    codes never changes how often sounds end)."""
    if steering.stray_bias is not None:
        logits = logits + steering.stray_bias.to(logits.dtype)
    # Held: a code is going on (not a sound's start; a take already done may hold END).
    habits = steering.habits
    held = (lanes.last_code >= 0) & (lanes.last_code < logits.shape[-1])
    if habits is None:
        return logits
    logits = logits.clone()
    if steering.novelty < 1:
        rows = torch.where(held, lanes.last_code, logits.shape[-1])
        allowed = habits.moves[rows].clone()  # [B, K]
        allowed[held, lanes.last_code[held]] = True  # holding is not a move
        penalty = math.log(steering.novelty) if steering.novelty > 0 else -math.inf
        logits = logits + torch.where(allowed, 0.0, penalty).to(logits.dtype)
    if steering.hold_penalty > 0 and bool(held.any()):
        excess = (lanes.run - habits.typical_run).clamp(min=0).double() / habits.typical_run
        index = torch.nonzero(held).flatten()
        penalty_per_lane = (steering.hold_penalty * excess[index]).to(logits.dtype)
        logits[index, lanes.last_code[index]] -= penalty_per_lane
    return logits


def _filter(logits: torch.Tensor, temperature: float, settings: SamplingSettings) -> torch.Tensor:
    """logits [B, C] -> log-probabilities [B, C] after temperature, top-k, top-p and min-p
    (dropped codes at -inf; the likeliest code always stays)."""
    logits = logits.double() / temperature
    if 0 < settings.top_k < logits.shape[-1]:
        kth = torch.topk(logits, settings.top_k, dim=-1).values[:, -1:]
        logits = logits.masked_fill(logits < kth, -math.inf)
    probs = torch.softmax(logits, dim=-1)
    if settings.top_p < 1.0:
        ordered, order = torch.sort(probs, descending=True, dim=-1)
        before = torch.cumsum(ordered, dim=-1) - ordered  # mass of the likelier codes
        ordered[before >= settings.top_p] = 0.0
        probs = torch.zeros_like(probs).scatter(-1, order, ordered)
    if settings.min_p > 0:
        probs[probs < settings.min_p * probs.amax(dim=-1, keepdim=True)] = 0.0
    return torch.log(probs)


def _pick(log_probs: torch.Tensor, uniform: torch.Tensor) -> torch.Tensor:
    """One code per take [B], drawn from log_probs [B, C] with uniform noise [B, >= C] from
    each take's own generator (Gumbel-max: the argmax of log p plus Gumbel noise is a draw
    from p)."""
    noise = uniform[:, : log_probs.shape[-1]].double().clamp(1e-12, 1 - 1e-12)
    return torch.argmax(log_probs - torch.log(-torch.log(noise)), dim=-1)


def take_generators(seed: int, first: int, takes: int) -> list[torch.Generator]:
    """Take i of `seed` draws from its own generator: the same seed gives the same takes
    (up to 4 x MAX_TAKES takes per seed, counting those drawn in place of rejected ones)."""
    if first < 0 or first + takes > 4 * MAX_TAKES:
        raise ValueError(f"takes {first}-{first + takes - 1} are beyond {4 * MAX_TAKES}")
    return [
        torch.Generator().manual_seed(seed * 4 * MAX_TAKES + i) for i in range(first, first + takes)
    ]


@torch.no_grad()
def draw_columns(
    prior: CodePrior,
    prefix: torch.Tensor,
    plan: torch.Tensor,
    resample: torch.Tensor,
    settings: SamplingSettings,
    steering: Steering,
    takes: int = 1,
    first_take: int = 0,
) -> Drawn:
    """`takes` drawings of the columns after `prefix` [P, L] (P may be 0): plan [N, L] with
    resample [N, L] (bool) True where a code is drawn, the plan's codes kept elsewhere.

    Inside a column the levels go coarse to fine, each drawn given the levels above it
    (drawn or kept); the finished column then advances the state by one step. An END drawn
    on level 1 ends the sound: the next column starts a new one (it takes no column)."""
    prior.eval()
    count = plan.shape[0]
    generators = take_generators(settings.seed, first_take, takes)
    first = torch.cat([start_column(prior.config)[0], prefix])  # [1 + P, L]
    context, hidden = prior.advance(first[None])
    hidden = hidden.repeat(1, takes, 1)  # [layers, B, H]
    state_in = context[:, -1].repeat(takes, 1)  # [B, H]
    previous = first[-1].repeat(takes, 1)  # [B, L]
    lanes = _Lanes.after(prefix, takes)
    out = plan.repeat(takes, 1, 1)  # [B, N, L]
    starts: list[list[int]] = [[] for _ in range(takes)]
    draw = _ColumnDraw(prior, settings, steering, generators)
    for _ in range(2 * count + 2):  # an END takes no column, and two never follow each other
        active = lanes.position < count
        if not bool(active.any()):
            break
        where = lanes.position.clamp(max=count - 1)
        column, ended = draw.column(state_in, previous, plan[where], resample[where], lanes)
        kept = active & ~ended
        for take in torch.nonzero(kept).flatten().tolist():
            out[take, lanes.position[take]] = column[take]
            if lanes.age[take] == 0 and lanes.position[take] > 0:
                starts[take].append(int(lanes.position[take]))
        lanes.step(column[:, 0], ended & active, kept)
        fed = torch.where(ended[:, None], START, column)  # after an END: a start column
        context, hidden = prior.advance(fed[:, None], hidden)
        state_in, previous = context[:, -1], fed
    return Drawn(out, tuple(tuple(s) for s in starts))


@dataclass(frozen=True)
class _ColumnDraw:
    """One column for every take, with what stays fixed for the whole drawing."""

    prior: CodePrior
    settings: SamplingSettings
    steering: Steering
    generators: list[torch.Generator]

    def column(
        self,
        state: torch.Tensor,
        previous: torch.Tensor,
        plan: torch.Tensor,
        resample: torch.Tensor,
        lanes: _Lanes,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """state [B, H], previous column [B, L], plan and resample [B, L] -> (codes [B, L],
        ended [B]: level 1 drew END)."""
        prior, size = self.prior, self.prior.config.codebook_size
        levels = prior.config.num_levels
        # each take's noise for the column: a row per level, and one more for the ending
        noise = torch.stack([torch.rand(levels + 1, size, generator=g) for g in self.generators])
        column = plan.clone()
        ended = torch.zeros(plan.shape[0], dtype=torch.bool)
        for level in range(levels):
            logits = prior.levels.logits(level, state, previous)  # [B, C]
            if level == 0:
                if logits.shape[-1] > size:  # the prior can end a sound
                    chance = _end_probability(logits, lanes, self.steering)
                    ended = noise[:, levels, 0].double() < chance
                logits = _steer(logits[:, :size], lanes, self.steering)
            temperature = self.steering.temperature(self.settings, level)
            drawn = _pick(_filter(logits, temperature, self.settings), noise[:, level])
            column[:, level] = torch.where(resample[:, level], drawn, plan[:, level])
            if level < prior.config.num_levels - 1:
                state = prior.levels.after(level, state, column[:, level])
        column[:, 0] = torch.where(ended & resample[:, 0], size, column[:, 0])
        return column, column[:, 0] == size
