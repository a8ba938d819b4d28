"""Validate many arc strings at once: per-token bounds in numpy, ``parse_arc`` for the messages.

Every rule of :mod:`enas_viz.arcs` is a bound on one token position (macro op < branches,
skip bits <= 1; micro ids <= node+1, ops < branches; rnn parents < node, funcs < num_funcs),
so a whole table of same-length arcs is checked with two comparisons. Only rows that
fail go through :func:`enas_viz.parse_arc`, which says exactly what is wrong.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from enas_viz.arcs import ArcError, parse_arc

from .tables import floats_blob

__all__ = ["token_bounds", "validate_arcs", "infer_params"]


@lru_cache(maxsize=256)
def _bounds_cached(space: str, n_tokens: int, key: tuple) -> tuple[np.ndarray, np.ndarray] | None:
    params = dict(key)
    if space == "macro" and not params.get("whole_channels", True):
        return _macro_split_bounds(n_tokens, params)
    try:
        arc = parse_arc([0] * n_tokens, space, **params)
    except (ArcError, TypeError, ValueError):
        return None
    p = arc.params
    lo = np.zeros(n_tokens, dtype=np.int64)
    hi = np.zeros(n_tokens, dtype=np.int64)
    if space == "macro":
        pos = 0
        for layer in range(p["num_layers"]):
            hi[pos] = p["num_branches"] - 1
            hi[pos + 1 : pos + 1 + layer] = 1
            pos += 1 + layer
    elif space == "micro":
        per_cell = 4 * p["num_cells"]
        for start in range(0, n_tokens, per_cell):
            for node in range(p["num_cells"]):
                base = start + 4 * node
                hi[base] = hi[base + 2] = node + 1
                hi[base + 1] = hi[base + 3] = p["num_branches"] - 1
    else:
        lm = p["encoding"] == "enas_lm"
        for i in range(n_tokens):
            if lm:  # p1 f1 p2 f2 ...: node k = i // 2 + 1
                hi[i] = i // 2 if i % 2 == 0 else p["num_funcs"] - 1
            else:  # f0 p1 f1 ...: token 2k-1 is p_k < k
                hi[i] = p["num_funcs"] - 1 if i % 2 == 0 else (i + 1) // 2 - 1
    return lo, hi


def _macro_split_bounds(n_tokens: int, params: dict):
    try:
        arc = parse_arc([1] * n_tokens, "macro", **params)
    except ArcError:
        return None
    lo = np.zeros(n_tokens, dtype=np.int64)
    hi = np.full(n_tokens, np.iinfo(np.int64).max, dtype=np.int64)
    pos, b = 0, arc.params["num_branches"]
    for layer in range(arc.params["num_layers"]):
        lo[pos + 1 : pos + 2 * b : 2] = 1  # counts >= 1
        pos += 2 * b
        hi[pos : pos + layer] = 1
        pos += layer
    return lo, hi


def token_bounds(space: str, n_tokens: int, params: dict) -> tuple[np.ndarray, np.ndarray] | None:
    """``(lo, hi)`` per token position of valid arcs of this size, or None if no arc has that size."""
    return _bounds_cached(space, n_tokens, tuple(sorted(params.items())))


def validate_arcs(arcs: list[str], space: str, params: dict) -> dict[int, str]:
    """Row index -> error message for the arcs (flat token strings) that are not valid."""
    unique = list(dict.fromkeys(arcs))  # a search samples the same arcs again and again
    if len(unique) == len(arcs):
        return _validate(arcs, space, params)
    bad = {unique[i]: message for i, message in _validate(unique, space, params).items()}
    return {r: bad[arc] for r, arc in enumerate(arcs) if arc in bad} if bad else {}


def _validate(arcs: list[str], space: str, params: dict) -> dict[int, str]:
    errors: dict[int, str] = {}
    by_length: dict[int, list[int]] = {}
    for i, arc in enumerate(arcs):
        by_length.setdefault(arc.count(" ") + 1, []).append(i)
    for n_tokens, rows in by_length.items():
        bounds = token_bounds(space, n_tokens, params)
        if bounds is not None:
            matrix = _token_matrix([arcs[i] for i in rows], n_tokens)
            if matrix is not None:
                lo, hi = bounds
                bad = ((matrix < lo) | (matrix > hi)).any(axis=1)
                rows = [r for r, b in zip(rows, bad.tolist(), strict=True) if b]
        for r in rows:  # only the suspicious rows pay for parse_arc
            errors[r] = _message(arcs[r], space, tuple(sorted(params.items())))
    return {r: m for r, m in errors.items() if m}


def _token_matrix(arcs: list[str], n_tokens: int) -> np.ndarray | None:
    """The (len(arcs), n_tokens) int matrix of single-spaced arcs of ``n_tokens`` tokens each."""
    joined = "\n".join(arcs) + "\n"
    if len(joined) == 2 * n_tokens * len(arcs) and joined.isascii():
        # every token is one digit: read the bytes directly
        chars = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(len(arcs), 2 * n_tokens)
        digits = chars[:, 0::2].astype(np.int64) - 48
        return digits if ((digits >= 0) & (digits <= 9)).all() else None
    flat = floats_blob(joined)
    if flat is None or flat.size != n_tokens * len(arcs):
        return None
    return flat.reshape(len(arcs), n_tokens).astype(np.int64)


@lru_cache(maxsize=4096)
def _message(arc: str, space: str, key: tuple) -> str:
    try:
        parse_arc(arc, space, **dict(key))
    except (ArcError, TypeError, ValueError) as err:
        return str(err)
    return ""


def infer_params(space: str, arrays: list[list[str]]) -> dict:
    """Space parameters from one architecture's printed arrays (when there is no flags block)."""
    tokens = [int(t) for a in arrays for t in a]
    if space == "macro":
        lengths = [len(a) for a in arrays]
        if lengths == list(range(1, len(arrays) + 1)):  # whole channels: an op and the skip bits per layer
            branches = max(6, max(int(a[0]) for a in arrays) + 1)
            return {"num_layers": len(arrays), "num_branches": branches, "whole_channels": True}
        # split channels: 2 * num_branches tokens (a start and a count per branch), then the skip bits
        branches = lengths[0] // 2
        if branches and lengths == [2 * branches + k for k in range(len(arrays))]:
            return {"num_layers": len(arrays), "num_branches": branches, "whole_channels": False}
        # neither layout: the authors' defaults, so the arc is reported against the usual one
        return {"num_layers": len(arrays), "num_branches": 6, "whole_channels": True}
    if space == "micro":
        per_cell = len(arrays[0])
        ops = [tokens[i] for i in range(len(tokens)) if i % 2 == 1]
        return {"num_cells": per_cell // 4, "num_branches": max(5, max(ops) + 1), "reduce": True}
    funcs = tokens[0::2]
    return {"num_nodes": (len(tokens) + 1) // 2, "num_funcs": max(4, max(funcs) + 1), "encoding": "enas"}
