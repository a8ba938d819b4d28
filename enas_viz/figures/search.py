"""Figures of a search, from one SearchLog or several (a list or ``{name: log}``) on shared axes.

Every function takes the log(s) first and returns a ``go.Figure``. With several logs,
each run gets one colour and its name in the legend, so seeds, spaces and
implementations compare on the same axes (:func:`compare_figure` picks a view by name).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from ..colors import op_color
from .dag import dag_figure
from .logdata import ArcParser, as_runs, epoch_position

__all__ = [
    "accuracy_figure",
    "controller_figure",
    "child_figure",
    "evals_figure",
    "op_frequency",
    "op_frequency_figure",
    "skip_density_figure",
    "distinct_figure",
    "best_arc",
    "best_arc_figure",
    "compare_figure",
]

_RUN_COLORS = qualitative.D3


def _color(i: int, runs: dict) -> str:
    return "#1F3A68" if len(runs) == 1 else _RUN_COLORS[i % len(_RUN_COLORS)]


def _label(name: str, what: str, runs: dict) -> str:
    return what if len(runs) == 1 else f"{name}: {what}"


def _per_epoch(table: pd.DataFrame, column: str, how: str) -> pd.Series:
    data = table.dropna(subset=["epoch", column])
    return data.groupby("epoch")[column].agg(how)


def accuracy_figure(logs, y: str = "val_acc") -> go.Figure:
    """``y`` (``val_acc`` or ``reward``) of every sampled arc over epochs, with per-epoch mean and best."""
    runs = as_runs(logs)
    fig = go.Figure()
    for i, (name, log) in enumerate(runs.items()):
        archs, color = log.archs, _color(i, runs)
        fig.add_scatter(
            x=epoch_position(archs),
            y=archs[y],
            mode="markers",
            name=_label(name, "sampled arcs", runs),
            marker=dict(size=4, color=color, opacity=0.3),
            legendgroup=name,
            customdata=np.stack([archs["arc"].astype(str), archs["epoch"]], axis=-1) if len(archs) else None,
            hovertemplate="epoch %{customdata[1]}<br>" + y + " %{y:.4f}<br>%{customdata[0]}<extra></extra>",
        )
        for how, dash in (("mean", "solid"), ("max", "dot")):
            per = _per_epoch(archs, y, how)
            fig.add_scatter(
                x=per.index,
                y=per.values,
                mode="lines",
                name=_label(name, f"epoch {'best' if how == 'max' else how}", runs),
                line=dict(color=color, width=2, dash=dash),
                legendgroup=name,
            )
    fig.update_layout(template="plotly_white", title_text=f"{y} of sampled architectures", hovermode="closest")
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text=y)
    return fig


def _child_position(child: pd.DataFrame) -> np.ndarray:
    """x of child rows: their ``epoch`` is the 0-based epoch in progress, so pass e lies in (e, e + 1].

    Controller, archs and evals rows carry the completed (1-based) epoch, which
    :func:`epoch_position` spreads over (e - 1, e]; one epoch later puts both on one axis.
    """
    x = epoch_position(child)
    return x + 1 if "epoch" in child and child["epoch"].notna().any() else x


def _panels(logs, table: str, panels: list[tuple[str, str]], title: str) -> go.Figure:
    """Stacked panels of ``table`` columns over epochs, one line per run, shared x."""
    runs = as_runs(logs)
    position = _child_position if table == "child" else epoch_position
    fig = make_subplots(rows=len(panels), cols=1, shared_xaxes=True, vertical_spacing=0.08)
    for row, (column, label) in enumerate(panels, start=1):
        for i, (name, log) in enumerate(runs.items()):
            data = getattr(log, table)
            fig.add_scatter(
                x=position(data),
                y=data[column],
                mode="lines",
                name=name if len(runs) > 1 else label,
                line=dict(color=_color(i, runs) if len(runs) > 1 else _RUN_COLORS[row - 1], width=1.5),
                legendgroup=name,
                showlegend=len(runs) == 1 or row == 1,
                row=row,
                col=1,
            )
        fig.update_yaxes(title_text=label, row=row, col=1)
    fig.update_xaxes(title_text="epoch", row=len(panels), col=1)
    fig.update_layout(template="plotly_white", title_text=title, height=220 * len(panels) + 80)
    return fig


def controller_figure(logs) -> go.Figure:
    """Controller entropy and baseline (reward baseline) over epochs."""
    return _panels(logs, "controller", [("entropy", "entropy"), ("baseline", "baseline")], "controller")


def child_figure(logs) -> go.Figure:
    """Shared-weights (child) training loss and accuracy (perplexity for language models)."""
    runs = as_runs(logs)
    acc = "train_ppl" if all(log.child["train_acc"].isna().all() for log in runs.values()) else "train_acc"
    return _panels(logs, "child", [("loss", "loss"), (acc, acc)], "child training")


def evals_figure(logs) -> go.Figure:
    """Accuracy (or perplexity) per epoch on each evaluated split (valid, test)."""
    runs = as_runs(logs)
    column = "ppl" if all(log.evals["accuracy"].isna().all() for log in runs.values()) else "accuracy"
    fig = go.Figure()
    for i, (name, log) in enumerate(runs.items()):
        evals = log.evals.dropna(subset=[column])
        for j, (split, rows) in enumerate(evals.groupby("split", sort=True)):
            per = rows.groupby("epoch")[column].mean()
            fig.add_scatter(
                x=per.index,
                y=per.values,
                mode="lines+markers",
                name=_label(name, str(split), runs),
                line=dict(
                    color=_color(i, runs) if len(runs) > 1 else _RUN_COLORS[j], dash=("solid", "dot", "dash")[j % 3]
                ),
                marker=dict(size=4),
                legendgroup=name,
            )
    fig.update_layout(template="plotly_white", title_text=f"evaluation {column} per epoch")
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text=column)
    return fig


def op_frequency(log, every: int = 1) -> pd.DataFrame:
    """Tidy table of how often each op is chosen at each position: epoch, position, op, count, share.

    ``every=k`` pools k epochs into one bin (labelled by its last epoch).
    """
    parse = ArcParser(log.meta)
    rows = []
    for arc_text, space, epoch in zip(log.archs["arc"], log.archs["space"], log.archs["epoch"], strict=True):
        arc = parse(arc_text, space)
        rows.extend((epoch, pos, op) for pos, op in arc.choices())
    table = pd.DataFrame(rows, columns=["epoch", "position", "op"])
    if table.empty:
        return table.assign(count=[], share=[])
    if every > 1:
        table["epoch"] = np.ceil(table["epoch"] / every) * every
    counts = table.groupby(["epoch", "position", "op"], sort=False).size().rename("count").reset_index()
    counts["share"] = counts["count"] / counts.groupby(["epoch", "position"])["count"].transform("sum")
    return counts


def op_frequency_figure(log, every: int = 1, cols: int = 4) -> go.Figure:
    """Stacked areas per position (layer or node): the share of each op the controller picks, by epoch."""
    table = op_frequency(log, every=every)
    parse = ArcParser(log.meta)
    first = parse(log.archs["arc"].iloc[0], log.archs["space"].iloc[0]) if len(log.archs) else None
    positions = [p for p, _ in first.choices()] if first is not None else []
    ops = list(first.ops) if first is not None else []
    rows = max(1, -(-len(positions) // cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        subplot_titles=positions,
        shared_xaxes=True,
        shared_yaxes=True,
        vertical_spacing=0.12 / rows * 2,
    )
    epochs = np.sort(table["epoch"].unique()) if len(table) else []
    share = table.pivot_table(index=["position", "epoch"], columns="op", values="share", fill_value=0.0)
    for k, position in enumerate(positions):
        row, col = k // cols + 1, k % cols + 1
        block = share.loc[position].reindex(epochs, fill_value=0.0)
        for op in ops:
            fig.add_scatter(
                x=epochs,
                y=block[op] if op in block else np.zeros(len(epochs)),
                mode="lines",
                stackgroup=f"p{k}",
                name=op,
                legendgroup=op,
                showlegend=k == 0,
                line=dict(width=0.5, color=op_color(op)),
                fillcolor=op_color(op),
                hovertemplate=f"{position}<br>epoch %{{x}}<br>{op}: %{{y:.0%}}<extra></extra>",
                row=row,
                col=col,
            )
    fig.update_yaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(title_text="share", col=1)
    fig.update_xaxes(title_text="epoch", row=rows)
    fig.update_layout(template="plotly_white", title_text="op frequency per position", height=180 * rows + 120)
    return fig


def skip_density_figure(logs) -> go.Figure:
    """macro: share of skip bits set in every sampled arc, with the per-epoch mean."""
    runs = as_runs(logs)
    fig = go.Figure()
    for i, (name, log) in enumerate(runs.items()):
        parse = ArcParser(log.meta)
        archs = log.archs
        density = [parse(a, s).skip_density() for a, s in zip(archs["arc"], archs["space"], strict=True)]
        data = pd.DataFrame({"epoch": archs["epoch"].to_numpy(), "skip_density": density})
        color = _color(i, runs)
        fig.add_scatter(
            x=epoch_position(archs),
            y=density,
            mode="markers",
            name=_label(name, "sampled arcs", runs),
            marker=dict(size=4, color=color, opacity=0.3),
            legendgroup=name,
        )
        per = _per_epoch(data, "skip_density", "mean")
        fig.add_scatter(
            x=per.index,
            y=per.values,
            mode="lines",
            name=_label(name, "epoch mean", runs),
            line=dict(color=color, width=2),
            legendgroup=name,
        )
    fig.update_layout(template="plotly_white", title_text="skip density (share of skip bits set)")
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="skip density", range=[0, 1])
    return fig


def distinct_figure(logs) -> go.Figure:
    """Distinct architectures per epoch (by canonical key) against the number sampled."""
    runs = as_runs(logs)
    fig = go.Figure()
    for i, (name, log) in enumerate(runs.items()):
        parse = ArcParser(log.meta)
        archs = log.archs.dropna(subset=["epoch"])
        keys = [parse(a, s).canonical_key() for a, s in zip(archs["arc"], archs["space"], strict=True)]
        per = pd.DataFrame({"epoch": archs["epoch"].to_numpy(), "key": keys}).groupby("epoch")["key"]
        color = _color(i, runs)
        fig.add_scatter(
            x=per.size().index,
            y=per.size().values,
            mode="lines",
            name=_label(name, "sampled", runs),
            line=dict(color=color, dash="dot"),
            legendgroup=name,
        )
        fig.add_scatter(
            x=per.nunique().index,
            y=per.nunique().values,
            mode="lines+markers",
            name=_label(name, "distinct", runs),
            line=dict(color=color),
            marker=dict(size=4),
            legendgroup=name,
        )
    fig.update_layout(template="plotly_white", title_text="distinct architectures per epoch")
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="architectures", rangemode="tozero")
    return fig


def best_arc(log, by: str = "val_acc") -> pd.Series:
    """The row of ``log.archs`` with the highest ``by`` (the first one on ties)."""
    archs = log.archs.dropna(subset=[by])
    if archs.empty:
        raise ValueError(f"no sampled architecture has a {by} value; nothing to rank")
    return archs.loc[archs[by].idxmax()]


def best_arc_figure(log, by: str = "val_acc") -> go.Figure:
    """The DAG of the best sampled architecture, its score and epoch in the title."""
    row = best_arc(log, by)
    arc = ArcParser(log.meta)(row["arc"], row["space"])
    epoch = "?" if pd.isna(row["epoch"]) else int(row["epoch"])
    return dag_figure(arc, title=f"best architecture: {by}={row[by]:.4f} (epoch {epoch})<br><sup>{arc}</sup>")


_VIEWS = {
    "accuracy": accuracy_figure,
    "reward": lambda logs: accuracy_figure(logs, y="reward"),
    "controller": controller_figure,
    "child": child_figure,
    "evals": evals_figure,
    "skip_density": skip_density_figure,
    "distinct": distinct_figure,
}


def compare_figure(logs, view: str = "accuracy") -> go.Figure:
    """One view (``accuracy``, ``reward``, ``controller``, ``child``, ``evals``, ``skip_density``,
    ``distinct``) of several runs on shared axes, one colour per run."""
    if view not in _VIEWS:
        raise ValueError(f"unknown view {view!r}; expected one of {sorted(_VIEWS)}")
    return _VIEWS[view](logs)
