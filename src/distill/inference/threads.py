"""Interactive work on one thread: a click's preview, a blend, a streamed decode.

With PyTorch's OpenMP backend the number of threads is a setting of the calling thread, so
this affects the work done inside the block alone. On a 2-core machine with a training
beside it, every operation torch split across two threads waited for the busy core: a
whole-grid blend took 13-24 ms on one thread and 22-2500 ms on two (measured, issue 27);
a long decode of the whole file still uses every core.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def one_thread() -> Iterator[None]:
    """Torch on this thread alone for the block; the thread's setting is restored after."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)
