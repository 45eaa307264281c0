"""Every package src/ imports is declared, pinned alike in requirements.txt and pyproject."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imported_top_levels() -> set[str]:
    names = set()
    for path in (ROOT / "src").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - set(sys.stdlib_module_names) - {"distill", "__future__"}


def _pins(lines: list[str]) -> dict[str, str]:
    """'name==version' lines -> {normalised name: version}."""
    pins = {}
    for line in lines:
        match = re.match(r"^\s*([A-Za-z0-9_.-]+)==([^\s#]+)", line)
        if match:
            pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return pins


def test_every_imported_package_is_declared_and_pinned_alike() -> None:
    requirements = _pins((ROOT / "requirements.txt").read_text().splitlines())
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    dependencies = _pins(project["dependencies"])
    assert all(requirements.get(name) == version for name, version in dependencies.items())
    distributions = packages_distributions()
    for module in sorted(_imported_top_levels()):
        names = {re.sub(r"[-_.]+", "-", d).lower() for d in distributions.get(module, [module])}
        assert names & set(dependencies), f"src imports {module}, which pyproject does not declare"
