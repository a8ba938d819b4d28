"""``Timeline(log)``: scrub the sampled architectures of a search in a notebook.

One widget: a Play button and an IntSlider linked in the browser (``jslink``), a toggle
between every sampled arc and each epoch's best, the DAG (a plotly FigureWidget built
once), the accuracy curve with a marker at the current arc, a text line with the arc,
epoch, val_acc and op names, and an "Export MP4" button. Moving the slider assigns a few
precomputed arrays inside ``batch_update()``; node positions come from the fixed layout
of the space, so nothing is laid out again and nodes never jump.
"""

from __future__ import annotations

import html
from copy import deepcopy
from pathlib import Path

import ipywidgets as widgets
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .figures.dag import DagDrawing
from .figures.logdata import ArcParser, epoch_position

__all__ = ["Timeline"]


class Timeline(widgets.VBox):
    """Play + slider over ``log.archs`` rows, the current DAG, the accuracy curve and MP4 export.

    ``tl.search_log`` is the log shown, ``tl.slider`` the IntSlider (over archs rows, or over epochs when ``tl.mode.value``
    is ``"epoch"``), ``tl.dag`` the FigureWidget of the current arc, ``tl.curve`` the
    accuracy curve. ``link="python"`` links Play and slider in the kernel instead of the
    browser (the Colab workaround). ``refresh()`` picks up architectures appended to a
    growing log.
    """

    def __init__(
        self,
        log,
        *,
        y: str = "val_acc",
        interval: int = 200,
        link: str = "js",
        video_path: str | Path | None = None,
    ):
        if log.archs.empty:
            raise ValueError("the log has no sampled architectures yet; build the Timeline once some are logged")
        self.search_log, self.y = log, y
        self._parse = ArcParser(log.meta)
        self._set_rows(log.archs)
        first = self._arc(0)
        self._drawing = DagDrawing.for_arc(first)
        self.dag = go.FigureWidget(self._drawing.figure_dict(first))
        self.curve = go.FigureWidget(self._curve_figure())

        n = len(self._archs)
        self.play = widgets.Play(min=0, max=n - 1, value=0, interval=interval, description="play")
        self.slider = widgets.IntSlider(
            min=0, max=n - 1, value=0, description="arc", continuous_update=True, layout=widgets.Layout(width="520px")
        )
        linker = widgets.jslink if link == "js" else widgets.link
        self._link = linker((self.play, "value"), (self.slider, "value"))
        self.mode = widgets.ToggleButtons(
            options=[("every arc", "arc"), ("epoch best", "epoch")],
            value="arc",
            tooltips=["step through every sampled architecture", "step by epoch, showing the epoch's best"],
            style={"button_width": "90px"},
        )
        self.info = widgets.HTML()
        self.video_path = widgets.Text(
            value=str(video_path or _default_video_path(log)), description="video", layout=widgets.Layout(width="420px")
        )
        self.export_button = widgets.Button(description="Export MP4", icon="film", tooltip="write the search video")
        self.status = widgets.HTML()
        self.video_output = widgets.Output()
        self.slider.observe(self._on_slider, names="value")
        self.mode.observe(self._on_mode, names="value")
        self.export_button.on_click(self._on_export)
        super().__init__(
            [
                widgets.HBox([self.play, self.slider, self.mode]),
                self.info,
                self.dag,
                self.curve,
                widgets.HBox([self.video_path, self.export_button, self.status]),
                self.video_output,
            ]
        )
        self.row = -1
        self.show(0)

    # -- data -------------------------------------------------------------------------

    def _set_rows(self, archs: pd.DataFrame) -> None:
        self._archs = archs.reset_index(drop=True)
        self._x = epoch_position(self._archs)
        scores = self._archs[self.y]
        by_epoch = self._archs.assign(_score=scores.fillna(-np.inf)).dropna(subset=["epoch"])
        # each epoch's best row (first on ties), in epoch order: the stops of "epoch best" mode
        self._epoch_best = by_epoch.groupby("epoch", sort=True)["_score"].idxmax().to_numpy()
        if len(self._epoch_best) == 0:
            self._epoch_best = np.arange(len(self._archs))

    def _arc(self, row: int):
        rec = self._archs.iloc[row]
        return self._parse(rec["arc"], rec["space"])

    def _curve_figure(self) -> dict:
        archs, y = self._archs, self.y
        mean = archs.dropna(subset=["epoch", y]).groupby("epoch")[y].mean()
        best = archs.dropna(subset=["epoch", y]).groupby("epoch")[y].max()
        return dict(
            data=[
                dict(
                    type="scatter",
                    mode="markers",
                    name="sampled arcs",
                    x=self._x,
                    y=archs[y],
                    marker=dict(size=4, color="#1F3A68", opacity=0.25),
                    hoverinfo="skip",
                ),
                dict(
                    type="scatter",
                    mode="lines",
                    name="epoch mean",
                    x=mean.index,
                    y=mean.values,
                    line=dict(color="#1F3A68", width=2),
                ),
                dict(
                    type="scatter",
                    mode="lines",
                    name="epoch best",
                    x=best.index,
                    y=best.values,
                    line=dict(color="#59A14F", width=2, dash="dot"),
                ),
                dict(
                    type="scatter",
                    mode="markers",
                    name="current",
                    x=[None],
                    y=[None],
                    marker=dict(size=14, color="#E15759", symbol="diamond", line=dict(width=1.5, color="#222")),
                ),
            ],
            layout=dict(
                template="plotly_white",
                width=1000,
                height=260,
                margin=dict(l=60, r=10, t=30, b=40),
                xaxis=dict(title=dict(text="epoch")),
                yaxis=dict(title=dict(text=y)),
                title=dict(text=f"{y} of sampled architectures", font=dict(size=13)),
                legend=dict(orientation="h", y=1.12, x=1, xanchor="right"),
            ),
        )

    # -- showing an arc ---------------------------------------------------------------

    @property
    def arc(self):
        """The architecture shown now (an :class:`enas_viz.Arc`)."""
        return self._arc(self.row)

    def row_of(self, value: int) -> int:
        """The archs row that slider value ``value`` stands for in the current mode."""
        return int(self._epoch_best[value]) if self.mode.value == "epoch" else int(value)

    def show(self, row: int) -> None:
        """Draw archs row ``row``: DAG, curve marker and text, all updated in place."""
        if row == self.row:
            return
        arc = self._arc(row)
        rec = self._archs.iloc[row]
        with self.dag.batch_update():
            # another space or size in one log replaces the fixed traces; else only arrays change
            self._drawing = DagDrawing.draw_on(self.dag, arc, self._drawing)
            self.dag.layout.title.text = f"{arc.space} arc {row + 1}/{len(self._archs)}"
        with self.curve.batch_update():
            current = self.curve.data[3]
            current.x, current.y = [self._x[row]], [None if pd.isna(rec[self.y]) else float(rec[self.y])]
        self.info.value = _info_html(rec, arc, row, len(self._archs), self.y)
        self.row = row

    def _on_slider(self, change) -> None:
        self.play.value = change["new"]  # jslink moves it in the browser; keep the kernel's copy equal
        self.show(self.row_of(change["new"]))

    def _repr_mimebundle_(self, **kwargs):
        sync_figure_state(self.dag, self.curve)
        return super()._repr_mimebundle_(**kwargs)

    def _on_mode(self, change) -> None:
        row = self.row
        if change["new"] == "epoch":
            stops = self._epoch_best
            # stay in the epoch shown now
            value = int(np.searchsorted(self._archs["epoch"].to_numpy()[stops], self._archs["epoch"].iloc[row]))
            self._set_range(len(stops) - 1, min(value, len(stops) - 1), "epoch")
        else:
            self._set_range(len(self._archs) - 1, row, "arc")
        self.show(self.row_of(self.slider.value))

    def _set_range(self, top: int, value: int, description: str) -> None:
        with self.slider.hold_trait_notifications():
            self.slider.max = self.play.max = top
            self.slider.value = value
            self.slider.description = description

    # -- growing logs -----------------------------------------------------------------

    def refresh(self, log=None) -> int:
        """Take the architectures appended since (from ``log``, or by re-reading ``log.meta['source']``).

        Returns how many rows were added; the slider stays where it is unless it was at the end.
        """
        if log is None:
            source = self.search_log.meta.get("source")
            if not source:
                raise ValueError("refresh() needs a log: this one has no meta['source'] to read again")
            from extract import read_log

            log = read_log(source)
        added = len(log.archs) - len(self._archs)
        at_end = self.slider.value == self.slider.max
        self.search_log = log
        self._set_rows(log.archs)
        fresh = self._curve_figure()["data"]
        with self.curve.batch_update():
            for i in range(3):
                self.curve.data[i].x, self.curve.data[i].y = fresh[i]["x"], fresh[i]["y"]
        top = (len(self._epoch_best) if self.mode.value == "epoch" else len(self._archs)) - 1
        self.row = -1
        self._set_range(top, top if at_end else min(self.slider.value, top), self.slider.description)
        self.show(self.row_of(self.slider.value))
        return added

    # -- video ------------------------------------------------------------------------

    def _on_export(self, _button=None) -> Path | None:
        return self.export_video()

    def export_video(self) -> Path | None:
        """Write the search video to ``video_path`` and show it below (the Export MP4 button)."""
        path = Path(self.video_path.value).expanduser()
        self.status.value = f"writing <code>{html.escape(str(path))}</code> ..."
        try:
            from .video import write_video

            written = Path(write_video(self.search_log, path))
        except Exception as err:  # shown to the user in the widget, not raised into the event loop
            self.status.value = (
                f"<span style='color:#B22'>video export failed: {html.escape(f'{type(err).__name__}: {err}')}</span>"
            )
            return None
        self.status.value = f"wrote <code>{html.escape(str(written))}</code>"
        from IPython.display import Video

        self.video_output.outputs = ()
        self.video_output.append_display_data(Video(str(written), embed=False, width=640))
        return written


