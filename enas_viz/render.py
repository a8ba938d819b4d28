"""Off-screen rendering of architectures to RGB arrays (matplotlib Agg, no pyplot).

A :class:`Renderer` is built once per space, size and frame size. It lays out every node
an arc of that space can have (``graph.node_ids`` on the fixed ``layout``) and every
edge one can have, draws what never changes (structural nodes and their labels, the
legend, the accuracy strip) once into a cached background, and per arc only updates
colours, labels, the visible edges and the title, then blits those few artists onto a
copy of the background. Nodes never move between frames.

Edges are a ``LineCollection`` of precomputed polylines (skips and long edges curve
around the row of nodes) and arrowheads a ``PathCollection`` of precomputed triangles,
both trimmed to the node boxes in pixel space once: no ``FancyArrowPatch`` per frame.

>>> r = Renderer.for_arc(arc, size=(1280, 720))
>>> rgb = r.render(arc, title="epoch 3", info="val_acc 0.61")   # (720, 1280, 3) uint8
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.path import Path

from .arcs import Arc
from .colors import EDGE_STYLES, ink_color, op_color
from .graph import macro_pool_layers, node_ids
from .layout import layout, size_key
from .spaces import SPACES, op_table

__all__ = ["Renderer", "render_arc", "possible_edges", "short_label", "DEFAULT_SIZES"]

# a pleasant frame size per space when the caller gives none (width, height in pixels)
DEFAULT_SIZES = {"macro": (1400, 520), "micro": (1280, 820), "rnn": (1280, 480)}
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


def _role(space: str, node) -> str:
    """``op`` for nodes coloured by the arc's op, else the structural role."""
    if space == "macro":
        return "stem" if node == 0 else "op"  # the output node is fixed up by the caller
    if space == "micro":
        name = node.split(":")[1]
        return {"0": "input", "1": "input", "out": "concat"}.get(name, "op" if name[-1] in "xy" else "add")
    return {"x[t]": "input", "h[t-1]": "input", "avg": "avg", "h[t]": "output"}.get(node, "op")


def _static_label(space: str, node) -> str:
    """The fixed text of a structural node (stem, inputs, add nodes, outputs)."""
    if space == "macro":
        return "stem" if node == 0 else "head"
    if space == "micro":
        name = node.split(":")[1]
        return {"0": "c[k-2]", "1": "c[k-1]", "out": "concat"}.get(name, name)
    return str(node)


def _rounded_box(w: float, h: float, r: float, steps: int = 5) -> Path:
    """A closed rounded rectangle centred on (0, 0), as a polygon path."""
    r = min(r, w / 2, h / 2)
    verts = []
    corners = ((w / 2 - r, h / 2 - r), (-w / 2 + r, h / 2 - r), (-w / 2 + r, -h / 2 + r), (w / 2 - r, -h / 2 + r))
    for quarter, (cx, cy) in enumerate(corners):
        a = np.radians(np.linspace(90 * quarter, 90 * quarter + 90, steps))
        verts += list(zip(cx + r * np.cos(a), cy + r * np.sin(a), strict=True))
    verts.append(verts[0])
    return Path(np.array(verts), closed=True)


def _bezier(p0, p2, apex_y: float | None, n: int = 36) -> np.ndarray:
    """A quadratic curve from p0 to p2 whose midpoint is at height ``apex_y`` (straight if None)."""
    p0, p2 = np.asarray(p0, float), np.asarray(p2, float)
    t = np.linspace(0.0, 1.0, n)[:, None]
    if apex_y is None:
        return p0 + t * (p2 - p0)
    c = np.array([(p0[0] + p2[0]) / 2, 2 * apex_y - (p0[1] + p2[1]) / 2])
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t**2 * p2


def _curve_apex(space: str, u, v, kind: str, pos: dict) -> float | None:
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


