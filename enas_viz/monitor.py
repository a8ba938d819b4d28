"""``SearchMonitor()``: watch a search live in the notebook cell that runs it, and stop it.

Pass it as a callback (``ev.search(..., callbacks=[SearchMonitor()])``, or ``monitor=True``):
the trainer calls it with each event dict (``run_start``, ``child_step``, ``controller_step``,
``arc_sample``, ``eval``, ``checkpoint``, ``run_end``; keys in :mod:`enas_viz.schema`).
Events are stored at once; the widgets (status, progress with ETA, latest sampled DAG,
shared-weights loss and accuracy, reward, baseline, entropy and val_acc curves) are redrawn
in place at most every ``min_interval`` seconds. From the first logged child step on,
the shared-weights curve and the ETA move, so the first epoch is not a blank screen.

**Stop** sets ``stop_requested``; the trainer then ends the run at its next step (status
``"stopped"``; the last checkpoint stays, ``resume=True`` continues). The click reaches
the kernel while the search cell is still running (see :mod:`enas_viz.busy_kernel`).

Two different arcs are named apart: the **best sampled arc** (the top scorer among the
arcs sampled during the search, beside its own val_acc) and, when the run ends, the
**derived arc** (the controller's final pick, the one to train, beside its own reward).
Every string from the log is HTML-escaped. A redraw costs the same however long the run:
counters run as events come, and each curve is sent again only when it grew, thinned to
``MAX_POINTS``.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from .busy_kernel import is_click, on_message_while_busy
from .figures.dag import DagDrawing
from .figures.logdata import ArcParser
from .monitor_view import CURVES, Clock, ThemeProbe, apply_theme, curves_figure, dag_layout, fmt_seconds
from .schema import COLUMNS, EVENT_TABLES
from .spaces import SPACES
from .timeline import sync_figure_state

__all__ = ["SearchMonitor"]

MAX_POINTS = 2000  # points per curve trace sent to the browser; longer runs are thinned evenly


class SearchMonitor(widgets.VBox):
    """Live view of a running search; call it with trainer events (it is a callback).

    ``min_interval``: least seconds between two redraws. ``auto_display``: show itself in
    the running cell on the first event if it was not displayed yet. ``stop_requested``
    is what the trainer reads (the Stop button sets it). ``best_sampled`` is the best
    sampled arc's row so far, ``derived_arc`` the run's final pick once it ended.
    ``to_log()`` returns what was received as a SearchLog (e.g. for ``Timeline``).
    """

    def __init__(self, *, min_interval: float = 0.25, auto_display: bool = True):
        self.min_interval, self.auto_display = min_interval, auto_display
        self.meta: dict = {}
        self.rows: dict[str, list[dict]] = {table: [] for table in EVENT_TABLES.values()}
        self.events_seen = 0
        self.redraws = 0
        self.finished: dict | None = None
        self.stop_requested = False
        self.best_sampled: dict | None = None
        self.steps_per_epoch: int | None = None
        self._parse: ArcParser | None = None
        self._drawing: DagDrawing | None = None
        self._last_draw = 0.0
        self._dirty = False
        self._shown = False
        self._theme: bool | None = None  # dark theme reported by the front end while the cell was busy
        self._clock = Clock()
        # running counters, so a redraw never rescans the rows
        self._epochs_done = 0
        self._checkpoint_epoch: int | None = None
        self._child_steps: dict = {}  # epoch -> child steps seen
        self._sent = {"child": 0, "controller": 0, "archs": 0}  # rows already on the curves

        self.status = widgets.HTML("<i>waiting for the search to start</i>")
        self.stop_button = widgets.Button(
            description="Stop", icon="stop", button_style="warning", disabled=True,
            tooltip="end the search at its next step; the last checkpoint stays and resume=True continues it",
        )  # fmt: skip
        self.stop_button.on_click(lambda _button: self.request_stop())
        self.epoch_bar = widgets.IntProgress(value=0, min=0, max=1, description="epochs", bar_style="info")
        self.step_bar = widgets.IntProgress(value=0, min=0, max=1, description="this epoch")
        self.eta = widgets.HTML("")
        self.dag = go.FigureWidget(layout=dag_layout("the first architectures are sampled at the end of epoch 1"))
        self.curves = go.FigureWidget(curves_figure())
        self.theme = ThemeProbe()
        self.theme.observe(lambda change: self._apply_theme(change["new"]), "dark")
        on_message_while_busy(self.stop_button, self._on_busy_click)
        on_message_while_busy(self.theme, self._on_busy_theme)
        bars = widgets.HBox([self.epoch_bar, self.step_bar, self.eta])
        super().__init__([widgets.HBox([self.stop_button, self.status]), bars, self.dag, self.curves, self.theme])

    def _repr_mimebundle_(self, **kwargs):
        self._shown = True
        sync_figure_state(self.dag, self.curves)
        return super()._repr_mimebundle_(**kwargs)

    # -- stop and theme, also while the search cell is busy ----------------------------

    def request_stop(self) -> None:
        """Ask the trainer to end the run at its next step (what the Stop button does)."""
        self.stop_requested = True
        if self.finished is None:
            self.stop_button.disabled = True
            self.stop_button.description = "Stopping…"
            self._dirty = True

    def _on_busy_click(self, data) -> None:  # on the kernel's shell thread: set a flag, nothing else
        if is_click(data):
            self.stop_requested = True

    def _on_busy_theme(self, data) -> None:  # on the kernel's shell thread
        state = data.get("state") if isinstance(data, dict) and data.get("method") == "update" else None
        if isinstance(state, dict) and "dark" in state:
            self._theme = bool(state["dark"])

    def _apply_theme(self, dark: bool) -> None:
        apply_theme(dark, self.dag, self.curves)

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
            self.steps_per_epoch = _positive_int(event.get("steps_per_epoch"))
            self._parse = ArcParser(self.meta) if self.meta["space"] in SPACES else None  # else: no DAG to draw
            self._clock = Clock()
            self.stop_button.disabled = self.stop_requested
        elif kind in EVENT_TABLES:
            row = {k: v for k, v in event.items() if k != "event"}
            if kind == "arc_sample":
                row["arc"] = _arc_text(row.get("arc"))
                row.setdefault("space", self.meta.get("space"))
            self.rows[EVENT_TABLES[kind]].append(row)
            self._count(EVENT_TABLES[kind], row)
        elif kind == "checkpoint":
            self._checkpoint_epoch = _positive_int(event.get("epoch"))
            self._clock.epoch_done()
        elif kind == "run_end":
            self.finished = dict(event)
        self._dirty = True
        urgent = kind in ("run_start", "run_end") or (self.stop_requested and self.stop_button.description == "Stop")
        if urgent or time.monotonic() - self._last_draw >= self.min_interval:
            self.redraw()

    def _count(self, table: str, row: dict) -> None:
        epoch = row.get("epoch")
        if table in ("archs", "evals") and _is_number(epoch):
            self._epochs_done = max(self._epochs_done, int(epoch))
        if table == "archs":
            acc = row.get("val_acc")
            best = self.best_sampled
            if _is_number(acc) and (best is None or acc > best["val_acc"]):
                self.best_sampled = row
        elif table == "child":
            self._child_steps[epoch] = self._child_steps.get(epoch, 0) + 1
            if _is_number(row.get("step")):
                self._clock.child_step(int(row["step"]))

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
        if self._theme is not None:  # reported while the cell was busy
            self._apply_theme(self._theme)
            self._theme = None
        if self.stop_requested and self.finished is None and not self.stop_button.disabled:
            self.request_stop()  # clicked while the cell was busy: show it
        child, ctrl, archs = (self.rows[t] for t in ("child", "controller", "archs"))
        self._draw_progress(child)
        with self.curves.batch_update():
            traces = dict(zip(CURVES, self.curves.data, strict=True))
            if len(child) != self._sent["child"]:  # only curves that grew are sent again
                keep = _thin(len(child))
                steps = [child[i].get("step") for i in keep]
                traces["loss"].x, traces["loss"].y = steps, [child[i].get("loss") for i in keep]
                traces["train_acc"].x, traces["train_acc"].y = steps, [child[i].get("train_acc") for i in keep]
                self._sent["child"] = len(child)
            if len(ctrl) != self._sent["controller"]:
                keep = _thin(len(ctrl))
                steps = [i + 1 for i in keep]
                for name in ("reward", "baseline", "entropy"):
                    traces[name].x, traces[name].y = steps, [ctrl[i].get(name) for i in keep]
                self._sent["controller"] = len(ctrl)
            if len(archs) != self._sent["archs"]:
                keep = _thin(len(archs))
                traces["val_acc"].x, traces["val_acc"].y = (
                    [i + 1 for i in keep],
                    [archs[i].get("val_acc") for i in keep],
                )
                self._sent["archs"] = len(archs)
        if archs and self._parse is not None:
            self._draw_arc(archs[-1], len(archs))
        if self.finished is not None:
            self.stop_button.disabled = True
            self.stop_button.description = "Stopped" if self.finished.get("status") == "stopped" else "Ended"

    def _draw_arc(self, row: dict, count: int) -> None:
        arc = self._parse(row["arc"], row.get("space"))
        with self.dag.batch_update():
            if self._drawing is None:
                self.dag.layout.annotations = []
            self._drawing = DagDrawing.draw_on(self.dag, arc, self._drawing)
            val = row.get("val_acc")
            score = f", val_acc {_fmt(val)}" if _is_number(val) else ""
            self.dag.layout.title.text = _e(
                f"latest sampled architecture #{count} (epoch {row.get('epoch', '?')}{score})"
            )

    def _draw_progress(self, child: list) -> None:
        config = self.meta.get("config", {})
        total = _positive_int(config.get("epochs") or config.get("num_epochs"))
        done = self._epochs_done
        self.epoch_bar.max = total or max(done, 1)
        self.epoch_bar.value = min(done, self.epoch_bar.max)
        in_epoch, of = self._epoch_steps(child)
        self.step_bar.max, self.step_bar.value = max(of, in_epoch, 1), in_epoch
        self.eta.value = self._eta_html(in_epoch, of, total, done)
        self.status.value = self._status_html(child, done, total, (in_epoch, of))

    def _epoch_steps(self, child: list) -> tuple[int, int]:
        """Child steps done in the current epoch and the steps an epoch has (known from run_start, else guessed)."""
        if not child:
            return 0, self.steps_per_epoch or 0
        last = child[-1]
        epoch, step = last.get("epoch"), last.get("step")
        if self.steps_per_epoch and _is_number(epoch) and _is_number(step):
            return int(step) - int(epoch) * self.steps_per_epoch, self.steps_per_epoch
        in_epoch = self._child_steps.get(epoch, 0)  # logged steps, against the previous epoch's count
        previous = self._child_steps.get(epoch - 1, 0) if _is_number(epoch) else 0
        return in_epoch, previous

    def _eta_html(self, in_epoch: int, of: int, total, done: int) -> str:
        if self.finished is not None:
            return ""
        parts = []
        training = self._clock.training_left(max(of - in_epoch, 0)) if of else None
        if training is not None and in_epoch < of:
            parts.append(f"this epoch's training: {fmt_seconds(training)} left")
        run = self._clock.run_left(total - done) if total else None
        if run is not None:
            parts.append(f"run: about {fmt_seconds(run)} left")
        elif training is not None and total and of:  # first epoch: the shared training alone is a lower bound
            per_step = training / max(of - in_epoch, 1)
            parts.append(f"run: at least {fmt_seconds(training + per_step * of * (total - done - 1))} left")
        return f"<span style='font-size:12px'>ETA · {_e(' · '.join(parts))}</span>" if parts else ""

    def _status_html(self, child: list, done: int, total, steps: tuple[int, int]) -> str:
        ctrl, evals = self.rows["controller"], self.rows["evals"]
        parts = [
            f"<b>{_e(self.meta.get('space') or '?')}</b> search",
            f"epoch <b>{_e(done)}</b>" + (f" / {_e(total)}" if total else ""),
        ]
        if child:
            c = child[-1]
            where = f"{steps[0]}/{steps[1]}" if steps[1] else _fmt(c.get("step"))
            parts.append(
                _e(
                    f"child step {where} (step {_fmt(c.get('step'))}): loss {_fmt(c.get('loss'))}, acc {_fmt(c.get('train_acc'))}"
                )
            )
        if ctrl:
            parts.append(
                _e(f"controller: entropy {_fmt(ctrl[-1].get('entropy'))}, reward {_fmt(ctrl[-1].get('reward'))}")
            )
        if evals:
            e = evals[-1]
            parts.append(_e(f"{_fmt(e.get('split'))} accuracy {_fmt(e.get('accuracy'))}"))
        minutes = next((r.get("minutes") for r in reversed(child + ctrl) if _is_number(r.get("minutes"))), None)
        if minutes is not None:
            parts.append(f"{minutes:.1f} min")
        lines = [" &nbsp;·&nbsp; ".join(parts)]
        if self.stop_requested and self.finished is None:
            lines.append("<b>stop requested</b>: the run ends at its next step")
        if self.rows["archs"]:
            lines.append(self._best_sampled_html())
        if self.finished is not None:
            lines.append(self._end_html())
        body = "<br>".join(lines)
        return f"<div style='font-family:sans-serif;font-size:13px;line-height:1.5'>{body}</div>"

    def _best_sampled_html(self) -> str:
        n = len(self.rows["archs"])
        best = self.best_sampled
        if best is None:
            return f"{n} arcs sampled (none scored yet)"
        where = f"epoch {_fmt(best.get('epoch'))}, sample {_fmt(best.get('sample'))}"
        return (
            f"{n} arcs sampled · <b>best sampled arc</b> val_acc <b>{_e(_fmt(best.get('val_acc')))}</b> "
            f"({_e(where)}): <code>{_e(best.get('arc'))}</code>"
        )

    def _end_html(self) -> str:
        end = self.finished
        status = str(end.get("status", "finished"))
        if status == "stopped":
            last = self._checkpoint_epoch
            saved = f"its last checkpoint is epoch {last}" if last else "no epoch finished, so nothing was checkpointed"
            return _e(f"run stopped ({saved}); continue it with ev.search(..., resume=True) in the same out folder")
        derived = _arc_text(end.get("derived_arc"))
        if not derived:
            return f"<b>run {_e(status)}</b>"
        reward = end.get("derived_reward")
        score = f", reward {_e(_fmt(reward))} on one validation minibatch" if _is_number(reward) else ""
        return (
            f"<b>run {_e(status)}</b> · <b>derived arc</b> (the controller's final pick, the one to train: "
            f"<code>ev.train_final(result.derived_arc, ...)</code>{score}): <code>{_e(derived)}</code>"
        )

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

    @property
    def derived_arc(self) -> str | None:
        """The run's derived arc (the one to train), once the run ended with one."""
        return _arc_text((self.finished or {}).get("derived_arc")) or None


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


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not pd.isna(value)


def _positive_int(value) -> int | None:
    return int(value) if _is_number(value) and value > 0 else None


def _e(value) -> str:
    """HTML-escaped text of a value (every log-derived string goes through here)."""
    return html.escape(str(value))


def _fmt(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "–"
    return f"{value:.4g}" if isinstance(value, float) else str(value)
