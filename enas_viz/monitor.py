"""``SearchMonitor()``: watch a search live in the notebook cell that runs it.

Pass it as a callback (``ev.search(..., callbacks=[SearchMonitor()])``): the trainer calls
it with each event dict (``run_start``, ``child_step``, ``controller_step``,
``arc_sample``, ``eval``, ``checkpoint``, ``run_end``; keys in :mod:`enas_viz.schema`).
Events are stored at once; the widgets (progress, latest sampled DAG, reward, baseline,
entropy and val_acc curves) are redrawn in place at most every ``min_interval`` seconds,
so a fast run never floods the output area. Nothing is printed per event. A redraw costs
the same however long the run: epochs, best val_acc and per-epoch child steps are running
counters, and each curve is sent again only when it grew, thinned to ``MAX_POINTS``.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures.dag import DagDrawing
from .figures.logdata import ArcParser
from .schema import COLUMNS, EVENT_TABLES
from .timeline import sync_figure_state

__all__ = ["SearchMonitor"]

MAX_POINTS = 2000  # points per curve trace sent to the browser; longer runs are thinned evenly


class SearchMonitor(widgets.VBox):
    """Live view of a running search; call it with trainer events (it is a callback).

    ``min_interval``: least seconds between two redraws. ``auto_display``: show itself in
    the running cell on the first event if it was not displayed yet. ``to_log()`` returns
    what was received as a SearchLog (e.g. for ``Timeline``).
    """

    def __init__(self, *, min_interval: float = 0.25, auto_display: bool = True):
        self.min_interval, self.auto_display = min_interval, auto_display
        self.meta: dict = {}
        self.rows: dict[str, list[dict]] = {table: [] for table in EVENT_TABLES.values()}
        self.events_seen = 0
        self.redraws = 0
        self.finished: dict | None = None
        self._parse: ArcParser | None = None
        self._drawing: DagDrawing | None = None
        self._last_draw = 0.0
        self._dirty = False
        self._shown = False
        # running counters, so a redraw never rescans the rows
        self._epochs_done = 0
        self._best_acc: float | None = None
        self._child_steps: dict = {}  # epoch -> child steps seen
        self._sent = {"controller": 0, "archs": 0}  # rows already on the curves

        self.status = widgets.HTML("<i>waiting for the search to start</i>")
        self.epoch_bar = widgets.IntProgress(value=0, min=0, max=1, description="epochs", bar_style="info")
        self.step_bar = widgets.IntProgress(value=0, min=0, max=1, description="this epoch")
        self.dag = go.FigureWidget(
            layout=dict(
                template="plotly_white",
                width=1000,
                height=360,
                title=dict(text="latest sampled architecture (none yet)"),
                xaxis=dict(visible=False),
                yaxis=dict(visible=False),
            )
        )
        self.curves = go.FigureWidget(_curves_figure())
        super().__init__([self.status, widgets.HBox([self.epoch_bar, self.step_bar]), self.dag, self.curves])

    def _repr_mimebundle_(self, **kwargs):
        self._shown = True
        sync_figure_state(self.dag, self.curves)
        return super()._repr_mimebundle_(**kwargs)

    # -- events -----------------------------------------------------------------------

    def __call__(self, event: dict) -> None:
        """Take one trainer event; redraw if the last redraw is older than ``min_interval``."""
        kind = event.get("event")
        self.events_seen += 1
        if self.auto_display and not self._shown:
            self._display()
        if kind == "run_start":
            self.meta = {
                "format": "enas-viz-live",
                "space": event.get("space"),
                "space_params": dict(event.get("space_params") or {}),
                "ops": list(event.get("ops") or []),
                "config": dict(event.get("config") or {}),
            }
            self._parse = ArcParser(self.meta)
        elif kind in EVENT_TABLES:
            row = {k: v for k, v in event.items() if k != "event"}
            if kind == "arc_sample":
                row["arc"] = _arc_text(row.get("arc"))
                row.setdefault("space", self.meta.get("space"))
            self.rows[EVENT_TABLES[kind]].append(row)
            self._count(EVENT_TABLES[kind], row)
        elif kind == "run_end":
            self.finished = dict(event)
        self._dirty = True
        urgent = kind in ("run_start", "run_end")
        if urgent or time.monotonic() - self._last_draw >= self.min_interval:
            self.redraw()

    def _count(self, table: str, row: dict) -> None:
        epoch = row.get("epoch")
        if table in ("archs", "evals") and epoch is not None and not pd.isna(epoch):
            self._epochs_done = max(self._epochs_done, int(epoch))
        if table == "archs":
            acc = row.get("val_acc")
            if acc is not None and not pd.isna(acc) and (self._best_acc is None or acc > self._best_acc):
                self._best_acc = acc
        elif table == "child":
            self._child_steps[epoch] = self._child_steps.get(epoch, 0) + 1

    def _display(self) -> None:
        try:
            from IPython import get_ipython
            from IPython.display import display
        except ImportError:  # pragma: no cover - IPython comes with ipywidgets
            return
        shell = get_ipython()
        if shell is not None and getattr(shell, "kernel", None) is not None:
            display(self)
        self._shown = True

    def flush(self) -> None:
        """Redraw now if anything arrived since the last redraw."""
        if self._dirty:
            self.redraw()

    # -- drawing ----------------------------------------------------------------------

    def redraw(self) -> None:
        """Bring every widget up to date with the events received so far."""
        self._last_draw, self._dirty = time.monotonic(), False
        self.redraws += 1
        child, ctrl, archs, evals = (self.rows[t] for t in ("child", "controller", "archs", "evals"))
        self._draw_progress(child, archs, evals)
        with self.curves.batch_update():
            reward, baseline, entropy, acc = self.curves.data[:4]
            if len(ctrl) != self._sent["controller"]:  # only curves that grew are sent again
                keep = _thin(len(ctrl))
                steps = [i + 1 for i in keep]
                reward.x, reward.y = steps, [ctrl[i].get("reward") for i in keep]
                baseline.x, baseline.y = steps, [ctrl[i].get("baseline") for i in keep]
                entropy.x, entropy.y = steps, [ctrl[i].get("entropy") for i in keep]
                self._sent["controller"] = len(ctrl)
            if len(archs) != self._sent["archs"]:
                keep = _thin(len(archs))
                acc.x, acc.y = [i + 1 for i in keep], [archs[i].get("val_acc") for i in keep]
                self._sent["archs"] = len(archs)
        if archs and self._parse is not None:
            self._draw_arc(archs[-1], len(archs))

    def _draw_arc(self, row: dict, count: int) -> None:
        arc = self._parse(row["arc"], row.get("space"))
        with self.dag.batch_update():
            self._drawing = DagDrawing.draw_on(self.dag, arc, self._drawing)
            val = row.get("val_acc")
            score = "" if val is None or pd.isna(val) else f", val_acc {val:.4f}"
            self.dag.layout.title.text = f"latest sampled architecture #{count} (epoch {row.get('epoch', '?')}{score})"

    def _draw_progress(self, child: list, archs: list, evals: list) -> None:
        config = self.meta.get("config", {})
        total = config.get("epochs") or config.get("num_epochs")
        done = self._epochs_done
        self.epoch_bar.max = int(total) if total else max(done, 1)
        self.epoch_bar.value = min(done, self.epoch_bar.max)
        # child steps logged since the last completed epoch, against the previous epoch's count
        current = child[-1].get("epoch") if child else None
        in_epoch = self._child_steps.get(current, 0)
        previous = self._child_steps.get(current - 1, 0) if current is not None else 0
        self.step_bar.max = max(previous, in_epoch, 1)
        self.step_bar.value = in_epoch
        self.status.value = self._status_html(child, archs, evals, done, total)

    def _status_html(self, child: list, archs: list, evals: list, done: int, total) -> str:
        ctrl = self.rows["controller"]
        parts = [
            f"<b>{html.escape(str(self.meta.get('space') or '?'))}</b> search",
            f"epoch <b>{done}</b>" + (f" / {total}" if total else ""),
        ]
        if child:
            c = child[-1]
            parts.append(f"child step {c.get('step')}: loss {_fmt(c.get('loss'))}, acc {_fmt(c.get('train_acc'))}")
        if ctrl:
            parts.append(f"controller: entropy {_fmt(ctrl[-1].get('entropy'))}, reward {_fmt(ctrl[-1].get('reward'))}")
        if archs:
            parts.append(f"{len(archs)} arcs sampled, best val_acc {_fmt(self._best_acc)}")
        if evals:
            e = evals[-1]
            parts.append(f"{e.get('split')} accuracy {_fmt(e.get('accuracy'))}")
        minutes = next((r.get("minutes") for r in reversed(child + ctrl) if r.get("minutes") is not None), None)
        if minutes is not None:
            parts.append(f"{minutes:.1f} min")
        line = " &nbsp;·&nbsp; ".join(parts)
        if self.finished is not None:
            status = html.escape(str(self.finished.get("status", "finished")))
            derived = html.escape(_arc_text(self.finished.get("derived_arc")) or "")
            line = f"<b>run {status}</b> &nbsp;·&nbsp; {line}<br>derived arc: <code>{derived}</code>"
        return f"<div style='font-family:sans-serif;font-size:13px'>{line}</div>"

    # -- results ----------------------------------------------------------------------

    def to_log(self):
        """Everything received so far as a :class:`extract.SearchLog`."""
        from extract.searchlog import SearchLog

        tables = {
            table: pd.DataFrame(rows).reindex(columns=list(COLUMNS[table]) + _extra(rows, table))
            for table, rows in self.rows.items()
        }
        archs = tables["archs"]
        archs["space"] = archs["space"].fillna(self.meta.get("space"))
        return SearchLog(meta=dict(self.meta), **tables)


def _thin(n: int, limit: int = MAX_POINTS) -> list[int]:
    """Row indices of a curve of ``n`` points, at most about ``limit``, evenly spread, always the last."""
    if n <= limit:
        return list(range(n))
    keep = list(range(0, n, -(-n // limit)))
    return keep if keep[-1] == n - 1 else [*keep, n - 1]


def _extra(rows: list[dict], table: str) -> list[str]:
    seen = dict.fromkeys(k for r in rows for k in r)
    return [k for k in seen if k not in COLUMNS[table]]


def _arc_text(arc) -> str | None:
    if arc is None or isinstance(arc, str):
        return arc
    return " ".join(str(int(t)) for t in (arc.tokens if hasattr(arc, "tokens") else arc))


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _curves_figure() -> go.Figure:
    fig = make_subplots(
        rows=1, cols=3, subplot_titles=["controller reward and baseline", "controller entropy", "sampled arcs"]
    )
    fig.add_scatter(name="reward", mode="lines", line=dict(color="#4E79A7"), row=1, col=1)
    fig.add_scatter(name="baseline", mode="lines", line=dict(color="#F28E2B", dash="dot"), row=1, col=1)
    fig.add_scatter(name="entropy", mode="lines", line=dict(color="#59A14F"), row=1, col=2)
    fig.add_scatter(name="val_acc", mode="markers", marker=dict(size=5, color="#1F3A68"), row=1, col=3)
    fig.update_xaxes(title_text="controller step", row=1, col=1)
    fig.update_xaxes(title_text="controller step", row=1, col=2)
    fig.update_xaxes(title_text="sampled arc", row=1, col=3)
    fig.update_yaxes(title_text="reward", row=1, col=1)
    fig.update_yaxes(title_text="entropy", row=1, col=2)
    fig.update_yaxes(title_text="val_acc", row=1, col=3)
    fig.update_layout(
        template="plotly_white",
        width=1000,
        height=300,
        margin=dict(l=50, r=10, t=40, b=40),
        legend=dict(orientation="h", y=-0.3),
    )
    return fig
