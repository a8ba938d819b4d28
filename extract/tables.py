"""Column lists and problem tuples -> DataFrames, and the bulk parsing of ``key=value`` metric lines."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd

from enas_viz.schema import COLUMNS

__all__ = [
    "STR_COLUMNS",
    "frame",
    "add_row",
    "problems_frame",
    "parse_kv_matrix",
    "parse_kv_text",
    "floats_blob",
    "to_floats",
]

# columns of text (object dtype); every other column is numeric
STR_COLUMNS = ("space", "arc", "split", "kind", "message", "source")
_INT_COLUMNS = ("run", "line", "sample")


def frame(name: str, data: dict[str, list]) -> pd.DataFrame:
    """The table ``name`` from column lists: schema columns first (missing ones NaN), extras after."""
    n = max((len(v) for v in data.values()), default=0)
    columns = {}
    for c in (*COLUMNS[name], *[c for c in data if c not in COLUMNS[name]]):
        values = data.get(c)
        if values is None:
            columns[c] = np.full(n, np.nan)
        elif c in STR_COLUMNS:
            columns[c] = pd.Series(list(values), dtype=object)
        elif c in _INT_COLUMNS:
            try:
                columns[c] = np.asarray(values, dtype=np.int64) if len(values) else np.zeros(0, dtype=np.int64)
            except (TypeError, ValueError):  # a missing value (events.jsonl without "sample"): NaN, not a made-up 0
                columns[c] = np.asarray(values, dtype=np.float64)
        else:
            columns[c] = np.asarray(values, dtype=np.float64) if len(values) else np.zeros(0)
    return pd.DataFrame(columns)


def add_row(table: dict[str, list], row: tuple) -> None:
    """Append one row, its values in the order of the table's columns."""
    for column, value in zip(table, row, strict=True):
        table[column].append(value)


def problems_frame(problems: list[tuple[int, str, str]]) -> pd.DataFrame:
    """The ``problems`` table of ``(line, kind, message)`` tuples, in line order."""
    problems = sorted(problems)
    return frame("problems", {k: [p[j] for p in problems] for j, k in enumerate(("line", "kind", "message"))})


# key names, "=", "/" and "|" become spaces, leaving only the numbers
_KEYS_TO_SPACE = bytes.maketrans(
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_=/|", b" " * 56
)  # fmt: skip


def parse_kv_matrix(lines: list[str], width: int) -> np.ndarray | None:
    """The numbers of lines ``k1=v1 k2=v2 ...`` as an (n, width) float matrix, in bulk; None if any line differs."""
    return parse_kv_text("".join([line + "\n" for line in lines]), len(lines), width)


def parse_kv_text(text: str, n: int, width: int) -> np.ndarray | None:
    """:func:`parse_kv_matrix` of the ``n`` lines of ``text`` (each ending with a newline).

    Keys are dropped byte-wise, so spaced (``ctrl_step = 0``), glued (``epoch=123456ch_step=``)
    and padded (``tr_acc=39 /128``, two numbers) forms read alike. A line with a field
    missing, extra text or a ``nan`` (its letters drop too) makes the count wrong and
    returns None: the caller then parses line by line and reports each bad line.
    """
    if not n:
        return np.zeros((0, width))
    blob = text.encode("ascii", errors="replace")
    blob = io.BytesIO(blob.translate(_KEYS_TO_SPACE))  # one copy at a time (memory)
    try:  # loadtxt's C reader converts like float(), and is faster than np.fromstring
        values = np.loadtxt(blob, dtype=np.float64, comments=None, ndmin=2)
    except ValueError:  # a token that is not a number, or lines of different lengths
        return None
    return values if values.shape == (n, width) else None  # blank lines are skipped: the count tells


def floats_blob(text: str | bytes) -> np.ndarray | None:
    """All whitespace-separated numbers of ``text`` (``nan``, ``inf`` too), or None if one is not a number."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return np.fromstring(text, dtype=np.float64, sep=" ")
        except (ValueError, DeprecationWarning):
            return None


def to_floats(values: list[str]) -> np.ndarray | None:
    """Strings -> float64 (``nan`` and ``inf`` included), or None if one is not a number."""
    try:
        return np.asarray(values, dtype=np.float64) if values else np.zeros(0)
    except ValueError:
        return None
