"""SearchLog: the one result every reader returns (tables in enas_viz.schema)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from enas_viz.schema import COLUMNS

from .tables import STR_COLUMNS

__all__ = ["SearchLog", "Best", "empty_table"]


def empty_table(name: str) -> pd.DataFrame:
    """An empty table with the columns of ``name``."""
    return pd.DataFrame({c: pd.Series(dtype=object if c in STR_COLUMNS else float) for c in COLUMNS[name]})


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

    # -- summaries -----------------------------------------------------------------------

    def best(self, last_epochs: int | None = None, by: str | None = None) -> Best | None:
        """The best sampled architecture, with its epoch's test accuracy where the log has one.

        ``by`` is ``"val_acc"`` (CIFAR) or ``"reward"`` (PTB, enas_lm); by default the first
        that has values. ``last_epochs=k`` keeps only each run's last k epochs: the paper's
        way, which picks from the trained policy rather than a lucky early minibatch.
        Ties go to the earliest row. For a final-training log (no sampled archs, a fixed
        arc in ``meta``) the fixed arc is returned with its last test accuracy.
        """
        archs = self.archs
        if by is None:
            by = "val_acc" if archs["val_acc"].notna().any() else "reward"
        if by not in ("val_acc", "reward"):
            raise ValueError(f"by={by!r}; expected 'val_acc' or 'reward'")
        if last_epochs is not None:
            if last_epochs < 1:
                raise ValueError(f"last_epochs={last_epochs}; expected a positive number of epochs")
            last = archs.groupby(["source", "run"] if "source" in archs else "run")["epoch"].transform("max")
            archs = archs[archs["epoch"] > last - last_epochs]
        archs = archs[archs[by].notna()]
        if archs.empty:
            return self._best_fixed()
        row = archs.loc[archs[by].idxmax()]
        test = self._test_acc(row)
        return Best(
            arc=row["arc"],
            space=row["space"],
            val_acc=float(row["val_acc"]),
            reward=float(row["reward"]),
            epoch=float(row["epoch"]),
            run=int(row["run"]),
            sample=int(row["sample"]),
            line=int(row["line"]),
            test_acc=test,
            params=dict(self.meta.get("space_params") or {}),
            source=row["source"] if "source" in row else self.meta.get("source"),
        )

    def _test_acc(self, row) -> float:
        ev = self.evals
        mask = (ev["split"] == "test") & (ev["run"] == row["run"]) & (ev["epoch"] == row["epoch"])
        if "source" in ev and "source" in row:
            mask &= ev["source"] == row["source"]
        values = ev.loc[mask, "accuracy"].dropna()
        return float(values.iloc[-1]) if len(values) else math.nan

    def _best_fixed(self) -> Best | None:
        arc = self.meta.get("fixed_arc")
        if not arc:
            return None
        tests = self.evals[(self.evals["split"] == "test") & self.evals["accuracy"].notna()]
        last = tests.iloc[-1] if len(tests) else None
        return Best(
            arc=arc,
            space=self.meta.get("space"),
            val_acc=math.nan,
            reward=math.nan,
            epoch=float(last["epoch"]) if last is not None else math.nan,
            run=int(last["run"]) if last is not None else 0,
            sample=-1,
            line=int(last["line"]) if last is not None else 0,
            test_acc=float(last["accuracy"]) if last is not None else math.nan,
            params=dict(self.meta.get("space_params") or {}),
            source=self.meta.get("source"),
        )

    def summary(self) -> dict:
        """Runs, epochs, archs, the best arc (overall and of the last epoch) and the problem count."""
        epochs = pd.concat([self.archs["epoch"], self.evals["epoch"], self.controller["epoch"]]).dropna()
        best, best_last = self.best(), self.best(last_epochs=1)
        runs = self.meta.get("runs") or [{}]
        return {
            "source": self.meta.get("source"),
            "format": self.meta.get("format"),
            "space": self.meta.get("space"),
            "space_params": self.meta.get("space_params"),
            "mode": self.meta.get("mode", "search"),
            "runs": len(runs),
            "epochs": int(epochs.max()) if len(epochs) else 0,
            "archs": len(self.archs),
            "child_steps": len(self.child),
            "controller_steps": len(self.controller),
            "evals": len(self.evals),
            "best": best.as_dict() if best else None,
            "best_last_epoch": best_last.as_dict() if best_last else None,
            "problems": len(self.problems),
        }

    def format_summary(self) -> str:
        """:meth:`summary` as text for a terminal."""
        s = self.summary()
        out = [f"{s['source']}: {s['format']} ({s['mode']}), space {s['space']} {s['space_params']}"]
        out.append(
            f"runs {s['runs']}, epochs {s['epochs']}, archs {s['archs']}, child steps {s['child_steps']}, "
            f"controller steps {s['controller_steps']}, evals {s['evals']}, problems {s['problems']}"
        )
        for title, b in (("best arc", s["best"]), ("best of the last epoch", s["best_last_epoch"])):
            if b:
                out.append(
                    f"{title}: epoch {b['epoch']:g}, val_acc {b['val_acc']:.4f}, reward {b['reward']:.4f}, "
                    f"test_acc {b['test_acc']:.4f} (line {b['line']})"
                )
                out.append("  " + b["arc"])
                out.append("  " + b["fixed_arc"].replace("\n", "\n  "))
        return "\n".join(out)

    # -- several logs ----------------------------------------------------------------------

    @classmethod
    def concat(cls, logs: list[SearchLog], sources: list[str] | None = None) -> SearchLog:
        """Stack logs into one, each row tagged with its ``source`` (the path, by default)."""
        sources = sources or [str(log.meta.get("source", i)) for i, log in enumerate(logs)]
        tables = {}
        for name in COLUMNS:
            parts = [getattr(log, name).assign(source=src) for log, src in zip(logs, sources, strict=True)]
            tables[name] = pd.concat(parts, ignore_index=True) if parts else empty_table(name)
        formats = sorted({str(log.meta.get("format")) for log in logs})
        spaces = sorted({str(log.meta.get("space")) for log in logs})
        first = logs[0].meta if logs else {}
        meta = {
            "format": formats[0] if len(formats) == 1 else "mixed",
            "space": first.get("space") if len(spaces) == 1 else None,
            "space_params": first.get("space_params", {}) if len(spaces) == 1 else {},
            "ops": first.get("ops", []) if len(spaces) == 1 else [],
            "sources": [log.meta for log in logs],
            "source": sources,
        }
        return cls(meta=meta, **tables)


@dataclass(frozen=True)
class Best:
    """A chosen architecture: its flat ``arc``, scores, where it was printed, and ``fixed_arc`` forms."""

    arc: str
    space: str | None
    val_acc: float
    reward: float
    epoch: float
    run: int
    sample: int
    line: int
    test_acc: float
    params: dict = field(default_factory=dict)
    source: str | list | None = None

    @property
    def fixed_arc(self) -> str:
        """The ``fixed_arc="..."`` shell lines for the authors' ``*_final.sh`` scripts."""
        return self.to_arc().format("shell")

    def to_arc(self):
        """The :class:`enas_viz.Arc`, e.g. for our own final training (``ev.train_final(best.to_arc())``)."""
        from enas_viz.arcs import parse_arc

        params = {k: v for k, v in self.params.items() if v is not None}
        return parse_arc(self.arc, self.space, **params)

    def as_dict(self) -> dict:
        out = {k: getattr(self, k) for k in ("arc", "space", "val_acc", "reward", "epoch", "run", "sample", "line")}
        out.update(test_acc=self.test_acc, fixed_arc=self.fixed_arc)
        return out