def _trim(line: np.ndarray, half: tuple, at_end: bool) -> np.ndarray:
    """Cut the part of a pixel polyline inside the box (half-width, half-height) of its end."""
    pts = line[::-1] if at_end else line
    centre = pts[0]
    a, b = half

    def inside(p):
        return abs(p[0] - centre[0]) <= a and abs(p[1] - centre[1]) <= b

    i = 1
    while i < len(pts) - 1 and inside(pts[i]):
        i += 1
    lo, hi = pts[i - 1], pts[i]  # lo inside, hi outside: bisect the crossing
    for _ in range(12):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if inside(mid) else (lo, mid)
    out = np.vstack([hi, pts[i:]])
    return out[::-1] if at_end else out


class Renderer:
    """Draws arcs of one space and size onto one off-screen figure (see module doc).

    ``strip=True`` reserves a band at the bottom for an accuracy-over-time strip
    (fill it with :meth:`set_series`); ``animated=False`` draws every artist normally,
    for :meth:`savefig` to PNG, SVG or PDF instead of blitted frames.
    """

    def __init__(
        self,
        space: str,
        params: dict,
        *,
        ops=None,
        size: tuple[int, int] | None = None,
        dpi: int = 100,
        strip: bool = False,
        legend: bool = True,
        animated: bool = True,
    ) -> None:
        self.space = space
        self.params = {**SPACES[space].defaults, **params} if space in SPACES else dict(params)
        self.size_key = size_key(space, self.params)
        count = self.params.get("num_funcs" if space == "rnn" else "num_branches", 0)
        self.ops = tuple(ops) if ops is not None else op_table(space, count, None, self.params.get("encoding", "enas"))
        if size is None and space == "micro" and not self.params.get("reduce", True):
            size = (1280, 520)  # one cell: half the height
        self.width, self.height = size or DEFAULT_SIZES[space]
        if self.width < 64 or self.height < 48:
            raise ValueError(f"frame size {self.width}x{self.height} is too small; use at least 64x48 pixels")
        self.dpi = dpi
        self.animated = animated
        self.scale = float(np.clip((self.width * self.height / (1280 * 720)) ** 0.5, 0.45, 2.0))
        self.fig = Figure(figsize=(self.width / dpi, self.height / dpi), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)
        self._background = None
        self._cache: dict = {}
        top = 0.985
        self.title = self.fig.text(0.012, top, "", ha="left", va="top", fontsize=14 * self.scale, weight="bold")
        self.info = self.fig.text(0.988, top, "", ha="right", va="top", fontsize=13 * self.scale, family="monospace")
        head = 0.075 * 720 / self.height * self.scale  # title line, in figure fraction
        legend_h = 0.06 * 720 / self.height * self.scale if legend else 0.0
        strip_h = 0.2 if strip else 0.0
        self.ax = self.fig.add_axes((0.01, strip_h + 0.02, 0.98, 1 - head - legend_h - strip_h - 0.03))
        self.ax.set_axis_off()
        self.strip_ax = self.fig.add_axes((0.06, 0.075, 0.91, strip_h - 0.095)) if strip else None
        if legend:
            handles = [Patch(facecolor=op_color(op), edgecolor="#333333", label=op) for op in self.ops]
            self.fig.legend(
                handles=handles,
                loc="upper center",
                bbox_to_anchor=(0.5, 1 - head + 0.012),
                ncol=len(handles),
                frameon=False,
                fontsize=10.5 * self.scale,
                handlelength=1.4,
                columnspacing=1.6,
            )
        self._build_scene()
        # blitted frames paste op labels as cached sprites: drawing text is most of a frame's cost
        self._dynamic = [self.edges, self.arrows, self.nodes, self.title, self.info]
        if self.strip_ax is not None:
            self._build_strip()
        for artist in [*self._dynamic, *self.labels.values()]:
            artist.set_animated(animated)
        self._sprites: dict = {}

    @classmethod
    def for_arc(cls, arc: Arc, **kwargs) -> Renderer:
        """A renderer for arcs of the space, size and op table of ``arc``."""
        return cls(arc.space, arc.params, ops=arc.ops, **kwargs)

    # -- the fixed scene ----------------------------------------------------------------

    def _build_scene(self) -> None:
        space, ax = self.space, self.ax
        self.pos = layout(space, **self.size_key)
        self.node_list = node_ids(space, **self.size_key)
        self.edge_list = possible_edges(space, **self.size_key)
        curves = [
            _bezier(self.pos[u], self.pos[v], _curve_apex(space, u, v, k, self.pos)) for u, v, k in self.edge_list
        ]
        xs = np.array([p[0] for p in self.pos.values()])
        ys = np.concatenate([[p[1] for p in self.pos.values()], *[c[:, 1] for c in curves]])
        below, above = {"macro": (0.55, 0.2), "micro": (0.3, 0.75), "rnn": (0.35, 0.2)}[space]
        ylim = (ys.min() - below, ys.max() + above)
        ax.set_xlim(xs.min() - 0.75, xs.max() + 0.75)
        ax.set_ylim(*ylim)
        bbox = ax.get_window_extent()
        ux = bbox.width / (xs.max() - xs.min() + 1.5)  # pixels per layout unit
        uy = bbox.height / (ylim[1] - ylim[0])
        to_px, to_data = ax.transData.transform, ax.transData.inverted().transform
        pt = 72.0 / self.dpi  # points per pixel

        # node boxes (pixels): ops are boxes, structural nodes smaller boxes or circles
        if space == "macro":
            op_wh = (min(0.82 * ux, 120 * self.scale), min(0.62 * ux, 0.5 * uy, 70 * self.scale))
        elif space == "micro":
            op_wh = (min(1.0 * ux, 120 * self.scale), min(0.5 * ux, 0.62 * uy, 56 * self.scale))
        else:
            op_wh = (min(0.84 * ux, 100 * self.scale), min(0.5 * ux, 0.62 * uy, 56 * self.scale))
        self.one_line = op_wh[0] > 2.0 * op_wh[1]  # wide, short boxes: "sep 3x3" on one line
        fontsize = op_wh[1] * (0.4 if self.one_line else 0.3) * pt
        fontsize = float(np.clip(min(fontsize, op_wh[0] * 0.2 * pt), 6.0, 13.0 * self.scale))
        self.roles, half = {}, {}
        paths = {"op": [], "static": []}
        offsets = {"op": [], "static": []}
        for node in self.node_list:
            role = _role(space, node)
            if space == "macro" and node == len(self.node_list) - 1:
                role = "output"
            self.roles[node] = role
            w, h = op_wh
            if role == "add":
                w = h = 0.62 * op_wh[1]
            elif role != "op":
                w = 0.9 * w
            half[node] = (w / 2 + 1.5, h / 2 + 1.5)
            r = w / 2 if role == "add" else 0.22 * h
            group = "op" if role == "op" else "static"
            paths[group].append(_rounded_box(w * pt, h * pt, r * pt, steps=9 if role == "add" else 5))
            offsets[group].append(self.pos[node])
        self.half = half
        self.op_nodes = [n for n in self.node_list if self.roles[n] == "op"]
        self.node_index = {n: i for i, n in enumerate(self.op_nodes)}
        collections = {}
        for group in ("static", "op"):
            coll = PathCollection(
                paths[group],
                sizes=[1.0],
                offsets=np.array(offsets[group]).reshape(-1, 2),
                offset_transform=ax.transData,
                edgecolors="#2B2B2B",
                linewidths=1.0,
                zorder=3,
            )
            coll.set_transform(_identity())
            ax.add_collection(coll)
            collections[group] = coll
        statics = [n for n in self.node_list if self.roles[n] != "op"]
        collections["static"].set_facecolors([op_color(self.roles[n]) for n in statics])
        self.nodes = collections["op"]
        self._base_colors = np.tile(to_rgba(op_color("identity")), (len(self.op_nodes), 1))
        self.nodes.set_facecolors(self._base_colors)
        self.labels = {}
        for node in self.node_list:
            x, y = self.pos[node]
            if self.roles[node] == "op":
                self.labels[node] = ax.text(x, y, "", ha="center", va="center", fontsize=fontsize, zorder=4)
            else:
                text = _static_label(space, node)
                ax.text(x, y, text, ha="center", va="center", fontsize=fontsize * 0.92, zorder=4, color="#222222")
        self._decorate(fontsize, half, uy)

        # every possible edge, as a trimmed polyline (data units) and an arrowhead (points)
        self.edge_index = {(u, v): i for i, (u, v, _) in enumerate(self.edge_list)}
        self._segments, heads, tips, self._edge_width = [], [], [], []
        self._edge_base = np.zeros((len(self.edge_list), 4))
        for i, (u, v, kind) in enumerate(self.edge_list):
            line = to_px(curves[i])
            line = _trim(_trim(line, half[u], at_end=False), half[v], at_end=True)
            self._segments.append(to_data(line))
            style = EDGE_STYLES[kind]  # the notebook's colours; its pixel widths in points here
            width = style["width"] * pt * self.scale**0.5
            self._edge_base[i] = to_rgba(style["color"])
            self._edge_width.append(width)
            d = line[-1] - line[-2]
            heads.append(_arrowhead(np.arctan2(d[1], d[0]), 5.0 + 2.4 * width))
            tips.append(to_data(line[-1:])[0])
        self._edge_width = np.array(self._edge_width)
        self._heads, self._tips = heads, np.array(tips)
        self.edges = LineCollection([], zorder=2, capstyle="round")
        ax.add_collection(self.edges)
        self.arrows = PathCollection(
            [], sizes=[1.0], offsets=np.zeros((0, 2)), offset_transform=ax.transData, linewidths=0, zorder=2.5
        )
        self.arrows.set_transform(_identity())
        ax.add_collection(self.arrows)

    def _role_color(self, node) -> str:
        role = self.roles[node]
        return {"op": "identity", "stem": "stem", "output": "output"}.get(role, role)

    def _decorate(self, fontsize: float, half: dict, uy: float) -> None:
        """Static notes: layer numbers and reductions (macro), cell names (micro), node ids (rnn)."""
        ax, grey = self.ax, "#6B6B6B"
        bottom = ax.get_ylim()[0]
        if self.space == "macro":
            for node in self.node_list[1:-1]:
                x, y = self.pos[node]
                ax.text(
                    x,
                    y - half[node][1] / uy - 0.04,
                    f"L{node - 1}",
                    ha="center",
                    va="top",
                    fontsize=fontsize * 0.85,
                    color=grey,
                )
            for layer in macro_pool_layers(self.size_key["num_layers"]):
                x = layer + 1.5
                ax.plot([x, x], [bottom + 0.2, 0.3], ls=(0, (3, 3)), lw=1.0, color="#A0A0A0", zorder=1)
                ax.text(x, bottom + 0.02, "½ res", ha="center", va="bottom", fontsize=fontsize * 0.8, color=grey)
        elif self.space == "micro":
            cells = ("normal", "reduce") if self.size_key.get("reduce", True) else ("normal",)
            for cell in cells:
                x, _ = self.pos[f"{cell}:0"]
                y_top = self.pos[f"{cell}:2x"][1] + half[f"{cell}:2x"][1] / uy
                ax.text(
                    x - 0.6,
                    y_top + 0.12,
                    f"{cell} cell",
                    ha="left",
                    va="bottom",
                    fontsize=fontsize * 1.3,
                    weight="bold",
                    color="#333333",
                )
        else:
            for node in self.op_nodes:
                x, y = self.pos[node]
                ax.text(
                    x,
                    y - half[node][1] / uy - 0.03,
                    f"n{node}",
                    ha="center",
                    va="top",
                    fontsize=fontsize * 0.85,
                    color=grey,
                )

    def _build_strip(self) -> None:
        ax = self.strip_ax
        ax.tick_params(labelsize=9 * self.scale, length=2)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_ylabel("val_acc", fontsize=10 * self.scale)
        self._cursor = Line2D([], [], color="#D62728", lw=1.4, zorder=5)
        self._cursor_dot = Line2D([], [], marker="o", ms=7 * self.scale, color="#D62728", zorder=6, ls="none")
        ax.add_line(self._cursor)
        ax.add_line(self._cursor_dot)
        self._dynamic += [self._cursor, self._cursor_dot]

    def set_series(self, x, y, best=None, *, xlabel: str = "epoch", label: str = "val_acc") -> None:
        """The strip's static content: every sample's accuracy and an optional best-so-far line."""
        if self.strip_ax is None:
            raise ValueError("this renderer has no strip; build it with strip=True")
        ax = self.strip_ax
        x, y = np.asarray(x, float), np.asarray(y, float)
        ok = np.isfinite(x) & np.isfinite(y)
        ax.scatter(x[ok], y[ok], s=3 * self.scale, color="#7F8FA6", alpha=0.45, linewidths=0, zorder=2, rasterized=True)
        if not ok.any():
            ax.text(
                0.5, 0.5, f"no {label} in this log", transform=ax.transAxes, ha="center", va="center", color="#888888"
            )
            ax.set_yticks([])
        elif best is not None:
            ax.plot(x, best, color="#2C7BB6", lw=1.6, zorder=3, label="best so far")
            ax.legend(loc="lower right", fontsize=8.5 * self.scale, frameon=False)
        finite = np.isfinite(x)
        if finite.any():
            lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
            pad = max((hi - lo) * 0.01, 0.5)
            ax.set_xlim(lo - pad, hi + pad)
        if ok.any():
            lo, hi = float(y[ok].min()), float(y[ok].max())
            pad = max((hi - lo) * 0.08, 0.01)
            ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlabel(xlabel, fontsize=9.5 * self.scale, labelpad=1)
        ax.set_ylabel(label, fontsize=10 * self.scale)
        self._background = None

    # -- per arc ------------------------------------------------------------------------

    def _state(self, arc: Arc):
        """Node colours, op labels and edge presence of ``arc`` (cached by its tokens)."""
        key = arc.tokens
        state = self._cache.get(key)
        if state is not None:
            return state
        if arc.space != self.space or size_key(arc.space, arc.params) != self.size_key:
            raise ValueError(
                f"this renderer draws {self.space} arcs with {self.size_key}; got {arc.space} with {size_key(arc.space, arc.params)}"
            )
        g = arc.to_networkx()
        colors = self._base_colors.copy()
        texts = {}
        for node, data in g.nodes(data=True):
            if node in self.labels:
                colors[self.node_index[node]] = to_rgba(op_color(data["op"]))
                label = short_label(data["op"])
                texts[node] = label.replace("\n", " ") if self.one_line else label
        present = np.zeros(len(self.edge_list))
        for u, v in g.edges:
            i = self.edge_index.get((u, v))
            if i is not None:
                present[i] = 1.0
        if len(self._cache) > 4096:
            self._cache.clear()
        state = self._cache[key] = (colors, texts, present)
        return state

    def update(
        self, arc: Arc, *, title: str = "", info: str = "", position=None, prev: Arc | None = None, t: float = 1.0
    ) -> None:
        """Set every per-arc artist; ``prev`` and ``0 <= t < 1`` blend from ``prev`` into ``arc``."""
        colors, texts, present = self._state(arc)
        if prev is not None and t < 1.0:
            old_colors, old_texts, old_present = self._state(prev)
            colors = (1 - t) * old_colors + t * colors
            present = (1 - t) * old_present + t * present
            if t < 0.5:
                texts = old_texts
        self.nodes.set_facecolors(colors)
        for node, text in self.labels.items():
            rgb = colors[self.node_index[node], :3]
            text.set_text(texts.get(node, ""))
            text.set_color(ink_color(rgb))
        shown = np.flatnonzero(present > 0.02)
        rgba = self._edge_base[shown].copy()
        rgba[:, 3] *= present[shown]
        self.edges.set_segments([self._segments[i] for i in shown])
        self.edges.set_color(rgba)
        self.edges.set_linewidth(self._edge_width[shown])
        self.arrows.set_paths([self._heads[i] for i in shown])
        self.arrows.set_offsets(self._tips[shown] if len(shown) else np.zeros((0, 2)))
        self.arrows.set_facecolors(rgba)
        self.title.set_text(title)
        self.info.set_text(info)
        if self.strip_ax is not None:
            if position is None or not np.isfinite(position[0]):
                self._cursor.set_data([], [])
                self._cursor_dot.set_data([], [])
            else:
                x, y = position
                self._cursor.set_data([x, x], [0, 1])
                self._cursor.set_transform(self.strip_ax.get_xaxis_transform())
                self._cursor_dot.set_data([x], [y] if np.isfinite(y) else [np.nan])

    def render_rgba(self, arc: Arc, **kwargs) -> np.ndarray:
        """The frame as an (H, W, 4) uint8 view of the canvas; valid until the next call."""
        if not self.animated:
            raise ValueError("render_rgba needs animated=True; use savefig for a static drawing")
        self.update(arc, **kwargs)
        if self._background is None:
            self.canvas.draw()  # animated artists are skipped: this is the static background
            self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.canvas.restore_region(self._background)
        for artist in self._dynamic:
            self.fig.draw_artist(artist)
        frame = np.asarray(self.canvas.buffer_rgba())
        for node, text in self.labels.items():
            if text.get_text():
                self._paste(frame, node, text)
        return frame

    def _paste(self, frame: np.ndarray, node, text) -> None:
        """Alpha-blend the cached image of ``text`` centred on ``node``'s box."""
        key = (text.get_text(), text.get_color())
        sprite = self._sprites.get(key)
        if sprite is None:
            sprite = self._sprites[key] = _text_sprite(text, self.dpi)
        image, alpha, (dy, dx) = sprite  # offsets of the top-left corner: rows, columns
        x, y = self.ax.transData.transform(self.pos[node])
        top, left = int(round(frame.shape[0] - y)) + dy, int(round(x)) + dx
        h, w = alpha.shape[:2]
        if top < 0 or left < 0 or top + h > frame.shape[0] or left + w > frame.shape[1]:
            return  # a label past the frame edge (only at tiny frame sizes)
        region = frame[top : top + h, left : left + w, :3]
        region[:] = (image * alpha + region * (1.0 - alpha)).astype(np.uint8)

    def render(self, arc: Arc, **kwargs) -> np.ndarray:
        """The frame as a new (H, W, 3) uint8 RGB array."""
        return self.render_rgba(arc, **kwargs)[..., :3].copy()

    def savefig(self, path, arc: Arc, **kwargs) -> None:
        """Draw ``arc`` and save the figure; the format follows the file extension."""
        self.update(arc, **kwargs)
        self.fig.savefig(path, dpi=self.dpi, facecolor="white")


