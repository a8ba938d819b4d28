"""Plotly figures of architectures and searches: data first, each returns a ``go.Figure``."""

from __future__ import annotations

from .dag import DagDrawing, dag_figure
from .search import (
    accuracy_figure,
    best_arc,
    best_arc_figure,
    child_figure,
    compare_figure,
    controller_figure,
    distinct_figure,
    evals_figure,
    op_frequency,
    op_frequency_figure,
    skip_density_figure,
)

__all__ = [
    "DagDrawing",
    "accuracy_figure",
    "best_arc",
    "best_arc_figure",
    "child_figure",
    "compare_figure",
    "controller_figure",
    "dag_figure",
    "distinct_figure",
    "evals_figure",
    "op_frequency",
    "op_frequency_figure",
    "skip_density_figure",
]
