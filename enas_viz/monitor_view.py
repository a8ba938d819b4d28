"""The parts of the live monitor that are not about events: its figures, its theme, its ETA.

- :func:`curves_figure`: shared-weights training (loss and train accuracy by step, from the
  first logged step on), controller reward and baseline, entropy, sampled arcs' val_acc;
- :class:`ThemeProbe`: an invisible anywidget that tells the kernel whether JupyterLab (or
  VS Code, or the browser) shows a dark theme, and again whenever the theme changes;
  :func:`apply_theme` restyles the figures to match;
- :class:`Clock`: ETA of the epoch's shared training and of the run, from wall time.
"""

from __future__ import annotations

import time

import anywidget
import plotly.graph_objects as go
import traitlets
from plotly.subplots import make_subplots

__all__ = ["curves_figure", "dag_layout", "ThemeProbe", "apply_theme", "Clock", "CURVES"]

# trace order of curves_figure
CURVES = ("loss", "train_acc", "reward", "baseline", "entropy", "val_acc")


def curves_figure() -> go.Figure:
    fig = make_subplots(
        rows=1,
        cols=4,
        subplot_titles=["shared weights (child)", "controller reward, baseline", "controller entropy", "sampled arcs"],
        specs=[[{"secondary_y": True}, {}, {}, {}]],
        horizontal_spacing=0.07,
    )
    fig.add_scatter(name="child loss", mode="lines", line=dict(color="#E15759"), row=1, col=1)
    fig.add_scatter(name="train acc", mode="lines", line=dict(color="#76B7B2"), row=1, col=1, secondary_y=True)
    fig.add_scatter(name="reward", mode="lines", line=dict(color="#4E79A7"), row=1, col=2)
    fig.add_scatter(name="baseline", mode="lines", line=dict(color="#F28E2B", dash="dot"), row=1, col=2)
    fig.add_scatter(name="entropy", mode="lines", line=dict(color="#59A14F"), row=1, col=3)
    fig.add_scatter(name="val_acc", mode="markers", marker=dict(size=5, color="#B07AA1"), row=1, col=4)
    for col, title in enumerate(["child step", "controller step", "controller step", "sampled arc"], 1):
        fig.update_xaxes(title_text=title, row=1, col=col)
    fig.update_yaxes(title_text="loss", row=1, col=1)
    fig.update_yaxes(title_text="train acc", row=1, col=1, secondary_y=True, showgrid=False)
    fig.update_yaxes(title_text="reward", row=1, col=2)
    fig.update_yaxes(title_text="entropy", row=1, col=3)
    fig.update_yaxes(title_text="val_acc", row=1, col=4)
    fig.update_layout(
        template="plotly_white",
        width=1100,
        height=300,
        margin=dict(l=50, r=20, t=40, b=40),
        legend=dict(orientation="h", y=-0.3),
    )
    return fig


def dag_layout(text: str) -> dict:
    """The DAG figure before the first sampled arc: empty axes and a note saying when it comes."""
    return dict(
        template="plotly_white",
        width=1100,
        height=360,
        title=dict(text="latest sampled architecture"),
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        annotations=[dict(text=text, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper", font=dict(size=14))],
    )


class ThemeProbe(anywidget.AnyWidget):
    """Invisible; ``dark`` is True while the front end shows a dark theme (kept up to date)."""

    _esm = """
    function isDark() {
      const b = document.body;
      if (b && b.dataset && b.dataset.jpThemeLight !== undefined) return b.dataset.jpThemeLight === "false";
      if (b && b.classList.contains("vscode-dark")) return true;
      return !!(window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches);
    }
    export default {
      render({ model, el }) {
        el.style.display = "none";
        const send = () => {
          const dark = isDark();
          if (model.get("dark") !== dark) { model.set("dark", dark); model.save_changes(); }
        };
        send();
        const watch = new MutationObserver(send);
        watch.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light", "class"] });
        return () => watch.disconnect();
      }
    };
    """
    dark = traitlets.Bool(False).tag(sync=True)


def apply_theme(dark: bool, dag, curves) -> None:
    """Restyle the monitor's figures for a dark or light notebook; the DAG keeps a light card to draw on."""
    template = "plotly_dark" if dark else "plotly_white"
    clear = "rgba(0,0,0,0)"
    with curves.batch_update():
        curves.layout.template = template
        curves.layout.paper_bgcolor = clear if dark else None
        curves.layout.plot_bgcolor = "rgba(255,255,255,0.04)" if dark else None
    with dag.batch_update():
        dag.layout.template = template
        dag.layout.paper_bgcolor = clear if dark else None
        # op colours, edge greys and label inks are chosen for a light page: draw the DAG on one
        dag.layout.plot_bgcolor = "#F4F4F4" if dark else None


class Clock:
    """Wall-time estimates: the epoch's shared training (from its steps) and the run (from finished epochs)."""

    def __init__(self, now=time.monotonic) -> None:
        self.now = now
        self.start = now()
        self.epoch_times: list[float] = []  # seconds of each finished epoch seen live
        self._epoch_start = self.start
        self._steps: tuple[float, int] | None = None  # (time, global step) of the first child step seen this epoch

    def epoch_done(self) -> None:
        t = self.now()
        self.epoch_times.append(t - self._epoch_start)
        self._epoch_start, self._steps = t, None

    def child_step(self, step: int) -> None:
        if self._steps is None:
            self._steps = (self.now(), step)
        self._last = (self.now(), step)

    def training_left(self, steps_left: int) -> float | None:
        """Seconds until this epoch's shared training ends, from the pace of its logged steps."""
        if self._steps is None or self._last[1] <= self._steps[1]:
            return None
        (t0, s0), (t1, s1) = self._steps, self._last
        return steps_left * (t1 - t0) / (s1 - s0)

    def run_left(self, epochs_left: int) -> float | None:
        """Seconds until the run ends, from the mean of the epochs finished while watching."""
        if not self.epoch_times:
            return None
        return epochs_left * sum(self.epoch_times) / len(self.epoch_times)


def fmt_seconds(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
