"""Read a log file into text: gzip by magic bytes, any encoding, CRLF; and what a reader sniffs."""

from __future__ import annotations

import gzip
from pathlib import Path

__all__ = ["read_text", "head_lines", "looks_binary", "MAX_LINE_CHARS"]

# A log line longer than this is reported as a problem and not parsed (a 2-GB line of
# NULs from a crashed writer should not become a 2-GB token list).
MAX_LINE_CHARS = 100_000
# Readers decide from this much of the start of a file.
HEAD_CHARS = 1 << 20
HEAD_LINES = 5000


def read_text(path: str | Path) -> str:
    """The text of ``path`` (gzip-compressed or not); CRLF become LF, undecodable bytes U+FFFD."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    text = data.decode("utf-8", errors="replace")
    del data
    if "\r" in text:
        text = text.replace("\r\n", "\n")  # a lone \r (progress output) stays inside its line
    return text


def head_lines(text: str) -> list[str]:
    """The first lines of ``text``, for the readers' ``detect``."""
    lines = text[:HEAD_CHARS].split("\n", HEAD_LINES)[:HEAD_LINES]
    return [line[:2000] for line in lines]


def looks_binary(text: str) -> bool:
    """True when the start of the text has NUL bytes or is mostly undecodable."""
    head = text[:8192]
    return bool(head) and ("\x00" in head or head.count("\ufffd") > len(head) // 10)