def _text_sprite(text, dpi: int) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """``text`` drawn once on a transparent canvas: RGB, alpha (0..1) and offset of its centre."""
    size = 4 * max(text.get_fontsize(), 8) * (text.get_text().count("\n") + 1)
    fig = Figure(figsize=(4 * size / 72, size / 72), dpi=dpi)
    fig.patch.set_alpha(0.0)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text.get_text(), ha="center", va="center", fontsize=text.get_fontsize(), color=text.get_color())
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    rows, cols = np.nonzero(rgba[..., 3])
    if not len(rows):
        return np.zeros((0, 0, 3)), np.zeros((0, 0, 1)), (0, 0)
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    crop = rgba[r0:r1, c0:c1].astype(np.float32)
    centre_row, centre_col = rgba.shape[0] / 2, rgba.shape[1] / 2
    return crop[..., :3], crop[..., 3:] / 255.0, (int(round(r0 - centre_row)), int(round(c0 - centre_col)))


def _identity():
    from matplotlib.transforms import IdentityTransform

    return IdentityTransform()


def _arrowhead(angle: float, length: float) -> Path:
    """A filled triangle in points with its tip at (0, 0), pointing at ``angle`` (radians)."""
    tri = np.array([[0.0, 0.0], [-length, 0.42 * length], [-0.75 * length, 0.0], [-length, -0.42 * length], [0, 0]])
    c, s = np.cos(angle), np.sin(angle)
    return Path(tri @ np.array([[c, s], [-s, c]]), closed=True)


def render_arc(arc: Arc, size: tuple[int, int] | None = None, title: str = "", info: str = "") -> np.ndarray:
    """One arc as an (H, W, 3) uint8 RGB image (builds a renderer; reuse one for many arcs)."""
    return Renderer.for_arc(arc, size=size).render(arc, title=title, info=info)
