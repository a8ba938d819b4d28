"""Small shared helpers: SearchLogs as named runs, arcs of a log, epoch positions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..arcs import Arc, parse_arc
from ..spaces import SPACES

__all__ = ["as_runs", "ArcParser", "epoch_position"]


def as_runs(logs) -> dict:
    """``{name: SearchLog}`` from one SearchLog, a list of them or a dict of them."""
    if isinstance(logs, dict):
        return dict(logs)
    if hasattr(logs, "archs"):
        return {_name(logs, 0): logs}
    runs = {}
    for i, log in enumerate(logs):
        name = _name(log, i)
        runs[name if name not in runs else f"{name} ({i})"] = log
    return runs


def _name(log, i: int) -> str:
    source = log.meta.get("source") or log.meta.get("name")
    return Path(str(source)).stem if source else f"run {i}"


class ArcParser:
    """Parses the arc strings of one log with its space, size and op table; cached per (string, space).

    ``meta['space_params']`` keeps only the parameters the log's space knows (a ``None``
    value counts as not given); they apply to arcs of the log's own space only.
    """

    def __init__(self, meta: dict):
        self.space = meta.get("space")
        given = dict(meta.get("space_params") or {})
        allowed = set(SPACES[self.space].defaults) | {"num_layers", "num_cells", "num_nodes"} if self.space else set()
        self.params = {k: v for k, v in given.items() if k in allowed and v is not None}
        self.ops = meta.get("ops") or None
        # the params and ops are fixed per parser, so the space is the only other input of a parse
        self._cache: dict[tuple[str, str | None], Arc] = {}

    def __call__(self, text: str, space: str | None = None) -> Arc:
        space = space if isinstance(space, str) and space else self.space
        key = (text, space)
        hit = self._cache.get(key)
        if hit is None:
            params = self.params if space == self.space else {}
            hit = self._cache[key] = parse_arc(text, space, ops=self.ops, **params)
        return hit


def epoch_position(table: pd.DataFrame) -> np.ndarray:
    """An x position per row: its epoch, spread over (epoch - 1, epoch] in row order.

    Rows of one epoch are spaced evenly, so every sample of epoch 3 lies in (2, 3].
    Without epochs, the row number (1-based).
    """
    if "epoch" not in table or table["epoch"].isna().all():
        return np.arange(1, len(table) + 1, dtype=float)
    epoch = table["epoch"].to_numpy(dtype=float)
    group = pd.Series(epoch).fillna(-1)
    rank = group.groupby(group).cumcount().to_numpy(dtype=float)
    count = group.map(group.value_counts()).to_numpy(dtype=float)
    return epoch - 1 + (rank + 1) / count
