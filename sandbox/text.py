"""Text that came out of a run, made safe to store and show.

A run can print NUL bytes, send strings holding lone surrogates (JSON escapes like
"\\ud800" decode to them) and any control character. PostgreSQL's jsonb refuses NUL, a
lone surrogate cannot be encoded as UTF-8 (so a page or an API answer holding one fails),
and control characters rewrite a terminal or a log line. `clean_text` replaces each with
U+FFFD and keeps tabs, newlines and carriage returns; everything else passes unchanged.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
# C0 controls except \t \n \r, DEL, C1 controls, and the surrogate range.
_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def clean_text(text: str) -> str:
    if text.isprintable() or not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(REPLACEMENT, text)


def decode_output(data: bytes | bytearray) -> str:
    """Bytes a run wrote to stdout or stderr, as clean text (invalid UTF-8 replaced)."""
    return clean_text(bytes(data).decode("utf-8", "replace"))
