"""What a drawing of each space holds: its possible edges, node roles, fixed labels, curves and notes.

These are the space-specific tables of the renderer (one entry per space); the
:class:`~enas_viz.render.Renderer` itself draws any space from them.
"""

from __future__ import annotations

from ..graph import macro_pool_layers
from ..spaces import SPACES

__all__ = ["DEFAULT_SIZES", "short_label", "possible_edges", "role", "static_label", "curve_apex", "decorate"]

# a pleasant frame size per space when the caller gives none (width, height in pixels)
DEFAULT_SIZES = {"macro": (1400, 520), "micro": (1280, 820), "rnn": (1280, 480)}
# room below and above the nodes and curves (layout units), per space
MARGINS = {"macro": (0.55, 0.2), "micro": (0.3, 0.75), "rnn": (0.35, 0.2)}
_SHORT = {
    "conv3x3": "conv\n3x3",
    "conv5x5": "conv\n5x5",
    "sep_conv3x3": "sep\n3x3",
    "sep_conv5x5": "sep\n5x5",
    "avg_pool3x3": "avg\npool",
    "max_pool3x3": "max\npool",
    "identity": "id",
    "relu": "ReLU",
}


def short_label(op: str) -> str:
    """The text printed inside a node box: a two-line short form of an op name."""
    if op in _SHORT:
        return _SHORT[op]
    if op.startswith("branches"):
        return "branch\nmix"
    return "\n".join(part[:8] for part in op.split("_")[:2])


def possible_edges(space: str, **params) -> list[tuple]:
    """``(u, v, kind)`` for every edge an arc of ``space`` at this size can have."""
    if space == "macro":
        n = params["num_layers"]
        edges = [(k - 1, k, "chain") for k in range(1, n + 2)]
        edges += [(k, layer + 1, "skip") for layer in range(n) for k in range(layer)]
        return edges
    if space == "micro":
        edges = []
        cells = ("normal", "reduce") if params.get("reduce", True) else ("normal",)
        for cell in cells:
            c_max = params["num_cells"] + 2
            for c in range(2, c_max):
                for side in "xy":
                    edges += [(f"{cell}:{src}", f"{cell}:{c}{side}", "input") for src in range(c)]
                    edges.append((f"{cell}:{c}{side}", f"{cell}:{c}", "op"))
            edges += [(f"{cell}:{node}", f"{cell}:out", "concat") for node in range(c_max)]
        return edges
    if space == "rnn":
        n = params["num_nodes"]
        edges = [("x[t]", 0, "input"), ("h[t-1]", 0, "input")]
        edges += [(j, i, "chain") for i in range(1, n) for j in range(i)]
        edges += [(i, "avg", "average") for i in range(n)]
        return [*edges, ("avg", "h[t]", "output")]
    raise ValueError(f"unknown space {space!r}; expected one of {sorted(SPACES)}")


def role(space: str, node, last: bool = False) -> str:
    """``op`` for nodes coloured by the arc's op, else the structural role (``last``: the final node)."""
    if space == "macro":
        return "stem" if node == 0 else "output" if last else "op"
    if space == "micro":
        name = node.split(":")[1]
        return {"0": "input", "1": "input", "out": "concat"}.get(name, "op" if name[-1] in "xy" else "add")
    return {"x[t]": "input", "h[t-1]": "input", "avg": "avg", "h[t]": "output"}.get(node, "op")


def static_label(space: str, node) -> str:
    """The fixed text of a structural node (stem, inputs, add nodes, outputs)."""
    if space == "macro":
        return "stem" if node == 0 else "head"
    if space == "micro":
        name = node.split(":")[1]
        return {"0": "c[k-2]", "1": "c[k-1]", "out": "concat"}.get(name, name)
    return str(node)


def op_box(space: str, ux: float, uy: float, scale: float) -> tuple[float, float]:
    """Width and height in pixels of an op box, from the pixels per layout unit (``ux``, ``uy``)."""
    if space == "macro":
        return min(0.82 * ux, 120 * scale), min(0.62 * ux, 0.5 * uy, 70 * scale)
    if space == "micro":
        return min(1.0 * ux, 120 * scale), min(0.5 * ux, 0.62 * uy, 56 * scale)
    return min(0.84 * ux, 100 * scale), min(0.5 * ux, 0.62 * uy, 56 * scale)


def curve_apex(space: str, u, v, kind: str, pos: dict) -> float | None:
    """Where an edge bends to (data units), or None for a straight edge."""
    (x0, y0), (x1, y1) = pos[u], pos[v]
    dist = abs(x1 - x0)
    if space == "macro":
        return 0.3 + 0.13 * dist if kind == "skip" else None
    if space == "micro":
        if kind == "concat":
            base = pos[v][1]
            if str(u).endswith(":0"):
                return base + 1.75
            if str(u).endswith(":1"):
                return base - 1.75
            return base + 0.35 + 0.03 * dist
        if kind == "input" and dist > 2.0:
            return (y0 + y1) / 2 + (0.22 if y1 > y0 else -0.22) * min(dist / 2.0, 2.5)
        return None
    if kind == "chain" and v - u > 1:
        return 0.85 + 0.11 * dist
    if kind == "average" and dist > 2.5:  # loose ends other than the last node pass below
        return -0.85 - 0.07 * dist
    return None


def decorate(ax, space: str, size_key: dict, pos: dict, half: dict, op_nodes: list, uy: float, fontsize: float):
    """Static notes: layer numbers and reductions (macro), cell names (micro), node ids (rnn)."""
    grey = "#6B6B6B"
    bottom = ax.get_ylim()[0]
    if space == "macro":
        for node in op_nodes:
            x, y = pos[node]
            ax.text(x, y - half[node][1] / uy - 0.04, f"L{node - 1}", ha="center", va="top",
                    fontsize=fontsize * 0.85, color=grey)  # fmt: skip
        for layer in macro_pool_layers(size_key["num_layers"]):
            x = layer + 1.5
            ax.plot([x, x], [bottom + 0.2, 0.3], ls=(0, (3, 3)), lw=1.0, color="#A0A0A0", zorder=1)
            ax.text(x, bottom + 0.02, "½ res", ha="center", va="bottom", fontsize=fontsize * 0.8, color=grey)
    elif space == "micro":
        cells = ("normal", "reduce") if size_key.get("reduce", True) else ("normal",)
        for cell in cells:
            x, _ = pos[f"{cell}:0"]
            y_top = pos[f"{cell}:2x"][1] + half[f"{cell}:2x"][1] / uy
            ax.text(x - 0.6, y_top + 0.12, f"{cell} cell", ha="left", va="bottom", fontsize=fontsize * 1.3,
                    weight="bold", color="#333333")  # fmt: skip
    else:
        for node in op_nodes:
            x, y = pos[node]
            ax.text(x, y - half[node][1] / uy - 0.03, f"n{node}", ha="center", va="top",
                    fontsize=fontsize * 0.85, color=grey)  # fmt: skip
