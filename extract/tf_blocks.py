"""Read the "Here are 10 architectures" blocks of a TF log in bulk, all at once.

While :func:`extract.tf_logs.parse_tf_log` walks the file it only sets aside each
block whose line count is the usual one (``k`` array lines, ``val_acc=`` and 80 dashes
per arch) with the run, epoch and line it starts at. This module then reads all of
them with a few string operations over their joined text. If that text is not exactly
the expected shape, the blocks are read one by one the same way, and a block that
still does not fit goes line by line (``slow``), which reports what is wrong where.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import numpy as np

from .tables import floats_blob

__all__ = ["read_blocks"]

_DASHES = "-" * 80
_CHUNK = 256  # blocks read in one go
_DIGITS_TO_0 = bytes.maketrans(b"0123456789", b"0000000000")


def read_blocks(st, text: str, slow: Callable) -> None:
    """Emit the archs of every block in ``st.blocks``; ``slow(block)`` reads one line by line."""
    groups: dict[int, list[tuple]] = {}
    for block in st.blocks:
        groups.setdefault(block[6], []).append(block)
    for k, group in groups.items():
        for i in range(0, len(group), _CHUNK):  # chunks bound the memory of the joined text
            blocks = group[i : i + _CHUNK]
            if _parse_fixed(st, text, blocks, k) or _parse(st, text, blocks, k):
                continue
            for block in blocks:
                if not _parse(st, text, [block], k):
                    slow(block)


def _parse_fixed(st, text: str, blocks: list[tuple], k: int) -> bool:
    """All blocks at once as a byte matrix, when every arch takes the same bytes (single-digit tokens).

    The first arch is the template: every other arch must have its exact bytes wherever it
    has no digit, and a digit wherever it has one. Tokens and the ``val_acc`` digits are
    then read column-wise; the value is an exact integer over a power of ten, so it equals
    ``float()`` of the printed text.
    """
    sizes = {b[1] - b[0] for b in blocks}
    size = sizes.pop() if len(sizes) == 1 else 0
    if size % 10 or not size:
        return False
    per, n = size // 10, 10 * len(blocks)
    big = "".join([text[b[0] : b[1]] for b in blocks])
    if not big.isascii():
        return False
    raw = big.encode("ascii")
    lines = raw[:per].decode().split("\n")  # k arc lines, val_acc, dashes, ""
    if len(lines) != k + 3 or lines[k + 1] != _DASHES or not lines[k].startswith("val_acc"):
        return False
    if any(x[:1] != "[" or x[-1:] != "]" or len(x) % 2 == 0 or x[2:-1:2].strip() for x in lines[:k]):
        return False  # not "[d d d]": padded or multi-digit tokens
    value = lines[k].partition("=")[2]
    if not re.fullmatch(r" *\d+\.\d+ *", value):
        return False
    # with every digit made "0", each arch must be the first one's bytes: digits where it has digits, else equal
    if raw.translate(_DIGITS_TO_0) != raw[:per].translate(_DIGITS_TO_0) * n:
        return False
    matrix = np.frombuffer(raw, dtype=np.uint8).reshape(n, per)
    template = matrix[0]
    digit = (template >= 48) & (template <= 57)
    digits = matrix[:, digit]
    arc_bytes = sum(len(x) + 1 for x in lines[:k])
    n_tokens = int(digit[:arc_bytes].sum())
    tokens = digits[:, :n_tokens]
    # "val_acc=0.4141": the digits after the arc, read as 4141 / 10**4
    number = value.strip()
    decimals = len(number) - number.index(".") - 1
    powers = 10 ** np.arange(len(number) - 2, -1, -1, dtype=np.int64)
    values = ((digits[:, n_tokens:].astype(np.int64) - 48) @ powers) / 10**decimals
    out = np.full((n, 2 * n_tokens), 32, dtype=np.uint8)  # "d d d ... d\n" per arch
    out[:, 0::2] = tokens
    out[:, -1] = 10
    _add_positions(st, blocks, k)
    a = st.archs
    a["arc"] += out.tobytes().decode("ascii").split("\n")[:-1]
    values = values.tolist()
    a["val_acc"] += values
    a["reward"] += values
    return True


def _parse(st, text: str, blocks: list[tuple], k: int) -> bool:
    n = 10 * len(blocks)
    big = "".join([text[b[0] : b[1]] for b in blocks])
    # "[5]\n[2 1]\n...\nval_acc=0.4141\n----" -> "[5 2 1 ...]", "val_acc=0.4141", "----" per arch
    parts = (big.replace("]\n[", " ") if k > 1 else big).split("\n")
    if len(parts) != 3 * n + 1 or parts[2 : 3 * n : 3].count(_DASHES) != n:
        return False
    arcs = "\n".join(parts[0 : 3 * n : 3])
    if (
        arcs[:1] != "["
        or arcs[-1:] != "]"
        or arcs.count("[") != n
        or arcs.count("]") != n
        or arcs.count("]\n[") != n - 1
    ):
        return False
    arcs = arcs.replace("[", "").replace("]", "")
    if "  " in arcs or "\n " in arcs or " \n" in arcs or arcs[:1] == " " or arcs[-1:] == " ":
        arcs = "\n".join(" ".join(a.split()) for a in arcs.split("\n"))  # numpy padding "[ 0  0 10]"
    if not arcs.replace(" ", "").replace("\n", "").isdigit():
        return False
    vals = "\n".join(parts[1 : 3 * n : 3])
    if vals.count("val_acc") != n or vals.count("=") != n:
        return False
    values = floats_blob(vals.replace("val_acc", " ").replace("=", " "))
    if values is None or values.size != n:
        return False
    _add_positions(st, blocks, k)
    a = st.archs
    a["arc"] += arcs.split("\n")
    values = values.tolist()
    a["val_acc"] += values
    a["reward"] += values
    return True


def _add_positions(st, blocks: list[tuple], k: int) -> None:
    """Run, epoch, sample and line of the 10 archs of each block (``k`` array lines, val_acc, dashes each)."""
    a = st.archs
    a["run"] += np.repeat([b[3] for b in blocks], 10).tolist()
    a["epoch"] += np.repeat([b[4] for b in blocks], 10).tolist()
    a["sample"] += list(range(10)) * len(blocks)
    a["line"] += (
        np.repeat([b[2] for b in blocks], 10) + np.tile(np.arange(0, 10 * (k + 2), k + 2), len(blocks))
    ).tolist()
