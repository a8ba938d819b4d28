"""Fixed node positions per space and size, so that nodes never jump between arcs.

A layout depends only on the space and its size parameters, never on the arc: every
node an arc of that space can have gets one place, and a timeline or a video moves
only edges and colours. Positions are plain ``{node_id: (x, y)}`` data in abstract
units (about one unit between neighbours); drawings scale them.

macro: the stem, the layers and the output head in one row, left to right; skips are
    drawn as arcs above the row by the figures.
micro: per cell, inputs c[k-2] and c[k-1] on the left, then one column per node with
    its two op nodes stacked above and below its add node, the concat on the right;
    the reduce cell sits below the normal cell.
rnn: x[t] and h[t-1] on the left, the nodes in a zigzag row, avg and h[t] on the right.
"""

from __future__ import annotations

from functools import lru_cache

from .graph import node_ids

__all__ = ["layout", "arc_layout", "size_key", "MICRO_CELL_GAP"]

MICRO_CELL_GAP = 4.0  # vertical distance between the normal and the reduce cell
# the parameters that fix a space's layout; everything else (op counts, encoding) does not move nodes
_SIZE_KEYS = {"macro": ("num_layers",), "micro": ("num_cells", "reduce"), "rnn": ("num_nodes",)}


def arc_layout(arc) -> dict:
    """The fixed layout of ``arc``'s space and size."""
    return layout(arc.space, **size_key(arc.space, arc.params))


def size_key(space: str, params: dict) -> dict:
    """The parameters of ``params`` that fix the layout of ``space`` (e.g. ``{"num_layers": 12}``)."""
    if space not in _SIZE_KEYS:
        raise ValueError(f"unknown space {space!r}; expected one of {sorted(_SIZE_KEYS)}")
    return {k: params[k] for k in _SIZE_KEYS[space] if k in params}


def layout(space: str, **params) -> dict:
    """``{node_id: (x, y)}`` for every node of ``space`` at this size (see module doc)."""
    key = tuple(sorted(size_key(space, params).items()))
    return dict(_layout(space, key))


@lru_cache(maxsize=64)
def _layout(space: str, key: tuple) -> tuple:
    params = dict(key)
    if space == "macro":
        pos = {node: (float(node), 0.0) for node in node_ids("macro", **params)}
    elif space == "micro":
        pos = _micro(params["num_cells"], params.get("reduce", True))
    elif space == "rnn":
        pos = _rnn(params["num_nodes"])
    else:
        raise ValueError(f"unknown space {space!r}")
    return tuple(pos.items())


def _micro(num_cells: int, reduce: bool) -> dict:
    pos = {}
    for row, cell in enumerate(("normal", "reduce") if reduce else ("normal",)):
        y0 = -row * MICRO_CELL_GAP
        pos[f"{cell}:0"] = (0.0, y0 + 0.75)
        pos[f"{cell}:1"] = (0.0, y0 - 0.75)
        for c in range(2, num_cells + 2):
            x = 2.0 * (c - 1)
            pos[f"{cell}:{c}x"] = (x - 0.7, y0 + 1.1)
            pos[f"{cell}:{c}y"] = (x - 0.7, y0 - 1.1)
            pos[f"{cell}:{c}"] = (x, y0)
        pos[f"{cell}:out"] = (2.0 * num_cells + 1.5, y0)
    return pos


def _rnn(num_nodes: int) -> dict:
    pos = {"x[t]": (0.0, 0.6), "h[t-1]": (0.0, -0.6)}
    for i in range(num_nodes):
        pos[i] = (1.5 + i, 0.5 if i % 2 else -0.5)
    pos["avg"] = (num_nodes + 2.0, 0.0)
    pos["h[t]"] = (num_nodes + 3.0, 0.0)
    return pos
