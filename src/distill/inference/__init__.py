"""Inference: encode audio to code grids, decode them, preview codes, and the codes file."""

from distill.inference.codes import (
    EncodedSound,
    decode_code_grid,
    decode_grid,
    encode_audio_file,
    encode_grid,
    encode_sound,
    play_level,
    play_row_audio,
    preview_code,
    preview_column,
    preview_single_code,
    preview_time_slice,
)
from distill.inference.codes_json import (
    CodesFile,
    model_sha256,
    read_codes_json,
    write_codes_json,
)
from distill.inference.grid import (
    NO_CODE,
    CodeGrid,
    CodeGridError,
    check_code_grid,
    grid_for_model,
    seconds_per_column,
)

__all__ = [
    "NO_CODE",
    "CodeGrid",
    "CodeGridError",
    "CodesFile",
    "EncodedSound",
    "check_code_grid",
    "decode_code_grid",
    "decode_grid",
    "encode_audio_file",
    "encode_grid",
    "encode_sound",
    "grid_for_model",
    "model_sha256",
    "play_level",
    "play_row_audio",
    "preview_code",
    "preview_column",
    "preview_single_code",
    "preview_time_slice",
    "read_codes_json",
    "seconds_per_column",
    "write_codes_json",
]
