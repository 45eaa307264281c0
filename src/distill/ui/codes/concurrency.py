"""The Codes tab's one queue for heavy work (encode, decode, previews, generation)."""

# Encoding, decoding and previews are CPU- or GPU-heavy: a few at once across all sessions.
WORK_ID = "codes-work"
WORK_LIMIT = 2
