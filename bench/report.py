"""Gather bench/results/*.json into the table in bench/README.md (between the table markers).

    .venv/bin/python bench/report.py

Every row comes from a result file; a benchmark that has not been run yet reads "not run".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
README = BENCH / "README.md"
START, END = "<!-- bench-table:start -->", "<!-- bench-table:end -->"
FILES_START, FILES_END = "<!-- quality-files:start -->", "<!-- quality-files:end -->"

Row = tuple[str, str, str]


def _load(name: str) -> dict[str, Any] | None:
    path = RESULTS / name
    return json.loads(path.read_text()) if path.is_file() else None


def _use(levels: list[float]) -> str:
    return " / ".join(f"{u:.0%}" for u in levels)


def _loudness(report: dict) -> str:
    """The gated-RMS loudness change of the decodes, where the result has it."""
    if "max_abs_loudness_change_db" not in report:
        return ""
    return (
        f"; loudness (gated RMS) off by {report['mean_abs_loudness_change_db']:.2f} dB on "
        f"average, {report['max_abs_loudness_change_db']:.1f} dB at most"
    )


def _reconstruction(label: str, script: str, result: dict[str, Any], report: dict) -> list[Row]:
    config = result.get("model_config", {})
    levels, size = config.get("num_levels"), config.get("codebook_size")
    model = f"hidden {config.get('hidden_channels')}, {levels} x {size}"
    files = report["num_files"]
    if "model" not in report:  # written before the quality ruler: its distances are not these
        return [(f"{label}: model vs ceiling", script, "stale result (old ruler): run it again")]
    model_scores, ceiling = report["model"], report["ceiling"]
    return [
        (
            f"{label}: model vs Griffin-Lim ceiling on {files} held-out files ({model}), "
            "mel at the input's level / at the best gain / harmonic",
            script,
            f"model {model_scores['mel']} / {model_scores['best_gain_mel']} / "
            f"{model_scores['harmonic']}, ceiling {ceiling['mel']} / {ceiling['best_gain_mel']} / "
            f"{ceiling['harmonic']}; **ratio {report['ratio']}** (worst file "
            f"{report['worst_ratio']}); level error mean {report['mean_abs_level_error_db']} dB, "
            f"max {report['max_abs_level_error_db']} dB{_loudness(report)}",
        ),
        (
            f"{label}: codebook use per level (full pass over the training files)",
            script,
            f"{_use(result['codebook_use'])}; model file {result['model_file_mb']} MB",
        ),
    ]


def demo_rows() -> list[Row]:
    result = _load("demo.json")
    if result is None:
        return [("demo model and Griffin-Lim ceiling", "bench_demo.py", "not run")]
    rows = _reconstruction("demo model", "bench_demo.py", result, result["held_out"])
    for iterations, numbers in result["ceiling_by_iterations"].items():
        rows.append(
            (
                f"Griffin-Lim ceiling alone, {iterations} iterations (all demo clips)",
                "bench_demo.py",
                f"distance {numbers['ceiling_distance']}, "
                f"harmonic {numbers.get('ceiling_harmonic', '?')}, "
                f"{numbers['ms_per_audio_second']} ms per second of audio",
            )
        )
    return rows


def training_rows(name: str, label: str) -> list[Row]:
    result = _load(name)
    if result is None:
        return [(label, "bench_training.py", "not run")]
    corpus = f"{result['corpus_files']} files, {result['corpus_minutes']} min of audio"
    budget = (
        f"{result['train_minutes']} min"
        if result.get("train_config", {}).get("max_steps") is None
        else f"{result['steps']} steps"
    )
    rows = [
        (
            f"{label} ({corpus}; {budget} on {result['device']})",
            "bench_training.py",
            f"{result['steps_per_second']} steps/s, {result['steps']} steps, "
            f"best validation loss {result['best_val_loss']}",
        )
    ]
    return rows + _reconstruction(label, "bench_training.py", result, result["reconstruction"])


def codes_rows() -> list[Row]:
    result = _load("codes.json")
    if result is None:
        return [("encode, decode and previews", "bench_codes.py", "not run")]
    names = {
        "encode": "encode, 10 s file (with the code search, 20 steps)",
        "encode_without_search": "encode, 10 s file, the encoder's codes alone (no search)",
        "decode": "decode (full Griffin-Lim), 10 s file",
        "preview_single_code": "single-code preview (a cell click)",
        "preview_time_slice": "time-slice preview (a column click)",
        "play_row_audio": "one level alone, 10 s file (a row's Play)",
    }
    rows = [
        (label, "bench_codes.py", f"{result['median_ms'][key]} ms (median of {result['runs']})")
        for key, label in names.items()
        if key in result["median_ms"]
    ]
    for stage, numbers in (result.get("long_file_5_min") or {}).items():
        rows.append(
            (
                f"{stage}, 5-minute file",
                "bench_codes.py --long",
                f"{numbers['seconds']} s, peak memory growth {numbers['peak_growth_mib']} MiB",
            )
        )
    return rows


def edit_rows() -> list[Row]:
    """The editor's pure functions (bench_edit.py)."""
    rows: list[Row] = []
    functions = _load("edit.json")
    if functions is None:
        rows.append(("edit functions", "bench_edit.py", "not run"))
    else:
        load = functions["machine"]["load_average_1min"]
        for case, numbers in functions["cases"].items():
            rows.append(
                (
                    f"{case}, 10 s grid",
                    "bench_edit.py",
                    f"{numbers['median_ms']} ms (median; load average {load})",
                )
            )
    return rows


