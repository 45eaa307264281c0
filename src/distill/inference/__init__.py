"""Inference: encode audio to code grids, decode them, preview codes, and the codes file."""

from distill.inference.codes import (
    EncodedAudio,
    column_rate,
    decode_code_grid,
    decode_encoded,
    encode_audio_file,
    play_row_audio,
    preview_single_code,
    preview_time_slice,
)
from distill.inference.codes_json import (
    CodesDocument,
    CodesFileError,
    model_sha256,
    read_codes_json,
    write_codes_json,
)

__all__ = [
    "CodesDocument",
    "CodesFileError",
    "EncodedAudio",
    "column_rate",
    "decode_code_grid",
    "decode_encoded",
    "encode_audio_file",
    "model_sha256",
    "play_row_audio",
    "preview_single_code",
    "preview_time_slice",
    "read_codes_json",
    "write_codes_json",
]
