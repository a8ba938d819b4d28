"""enas-viz: watch a neural architecture search think.

Arc strings of the ENAS spaces, their DAGs and fixed layouts, figures, notebook
widgets and videos of a search. The trainer (``ev.search``, ``ev.train_final``) needs
torch and imports it only when called.
"""

from __future__ import annotations

from .arcs import Arc, ArcError, infer_space, parse_arc
from .graph import to_networkx
from .jsonmodel import from_carpedm20_dag, from_json_model, to_json_model
from .layout import arc_layout, layout
from .spaces import SPACES

__version__ = "0.1.0"

# Heavier parts load on first use, so `import enas_viz` stays fast and torch-free.
_LAZY = {
    "search": "enas_viz.train",
    "train_final": "enas_viz.train",
    "Timeline": "enas_viz.widgets",
    "SearchMonitor": "enas_viz.widgets",
    "dag_figure": "enas_viz.figures",
    "write_video": "enas_viz.video",
    "draw_arc": "enas_viz.draw",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'enas_viz' has no attribute {name!r}")


__all__ = [
    "Arc",
    *_LAZY,
    "ArcError",
    "SPACES",
    "arc_layout",
    "from_carpedm20_dag",
    "from_json_model",
    "infer_space",
    "layout",
    "parse_arc",
    "to_json_model",
    "to_networkx",
]
