"""Tests that train are marked `slow`, so that `make test-fast` can leave them out: a test
that steps an optimizer over a model's weights in this process without the mark fails.

Steps taken while a session fixture is built (the tiny prior, trained once in seconds) belong
to no one test. Encoding's refinement of its codes steps an optimizer too, over a plain latent
tensor, and is not training. Training in another process (torchrun, a `distill` subprocess) is
not seen: those tests are marked by hand.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from torch import nn
from torch.optim.optimizer import Optimizer, register_optimizer_step_post_hook

_STEPS_AT_START = pytest.StashKey[int]()


class TrainingMarks:
    """A pytest plugin: counts optimizer steps per test and fails an unmarked one that trains."""

    def __init__(self) -> None:
        self.steps = 0  # over a model's weights, in this process
        self.shared = 0  # of those, while session fixtures were built
        self.building_shared = False
        register_optimizer_step_post_hook(self._count)

    def _count(self, optimizer: Optimizer, *_: object) -> None:
        groups = optimizer.param_groups
        if any(isinstance(p, nn.Parameter) for group in groups for p in group["params"]):
            self.steps += 1

    def own_steps(self) -> int:
        return self.steps - self.shared

    @pytest.hookimpl(wrapper=True)
    def pytest_fixture_setup(self, fixturedef: pytest.FixtureDef) -> Iterator[None]:
        outermost = fixturedef.scope == "session" and not self.building_shared
        before = self.steps
        self.building_shared = self.building_shared or outermost
        try:
            return (yield)
        finally:
            if outermost:
                self.building_shared = False
                self.shared += self.steps - before

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Iterator[None]:
        item.stash[_STEPS_AT_START] = self.own_steps()
        return (yield)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(
        self, item: pytest.Item, call: pytest.CallInfo
    ) -> Iterator[pytest.TestReport]:
        report = yield
        steps = self.own_steps() - item.stash.get(_STEPS_AT_START, self.own_steps())
        if call.when == "call" and report.passed and steps and not item.get_closest_marker("slow"):
            report.outcome = "failed"
            report.longrepr = (
                f"{item.nodeid} trains ({steps} optimizer steps) but is not marked slow: add "
                "@pytest.mark.slow so that `make test-fast` leaves it out."
            )
        return report
