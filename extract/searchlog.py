"""SearchLog: the one result every reader returns (tables in enas_viz.schema)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from enas_viz.schema import COLUMNS

__all__ = ["SearchLog", "empty_table"]


def empty_table(name: str) -> pd.DataFrame:
    """An empty table with the columns of ``name``."""
    return pd.DataFrame(
        {
            c: pd.Series(dtype=object if c in ("space", "arc", "split", "kind", "message") else float)
            for c in COLUMNS[name]
        }
    )


@dataclass
class SearchLog:
    """A search log as tables: ``archs``, ``child``, ``controller``, ``evals``, ``problems``.

    ``meta`` holds the format name (``format``), the ``space`` and its parameters
    (``space_params``), the op names (``ops``), the flags or config (``flags``), the
    source path (``source``) and anything else a reader learnt.
    """

    meta: dict = field(default_factory=dict)
    archs: pd.DataFrame = field(default_factory=lambda: empty_table("archs"))
    child: pd.DataFrame = field(default_factory=lambda: empty_table("child"))
    controller: pd.DataFrame = field(default_factory=lambda: empty_table("controller"))
    evals: pd.DataFrame = field(default_factory=lambda: empty_table("evals"))
    problems: pd.DataFrame = field(default_factory=lambda: empty_table("problems"))

    def __post_init__(self) -> None:
        for name in COLUMNS:
            table = getattr(self, name)
            missing = [c for c in COLUMNS[name] if c not in table.columns]
            for c in missing:
                table[c] = np.nan

    def __repr__(self) -> str:
        sizes = ", ".join(f"{name}={len(getattr(self, name))}" for name in COLUMNS)
        return f"SearchLog({self.meta.get('format', '?')}, space={self.meta.get('space')}, {sizes})"
