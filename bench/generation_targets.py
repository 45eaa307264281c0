"""Issue 28's "Done when" targets, checked on one generation-benchmark result (medians over
takes for the generated set; the longest copy over every take)."""

from __future__ import annotations


def _verdict(ok: bool, text: str) -> str:
    return f"{'met' if ok else 'MISSED'}: {text}"


def _holds(gen: dict, held: dict) -> list[str]:
    limit = held["hold_share"] + 0.05 if held["hold_share"] < 0.05 else 2 * held["hold_share"]
    return [
        _verdict(
            gen["hold_share"] <= limit,
            f"hold share {gen['hold_share']} <= {limit:.3f} (held-out {held['hold_share']})",
        ),
        _verdict(
            gen["longest_hold_s"] <= 2 * held["longest_hold_s"],
            f"longest hold {gen['longest_hold_s']} s <= 2 x held-out {held['longest_hold_s']} s",
        ),
    ]


def _within(name: str, value: float, reference: float, low: float, high: float) -> str:
    ratio = value / reference if reference else float("inf")
    return _verdict(
        low <= ratio <= high, f"{name} {value} is {ratio:.2f}x the training files' {reference}"
    )


def _moves(gen: dict, held: dict) -> list[str]:
    verdicts = []
    if gen["bigram_share"] is not None and held["bigram_share"] is not None:
        low = 0.6 * held["bigram_share"]
        verdicts.append(
            _verdict(
                gen["bigram_share"] >= low,
                f"bigram share {gen['bigram_share']} >= {low:.3f} "
                f"(held-out {held['bigram_share']})",
            )
        )
    if gen["fourgram_share"] is not None and held["fourgram_share"] is not None:
        low, high = 0.5 * held["fourgram_share"], 2 * held["fourgram_share"] + 0.05
        verdicts.append(
            _verdict(
                low <= gen["fourgram_share"] <= high,
                f"4-gram share {gen['fourgram_share']} in [{low:.3f}, {high:.3f}] (held-out "
                f"{held['fourgram_share']})",
            )
        )
    return verdicts


def check_targets(result: dict) -> list[str]:
    """One line per target: 'met: ...' or 'MISSED: ...'."""
    sets = result["sets"]
    gen, held, train = sets["generated"], sets["held_out"], sets["training"]
    lines = _holds(gen, held)
    lines.append(_within("onsets/s", gen["onsets_per_s"], train["onsets_per_s"], 0.6, 1.6))
    lines.append(_within("dynamics", gen["dynamics"], train["dynamics"], 0.6, 1.6))
    lines += _moves(gen, held)
    fine = result["perplexity"]["ratio"][1:]
    lines.append(
        _verdict(all(r <= 0.8 for r in fine), f"fine-level perplexity ratios {fine} <= 0.8")
    )
    copy = max(t["longest_copy_s"] for t in gen["per_take"])
    lines.append(_verdict(copy <= 1.0, f"longest copy of any take {copy} s <= 1.0 s"))
    return lines
