"""Layers import downward only (DESIGN.md 9): every import in src/distill, including those inside
functions and under TYPE_CHECKING, points at its own package or at a lower layer."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "distill"

# Lowest first. What a loaded model *is* lives in models; fitting, sampling, encoding and
# editing sit beside each other above it; the demo is rebuilt by training, and the app opens
# it; the adapters are on top.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"files"}),
    frozenset({"audio"}),
    frozenset({"models"}),
    frozenset({"training", "inference", "editing", "prior", "demo"}),
    frozenset({"ui", "cli", "__main__"}),
)
RANK = {part: rank for rank, layer in enumerate(LAYERS) for part in layer}


def part_of(module: str) -> str | None:
    """'distill.models.prior' -> 'models'; the package itself and foreign modules -> None."""
    pieces = module.split(".")
    return pieces[1] if pieces[0] == "distill" and len(pieces) > 1 else None


def imported_modules(
    source: str, module: str, is_package: bool = False
) -> Iterator[tuple[int, str]]:
    """(line, absolute module) of every import in `source`; the module's own name (and whether
    it is a package's __init__) resolves relative imports."""
    parts = module.split(".") if is_package else module.split(".")[:-1]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = parts[: len(parts) - node.level + 1] if node.level else []
            target = ".".join([*base, node.module or ""]).strip(".")
            yield node.lineno, target
            if node.module is None:  # `from . import x`: x is a module too
                yield from ((node.lineno, f"{target}.{alias.name}") for alias in node.names)


def upward_imports(source: str, module: str, is_package: bool = False) -> list[str]:
    """'module:line imports target (layer a above layer b)' for each import that points up."""
    own = part_of(module)
    assert own in RANK, f"{module} is in no layer: add its package to LAYERS"
    found = []
    for line, target in imported_modules(source, module, is_package):
        other = part_of(target)
        if other is None or other == own:
            continue
        assert other in RANK, f"{module} imports {target}, whose package is in no layer"
        if RANK[other] > RANK[own]:
            found.append(f"{module}:{line} imports {target} ({other} is above {own})")
    return found


def package_modules() -> Iterator[tuple[str, Path, bool]]:
    """(module name, file, is a package's __init__) for every module of the package."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        yield ".".join(parts[:-1] if is_package else parts), path, is_package


def test_every_import_in_the_package_points_down_a_layer_or_stays_in_its_own_package():
    found = [
        problem
        for module, path, is_package in package_modules()
        if module != "distill"
        for problem in upward_imports(path.read_text(), module, is_package)
    ]
    assert not found, "imports that point up a layer:\n" + "\n".join(found)


def test_sideways_imports_inside_a_layer_form_no_cycle():
    edges: dict[str, set[str]] = {}
    for module, path, is_package in package_modules():
        own = part_of(module)
        for _, target in imported_modules(path.read_text(), module, is_package):
            other = part_of(target)
            if own and other and other != own and RANK[other] == RANK[own]:
                edges.setdefault(own, set()).add(other)

    def reaches(start: str, goal: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(
            step == goal or (step not in seen and reaches(step, goal, seen | {step}))
            for step in edges.get(start, ())
        )

    assert not [part for part in edges if reaches(part, part)], edges


@pytest.mark.parametrize(
    ("module", "source", "problem"),
    [
        # What models/persistence.py held before the prior's network moved down to models/.
        (
            "distill.models.persistence",
            "from distill.prior.model import CodePrior, PriorConfig",
            "distill.models.persistence:1 imports distill.prior.model (prior is above models)",
        ),
        (
            "distill.audio.io",
            "def load():\n    from distill.models import persistence",
            "distill.audio.io:2 imports distill.models (models is above audio)",
        ),
        ("distill.inference.codes", "from ..ui import app", "imports distill.ui (ui is above"),
        ("distill.editing.region", "from .. import cli", "imports distill.cli (cli is above"),
        ("distill.files", "import distill.audio.io", "(audio is above files)"),
    ],
)
def test_an_upward_import_is_found_wherever_it_is_written(module, source, problem):
    assert any(problem in found for found in upward_imports(source, module))


def test_downward_and_same_package_imports_pass():
    source = "from distill.models.prior import CodePrior\nfrom . import sampling\nimport torch"
    assert upward_imports(source, "distill.prior.fit") == []
    assert upward_imports("from .fit import fit_prior", "distill.prior", is_package=True) == []
    assert upward_imports("from ..audio import io", "distill.models", is_package=True) == []