TARGETS_MS = {  # issue 27's targets: idle, loaded
    "cell click -> sound (new code)": (100, 250),
    "typed code -> shown": (50, 150),
    "Ctrl+Z -> grid updated": (50, 150),
    "Ctrl+Y -> grid updated": (50, 150),
    "blend slider move -> grid updated": (100, 200),
    "row Play -> sound": (200, 400),
}


def gesture_rows() -> list[Row]:
    """Gestures timed in the page (bench_gestures.py), on an idle CPU and with a training
    beside it."""
    rows: list[Row] = []
    for name, label, column in (
        ("gestures_idle.json", "idle", 0),
        ("gestures_loaded.json", "a training beside it", 1),
    ):
        result = _load(name)
        if result is None:
            rows.append((f"gestures in the page ({label})", "bench_gestures.py", "not run"))
            continue
        loads = " to ".join(str(x) for x in result["load_average"])
        for gesture, numbers in result["results"].items():
            if "count" in numbers:
                value = f"{numbers['count']}"
            else:
                value = f"{numbers['median_ms']} ms median, {numbers['max_ms']} ms max"
                if gesture in TARGETS_MS:
                    target = TARGETS_MS[gesture][column]
                    met = "met" if numbers["median_ms"] <= target else "**missed**"
                    value += f" (target {target} ms: {met})"
                value += f" ({numbers['runs']} runs)"
            rows.append(
                (
                    f"{gesture}, 10 s file, {label} (load average {loads})",
                    "bench_gestures.py",
                    value,
                )
            )
    return rows


PALETTE_TARGETS_MS = {  # issue 30's targets, idle
    "palette shown (cold)": 300,
    "palette shown (warm)": 300,
    "swatch heard (new code, at once)": 100,
    "swatch heard (new code, its level shown a moment)": 100,
    "swatch heard (heard before)": 100,
    "occurrences listed": 200,
}


def palette_rows() -> list[Row]:
    """The palette timed in the page (bench_palette.py): the demo and a 500-file model."""
    result = _load("palette.json")
    if result is None:
        return [("the palette in the page", "bench_palette.py", "not run")]
    loads = " to ".join(str(x) for x in result["load_average"])
    rows: list[Row] = []
    for model, measured in result["models"].items():
        for what, numbers in measured["results"].items():
            value = f"{numbers['median_ms']} ms median, {numbers['max_ms']} ms max"
            target = PALETTE_TARGETS_MS.get(what)
            if target is not None:
                met = "met" if numbers["median_ms"] <= target else "**missed**"
                value += f" (target {target} ms: {met})"
            value += f" ({numbers['runs']} runs)"
            where = f"{model} ({measured['kept_files']} files kept)"
            rows.append((f"{what}, {where} (load average {loads})", "bench_palette.py", value))
    return rows