def sync_figure_state(*figures) -> None:
    """Copy each FigureWidget's current figure into its synced state, as its own display does.

    Updates made in ``batch_update`` reach a live front end as messages; a notebook saved
    with widget state (and its HTML export) shows the synced state, so refresh it when the
    widget is displayed.
    """
    for fig in figures:
        fig._widget_layout = deepcopy(fig._layout_obj._props)
        fig._widget_data = deepcopy(fig._data)


def _default_video_path(log) -> Path:
    """``<name>.mp4`` next to the log (runs/NAME/events.jsonl gives runs/NAME/NAME.mp4)."""
    source = log.meta.get("source")
    if not source:
        return Path("search.mp4")
    source = Path(str(source))
    stem = source.parent.name if source.stem == "events" and source.parent.name else source.stem
    return source.with_name(f"{stem}.mp4")


def _info_html(rec, arc, row: int, total: int, y: str) -> str:
    def num(v, fmt):
        return "–" if pd.isna(v) else format(v, fmt)

    epoch = "–" if pd.isna(rec["epoch"]) else int(rec["epoch"])
    ops = " · ".join(f"{pos}: <b>{op}</b>" for pos, op in arc.choices())
    return (
        f"<div style='font-family:sans-serif;font-size:13px;line-height:1.5'>"
        f"<b>arc {row + 1} / {total}</b> &nbsp; epoch <b>{epoch}</b> &nbsp; sample {num(rec['sample'], '.0f')}"
        f" &nbsp; {y} <b>{num(rec[y], '.4f')}</b> &nbsp; reward {num(rec['reward'], '.4f')}<br>"
        f"<code style='font-size:12px'>{html.escape(str(arc))}</code><br>"
        f"<span style='font-size:12px;color:#333'>{ops}</span></div>"
    )
