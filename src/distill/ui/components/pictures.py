"""The pictures over the code grid: spectrogram rows drawn block by block, and the overview.

Each picture row is cut into the grid's own blocks of columns; a block is one PNG file shown
at exactly (its columns x the column width) pixels, so column p sits at the same x in the
picture as in the grid under it, and both scroll together (they share the grid's scroll box).
The blocks load lazily: a 10-minute file (~14,000 columns, ~140 blocks a row) fetches only
the few in view. The overview is one small PNG of the whole file, inline as a data: URL.
pictures.js moves the overview's window and jumps when it is clicked or dragged.
"""

from __future__ import annotations

import base64
import html
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

FILE_ROUTE = "gradio_api/file="  # Gradio serves allowed files here (relative to the page)
PICTURE_HEIGHT_PX = 64  # one spectrogram row over the grid
DIFFERENCE_TITLE = (
    "Reconstruction minus original, in dB: red where the reconstruction adds energy, "
    "blue where it loses it, white where they agree."
)


@dataclass(frozen=True)
class GridPictures:
    """What the page shows over grid A: block URLs of the original's spectrogram, of the
    reconstruction's and of their difference (None until decoded), and the overview."""

    original: tuple[str, ...]
    overview: str  # a data: URL
    reconstruction: tuple[str, ...] | None = None
    difference: tuple[str, ...] | None = None
    # The columns each picture covers (None: the grid's): a grid continued past its file is
    # longer than its original's picture, and one whose continuation was undone shorter.
    original_columns: int | None = None
    reconstruction_columns: int | None = None
    decoded_rows: bool = True  # False: the original's row alone (grid B is never decoded)
    # Shown until the reconstruction is in (the players sit below the editor).
    pending: str = "Decoding the reconstruction… (progress on the Reconstruction player)"


def png_bytes(image: np.ndarray) -> bytes:
    """RGB uint8 [H, W, 3] -> a PNG file's bytes (8-bit truecolour, no filtering)."""
    height, width, _ = image.shape
    rows = np.zeros((height, 1 + width * 3), dtype=np.uint8)  # a 0 (no filter) byte per row
    rows[:, 1:] = np.ascontiguousarray(image, dtype=np.uint8).reshape(height, width * 3)

    def chunk(kind: bytes, data: bytes) -> bytes:
        checksum = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + checksum

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        [
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)),
            chunk(b"IEND", b""),
        ]
    )


def data_url(image: np.ndarray) -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")


def write_blocks(blocks: Sequence[np.ndarray], folder: Path, stem: str) -> tuple[str, ...]:
    """Each block image as STEM-N.png in `folder`; their URLs, in order."""
    urls = []
    for number, block in enumerate(blocks):
        path = folder / f"{stem}-{number}.png"
        path.write_bytes(png_bytes(block))
        urls.append(FILE_ROUTE + str(path))
    return tuple(urls)


def _widths(num_columns: int, column_width: int, block_columns: int) -> list[int]:
    """The width in pixels of each block of `num_columns` columns."""
    return [
        (min(start + block_columns, num_columns) - start) * column_width
        for start in range(0, num_columns, block_columns)
    ]


def _row_html(kind: str, urls: Sequence[str] | None, widths: list[int], note: str) -> str:
    """One picture row: a lazily loaded image per block, or a note while there is none (a
    row longer than the grid is cut at its end; a shorter one leaves the rest empty)."""
    height = PICTURE_HEIGHT_PX
    if urls is None:
        body = f'<span class="cg-pic-note">{html.escape(note)}</span>'
    else:
        if len(urls) != len(widths):
            raise ValueError(f"The {kind} picture has {len(urls)} blocks for {len(widths)}.")
        body = "".join(
            f'<img class="cg-pic" src="{html.escape(url, quote=True)}" loading="lazy" '
            f'decoding="async" alt="" width="{width}" height="{height}" '
            f'style="width:{width}px;height:{height}px">'
            for url, width in zip(urls, widths, strict=True)
        )
    return f'<div class="cg-pic-row {kind}" style="height:{height}px">{body}</div>'


def pictures_html(
    pictures: GridPictures, num_columns: int, column_width: int, block_columns: int
) -> str:
    """The picture rows for the grid's data area: the original, then the reconstruction and
    its difference (one of the two shown, as the Difference toggle says); each block drawn
    at exactly its columns' width, so column p sits over the grid's column p."""
    original = _widths(pictures.original_columns or num_columns, column_width, block_columns)
    decoded = pictures.reconstruction_columns or num_columns
    reconstruction = _widths(decoded, column_width, block_columns)
    difference = _widths(
        min(decoded, pictures.original_columns or decoded), column_width, block_columns
    )
    rows = _row_html("original", pictures.original, original, "")
    if pictures.decoded_rows:
        rows += _row_html(
            "reconstruction", pictures.reconstruction, reconstruction, pictures.pending
        )
        rows += _row_html("difference", pictures.difference, difference, pictures.pending)
    return f'<div class="cg-pictures">{rows}</div>'


def picture_labels_html(decoded_rows: bool = True) -> str:
    """The label cells beside the picture rows, with the Difference toggle."""
    title = html.escape(DIFFERENCE_TITLE, quote=True)
    original = (
        f'<div class="cg-pic-label" style="height:{PICTURE_HEIGHT_PX}px">'
        '<span class="cg-pic-name">Original</span><span class="cg-pic-hint">log-mel</span></div>'
    )
    if not decoded_rows:
        return original
    return original + (
        f'<div class="cg-pic-label" style="height:{PICTURE_HEIGHT_PX}px">'
        '<span class="cg-pic-name cg-when-reconstruction">Reconstruction</span>'
        f'<span class="cg-pic-name cg-when-difference" title="{title}">Difference</span>'
        '<span class="cg-pic-hint">as last decoded</span>'
        '<button type="button" class="cg-diff-toggle" aria-pressed="false" '
        f'title="{title}">Δ Difference</button></div>'
    )


def overview_html(pictures: GridPictures, label_width: int) -> str:
    """The thin strip of the whole file over the grid, with the visible window on it."""
    return (
        f'<div class="cg-overview" style="margin-left:{label_width}px" '
        'title="The whole file: click or drag to jump there">'
        f'<img class="cg-overview-image" src="{pictures.overview}" alt="">'
        '<div class="cg-window"></div></div>'
    )