def grid_rows() -> list[Row]:
    result = _load("grid.json")
    if result is None:
        return [("code grid HTML", "bench_grid.py", "not run")]
    browser = result.get("chromium_insert_and_layout_ms_median")
    rows = []
    for name, case in result["cases"].items():
        layout = (
            f"; {browser[name]} ms insert + layout in Chromium" if isinstance(browser, dict) else ""
        )
        rows.append(
            (
                f"grid HTML, {name} ({case['columns']} columns x {case['levels']} levels)",
                "bench_grid.py",
                f"{case['html_bytes'] / 1000:.0f} KB, {case['render_ms_median']} ms render{layout}",
            )
        )
    return rows


def scale_rows() -> list[Row]:
    """bench_scale.py: one vs two training processes, folder encoding at 1 and 2 jobs."""
    result = _load("scale.json")
    if result is None:
        return [("training and encoding that scale", "bench_scale.py", "not run")]
    load = f"load average {result['load_average_before']}-{result['load_average_after']}"
    rows = []
    for run in result["training"]:
        how = f"{run['processes']} process(es) x {run['threads_per_process']} thread(s)"
        rows.append(
            (
                f"training, CPU preset, {run['steps']} steps on the demo sounds: {how}",
                "bench_scale.py",
                f"{run['steps_per_second']} steps/s, {run['windows_per_second']} windows/s "
                f"({load})",
            )
        )
    for run in result["folder_encoding"]:
        rows.append(
            (
                f"folder encoding, demo model, {run['files']} files ({run['audio_s']} s of "
                f"audio): --jobs {run['jobs']}",
                "bench_scale.py",
                f"{run['files_per_second']} files/s, {run['audio_seconds_per_second']} "
                f"audio-seconds/s, {run['wall_s']} s with worker start-up ({load})",
            )
        )
    return rows


def open_file_rows() -> list[Row]:
    result = _load("open_file.json")
    if result is None:
        return [("opening a file in the app", "bench_open_file.py", "not run")]
    rows = []
    load = result.get("load_average_after")
    for case in result["cases"].values():
        during = "while decoding" if case["click_answered_while_decoding"] else "after the decode"
        text = (
            f"grid with the original's spectrogram {case['time_to_grid_s']} s, reconstruction "
            f"{case['time_to_reconstruction_s']} s, a click answered at "
            f"{case['click_answered_at_s']} s ({during}, in {case.get('click_ms_while_decoding')}"
            f" ms; {case.get('click_ms_after_decode')} ms after the decode); "
            f"{case['grid_html_kb']} KB grid"
        )
        alone = case.get("alone")
        if alone:
            text += (
                f" (of the time to grid, timed alone: encode {alone['encode_s']} s, picture "
                f"blocks {alone['pictures_s']} s, grid HTML {alone['grid_html_s']} s)"
            )
        if "scroll_frame_ms_median" in case:
            text += (
                f"; scrolling 20 screens: {case['scroll_frame_ms_median']} ms median frame, "
                f"{case['scroll_frame_ms_p95']} ms p95, "
                f"{case['picture_blocks_loaded_after_scroll']} of {case['picture_blocks']} "
                "picture blocks fetched"
            )
        seconds = case["file_seconds"]
        length = f"{seconds:g} s" if seconds < 60 else f"{seconds / 60:g}-minute"
        rows.append(
            (
                f"opening a {length} file: from Encode pressed ({case['columns']} columns; "
                f"load average {load} on {result['cpus']} CPUs)",
                "bench_open_file.py",
                text,
            )
        )
    return rows


