"""The picture rows over the grid and the overview: PNG blocks and the HTML that places them."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from distill.inference.grid import CodeGrid
from distill.ui.components.code_grid import (
    BLOCK_COLUMNS,
    COLUMN_WIDTH_PX,
    LABEL_WIDTH_PX,
    render_grid,
)
from distill.ui.components.pictures import (
    FILE_ROUTE,
    GridPictures,
    data_url,
    png_bytes,
    write_blocks,
)


def test_png_blocks_read_back_pixel_for_pixel(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    blocks = [rng.integers(0, 256, (64, width, 3), dtype=np.uint8) for width in (400, 120)]
    urls = write_blocks(blocks, tmp_path, "original")
    assert urls == tuple(FILE_ROUTE + str(tmp_path / f"original-{n}.png") for n in (0, 1))
    for url, block in zip(urls, blocks, strict=True):
        with Image.open(url.removeprefix(FILE_ROUTE)) as image:
            assert image.mode == "RGB"
            assert np.array_equal(np.asarray(image), block)
    inline = data_url(blocks[1])
    assert inline.startswith("data:image/png;base64,")
    assert png_bytes(blocks[1])[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(io.BytesIO(png_bytes(blocks[1]))) as image:
        assert image.size == (120, 64)


def _grid(columns: int) -> CodeGrid:
    codes = torch.zeros(1, columns, 2, dtype=torch.long)
    return CodeGrid(
        codes=codes,
        codebook_size=8,
        mel_shape=(128, columns * 4),
        num_samples=(columns * 4 - 1) * 512,
        loudness_gain=1.0,
        sample_rate=48000,
        seconds_per_column=2048 / 48000,
        level_labels=("Structure", "Detail"),
    )


def test_each_block_is_drawn_at_its_columns_width_under_the_grid() -> None:
    columns = 2 * BLOCK_COLUMNS + 37
    blocks = tuple(f"{FILE_ROUTE}/tmp/o-{n}.png" for n in range(3))
    pictures = GridPictures(original=blocks, overview="data:image/png;base64,AAAA")
    page = render_grid(_grid(columns), pictures=pictures)
    widths = [int(w) for w in re.findall(r'<img class="cg-pic"[^>]* width="(\d+)"', page)]
    assert widths == [BLOCK_COLUMNS * COLUMN_WIDTH_PX] * 2 + [37 * COLUMN_WIDTH_PX]
    assert sum(widths) == columns * COLUMN_WIDTH_PX  # the grid's data width exactly
    assert page.count('loading="lazy"') == 3
    # Until it is decoded, the reconstruction's row says so; the overview sits over the data.
    assert page.count("Decoding the reconstruction") == 2  # its row and its difference row
    assert f'class="cg-overview" style="margin-left:{LABEL_WIDTH_PX}px"' in page
    body = page[page.index("</style>") :]
    assert body.index('"cg-pictures"') < body.index('"cg-ruler"') < body.index('"playhead-line"')
    assert "Δ Difference" in page and ">Original<" in page

    decoded = GridPictures(
        original=blocks,
        overview=pictures.overview,
        reconstruction=tuple(b.replace("o-", "r-") for b in blocks),
        difference=tuple(b.replace("o-", "d-") for b in blocks),
    )
    page = render_grid(_grid(columns), pictures=decoded)
    assert page.count('<img class="cg-pic"') == 9 and "Decoding" not in page
    plain = render_grid(_grid(columns))  # grid B: no pictures
    assert 'class="cg-pic' not in plain and 'class="cg-overview' not in plain


def test_pictures_of_another_length_keep_their_own_columns() -> None:
    """A grid continued past its file (or a continuation undone): each picture is drawn at
    its own columns' width, so its columns stay over the grid's; a picture that does not
    fit its own column count is refused."""
    pictures = GridPictures(original=("a.png",), overview="data:,", original_columns=40)
    page = render_grid(_grid(BLOCK_COLUMNS + 1), pictures=pictures)
    assert re.findall(r'<img class="cg-pic"[^>]* width="(\d+)"', page) == [
        str(40 * COLUMN_WIDTH_PX)
    ]
    with pytest.raises(ValueError, match="original picture has 1 blocks for 2"):
        render_grid(_grid(BLOCK_COLUMNS + 1), pictures=GridPictures(("a.png",), "data:,"))