def _prior_row(label: str, result: dict[str, Any]) -> list[Row]:
    generation = result["generation"]
    speed = result.get("prior_steps_per_second", result.get("prior_train_steps_per_second"))
    held = (
        f"; on the corpus's {result['corpus_held_out_files']} fixed held-out files "
        f"{result['corpus_held_out_perplexity']} vs {result['corpus_held_out_unigram_perplexity']}"
        if "corpus_held_out_perplexity" in result
        else ""
    )
    copies = max(r["longest_copy_s"] for r in generation["runs"])
    # phrase_share: level-1 4-code phrases, runs collapsed (issue 28); ngram_share before it:
    # whole 4-column stretches
    shares = max(r.get("phrase_share", r.get("ngram_share", 0.0)) for r in generation["runs"])
    return [
        (
            f"prior, {label}: held-out perplexity per code vs unigram ({result['files']} files, "
            f"{result['training_columns']} columns, {result['prior_parameters'] / 1e6:.2f} M "
            "parameters)",
            "bench_prior.py",
            f"**{result['heldout_perplexity']:.1f} vs {result['unigram_perplexity']:.1f}** "
            f"(K {result['codebook_size']}){held}; training {speed} steps/s",
        ),
        (
            f"prior, {label}: generation speed ({generation['seconds_per_generation']:.0f} s, "
            f"temperature {generation['temperature']}, top-p {generation['top_p']}) and what "
            "it copies",
            "bench_prior.py",
            f"{generation['median_sampling_columns_per_second']} columns/s, **"
            f"{generation['ratio_to_real_time']}x real time** (slowest "
            f"{generation['slowest_ratio_to_real_time']}x); with the memorisation check "
            f"{generation['median_generate_columns_per_second']} columns/s; longest copy "
            f"{copies:.2f} s, at most {shares:.0%} of 4-column stretches (level-1 phrases since "
            "issue 28) seen",
        ),
    ]


def prior_rows() -> list[Row]:
    rows: list[Row] = []
    for name, label in (("prior.json", "demo model"), ("prior_corpus.json", "real recordings")):
        result = _load(name)
        if result is None:
            rows.append((f"prior, {label}", "bench_prior.py", "not run"))
        elif "median_sampling_columns_per_second" not in result.get("generation", {}):
            rows.append((f"prior, {label}", "bench_prior.py", "stale result: run it again"))
        else:
            rows += _prior_row(label, result)
    return rows


SECTIONS: list[Callable[[], list[Row]]] = [
    demo_rows,
    lambda: training_rows("training_corpus.json", "training on real recordings"),
    lambda: training_rows("training.json", "training speed on the demo sounds"),
    codes_rows,
    grid_rows,
    open_file_rows,
    edit_rows,
    gesture_rows,
    palette_rows,
    scale_rows,
    prior_rows,
]


def file_table(after: str, before: str) -> str:
    """Per held-out file: the ruler's three numbers before and after, and the ceilings."""
    new, old = _load(after), _load(before)
    if new is None or old is None:
        return "(not run)"
    lines = [
        "| file | s | before: mel / best-gain / harmonic (level dB) | after: mel / best-gain / "
        "harmonic (level dB) | ceiling before -> after: mel, harmonic | after / ceiling |",
        "|---|---|---|---|---|---|",
    ]
    old_files = {f["name"]: f for f in old["reconstruction"]["files"]}
    for f in new["reconstruction"]["files"]:
        o = old_files.get(f["name"])
        if o is None:
            continue
        lines.append(
            f"| {f['name']} | {f['duration_s']:.1f} | {_scores(o)} | {_scores(f)} | "
            f"{o['ceiling']['mel']:.3f} -> {f['ceiling']['mel']:.3f}, "
            f"{o['ceiling']['harmonic']:.3f} -> {f['ceiling']['harmonic']:.3f} | {f['ratio']:.2f} |"
        )
    return "\n".join(lines)


def _scores(file: dict) -> str:
    m = file["model"]
    return (
        f"{m['mel']:.3f} / {m['best_gain_mel']:.3f} / {m['harmonic']:.3f} "
        f"({file['level_error_db']:+.1f})"
    )


def table() -> str:
    lines = ["| what | script | result |", "|---|---|---|"]
    for section in SECTIONS:
        lines += [f"| {what} | {script} | {result} |" for what, script, result in section()]
    return "\n".join(lines)


def main() -> None:
    text = README.read_text()
    block = f"{START}\n{table()}\n{END}"
    pattern = re.compile(re.escape(START) + ".*?" + re.escape(END), re.DOTALL)
    if not pattern.search(text):
        raise SystemExit(f"{README} lacks the {START} ... {END} markers")
    text = pattern.sub(lambda _: block, text)
    files = f"{FILES_START}\n{file_table('training_corpus.json', 'training_corpus_before.json')}\n"
    files += FILES_END
    files_pattern = re.compile(re.escape(FILES_START) + ".*?" + re.escape(FILES_END), re.DOTALL)
    if files_pattern.search(text):
        text = files_pattern.sub(lambda _: files, text)
    README.write_text(text)
    print(block)


if __name__ == "__main__":
    main()
