"""The architecture DAG as a plotly figure, on the fixed layout of its space.

:class:`DagDrawing` holds everything that depends only on the space and its size: node
order, positions (from :func:`enas_viz.layout.layout`), the fixed list of traces. Its
:meth:`DagDrawing.frame` turns one arc into the few arrays that change between arcs
(edge coordinates, arrowheads, node colours and labels), cached per arc string, so a
timeline only assigns arrays and nodes never move.

Trace order (fixed per space): one line trace per edge kind, one arrowhead trace, the
node trace, then one legend-only trace per op of the space's op table.
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np
import plotly.graph_objects as go

from ..arcs import Arc, parse_arc
from ..colors import EDGE_STYLES, ink_color, op_color
from ..graph import node_ids
from ..layout import MICRO_CELL_GAP, layout, size_key

__all__ = ["dag_figure", "DagDrawing", "EDGE_KINDS"]

# Edge kinds of enas_viz.graph per space, in trace order (their styles: colors.EDGE_STYLES).
EDGE_KINDS = {
    "macro": ("chain", "skip"),
    "micro": ("input", "op", "concat"),
    "rnn": ("input", "chain", "average", "output"),
}
_NODE_SIZE = {"macro": 30, "micro": 22, "rnn": 26}
_PX_PER_UNIT = {"macro": 52.0, "micro": 37.0, "rnn": 52.0}  # about, at the default figure size
_ARROW_SIZE = 11
_FIG_SIZE = {"macro": (1000, 400), "micro": (1200, 420), "rnn": (1000, 360)}
_BEZIER_T = np.linspace(0.0, 1.0, 17)
# Edge kinds drawn as quadratic Bezier curves: (control point height at span 0, per unit of span, cap).
_CURVED = {"skip": (0.5, 0.3, 8.0), "concat": (-0.3, -0.12, -0.9)}


def dag_figure(arc, space: str | None = None, *, title: str | None = None, ops=None, **params) -> go.Figure:
    """The architecture ``arc`` (an :class:`Arc` or its token string) drawn on its fixed layout.

    Nodes are coloured by op (legend on the right) and labelled with op names; edges
    carry arrowheads; hovering a node shows its id, op and inputs. Micro arcs show the
    normal and the reduce cell side by side.
    """
    arc = parse_arc(arc, space, ops=ops, **params) if not isinstance(arc, Arc) else arc
    drawing = DagDrawing.for_arc(arc)
    fig = go.Figure(drawing.figure_dict(arc))
    if title is not None:
        fig.update_layout(title_text=title)
    return fig


def _short(text: str, limit: int = 90) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class DagDrawing:
    """Fixed geometry and traces of one space and size; per-arc frames cached by arc string."""

    _instances: OrderedDict = OrderedDict()  # least recently used first
    MAX_DRAWINGS = 64  # spaces and sizes kept; a drawing is cheap to rebuild
    MAX_FRAMES = 4096  # arcs kept per drawing, as in Renderer's state cache

    def __init__(self, space: str, params: dict, ops: tuple[str, ...]):
        self.space, self.params, self.ops = space, dict(params), tuple(ops)
        self.nodes = node_ids(space, **params)
        self.index = {node: i for i, node in enumerate(self.nodes)}
        self.pos = self._positions()
        self.kinds = EDGE_KINDS[space]
        size = _NODE_SIZE[space]
        self.node_size = [size * (0.75 if self._is_add(n) else 1.0) for n in self.nodes]
        self.ppu = _PX_PER_UNIT[space]
        self.radius = [(s / 2 + 1) / self.ppu for s in self.node_size]  # node radius in data units
        self._frames: OrderedDict[str, dict] = OrderedDict()

    @classmethod
    def for_arc(cls, arc: Arc) -> DagDrawing:
        """The shared drawing of ``arc``'s space, size and op table."""
        size = size_key(arc.space, arc.params)
        key = (arc.space, tuple(sorted(size.items())), arc.ops)
        hit = cls._instances.get(key)
        if hit is None:
            hit = cls._instances[key] = cls(arc.space, size, arc.ops)
            while len(cls._instances) > cls.MAX_DRAWINGS:
                cls._instances.popitem(last=False)
        else:
            cls._instances.move_to_end(key)
        return hit

    @classmethod
    def draw_on(cls, fig, arc: Arc, current: DagDrawing | None = None) -> DagDrawing:
        """Show ``arc`` on the FigureWidget ``fig``, whose traces are ``current``'s; returns the drawing used.

        Another space or size than ``current`` first replaces the fixed traces and layout;
        then only the arc's frame arrays are assigned, in one ``batch_update``.
        """
        drawing = cls.for_arc(arc)
        with fig.batch_update():
            if drawing is not current:
                fig.data = ()
                fig.add_traces(drawing.empty_traces())
                fig.layout = drawing.layout_dict()
            for i, props in drawing.frame(arc).items():
                trace = fig.data[i]
                for path, value in props.items():
                    trace[path] = value
        return drawing

    # -- fixed parts ------------------------------------------------------------------

    def _is_add(self, node) -> bool:
        return self.space == "micro" and str(node).split(":")[1].isdigit() and int(str(node).split(":")[1]) >= 2

    def _positions(self) -> dict:
        pos = layout(self.space, **self.params)
        if self.space == "micro" and self.params.get("reduce", True):
            # The reduce cell moves from below the normal cell to its right: one fixed shift.
            shift = 2.0 * self.params["num_cells"] + 4.5
            pos = {
                n: ((x + shift, y + MICRO_CELL_GAP) if str(n).startswith("reduce") else (x, y))
                for n, (x, y) in pos.items()
            }
        return pos

    def _text_position(self, node) -> str:
        if self.space == "micro":
            name = str(node).split(":")[1]
            if self._is_add(node):
                return "middle center"
            if name.endswith("x") or name == "0":
                return "top center"
            return "bottom center"
        if self.space == "rnn" and isinstance(node, int):
            return "top center" if node % 2 else "bottom center"
        return "bottom center"

    def layout_dict(self) -> dict:
        xs = [p[0] for p in self.pos.values()]
        ys = [p[1] for p in self.pos.values()]
        top = max(ys) + (0.5 + 0.18 * len(self.nodes) if self.space == "macro" else 1.3)
        width, height = _FIG_SIZE[self.space]
        annotations = []
        if self.space == "micro":
            for cell in ("normal", "reduce") if self.params.get("reduce", True) else ("normal",):
                x0, y0 = self.pos[f"{cell}:0"][0], self.pos[f"{cell}:out"][1]
                x1 = self.pos[f"{cell}:out"][0]
                annotations.append(
                    dict(x=(x0 + x1) / 2, y=y0 + 2.3, text=f"<b>{cell} cell</b>", showarrow=False, font=dict(size=14))
                )
        axis = dict(visible=False, fixedrange=False)
        return dict(
            width=width,
            height=height,
            template="plotly_white",
            margin=dict(l=10, r=10, t=50, b=10),
            xaxis=dict(axis, range=[min(xs) - 0.9, max(xs) + 0.9]),
            yaxis=dict(axis, range=[min(ys) - 0.9, top], scaleanchor="x", scaleratio=1),
            legend=dict(title=dict(text="op"), itemclick=False, itemdoubleclick=False),
            hovermode="closest",
            annotations=annotations,
            showlegend=True,
        )

    def empty_traces(self) -> list[dict]:
        """The fixed list of traces, without per-arc data."""
        traces = [
            dict(
                type="scatter",
                mode="lines",
                name=kind,
                line=dict(EDGE_STYLES[kind]),
                hoverinfo="skip",
                showlegend=False,
            )
            for kind in self.kinds
        ]
        traces.append(
            dict(
                type="scatter",
                mode="markers",
                name="arrows",
                marker=dict(symbol="arrow", size=_ARROW_SIZE, line=dict(width=0), opacity=1),
                hoverinfo="skip",
                showlegend=False,
            )
        )
        x, y = zip(*(self.pos[n] for n in self.nodes), strict=True)
        traces.append(
            dict(
                type="scatter",
                mode="markers+text",
                name="nodes",
                x=list(x),
                y=list(y),
                textposition=[self._text_position(n) for n in self.nodes],
                textfont=dict(size=11, color="#222222"),
                marker=dict(size=self.node_size, opacity=1, line=dict(width=1.2, color="#333333")),
                hoverinfo="text",
                showlegend=False,
            )
        )
        traces.append(  # fixed numbers inside the nodes; only their ink colour follows the fill
            dict(
                type="scatter",
                mode="text",
                name="numbers",
                x=list(x),
                y=list(y),
                text=[self._node_number(n) for n in self.nodes],
                textfont=dict(size=10, color="#111111"),
                hoverinfo="skip",
                showlegend=False,
            )
        )
        for op in self.ops:
            traces.append(
                dict(
                    type="scatter",
                    mode="markers",
                    name=op,
                    x=[None],
                    y=[None],
                    marker=dict(size=12, color=op_color(op), line=dict(width=1, color="#333333")),
                    showlegend=True,
                    hoverinfo="skip",
                )
            )
        return traces

    @property
    def node_trace(self) -> int:
        return len(self.kinds) + 1

    @property
    def arrow_trace(self) -> int:
        return len(self.kinds)

    # -- per arc ----------------------------------------------------------------------

    def frame(self, arc: Arc) -> dict:
        """``{trace index: {property: value}}`` that draws ``arc`` on the fixed traces."""
        key = str(arc)
        hit = self._frames.get(key)
        if hit is None:
            hit = self._frames[key] = self._build_frame(arc)
            if len(self._frames) > self.MAX_FRAMES:
                self._frames.popitem(last=False)
        else:
            self._frames.move_to_end(key)
        return hit

    def _build_frame(self, arc: Arc) -> dict:
        g = arc.to_networkx()
        segments = {kind: ([], []) for kind in self.kinds}
        tips_x, tips_y, angles, tip_colors = [], [], [], []
        inputs: dict = {n: [] for n in self.nodes}
        for src, dst, data in g.edges(data=True):
            kind = data.get("kind", self.kinds[0])
            xs, ys = self._edge_points(src, dst, kind)
            sx, sy = segments.setdefault(kind, ([], []))
            sx.extend([*xs, None])
            sy.extend([*ys, None])
            # the arrow marker is centred on its point: put its tip, not its centre, on the node
            dx, dy = xs[-1] - xs[-2], ys[-1] - ys[-2]
            norm = math.hypot(dx, dy) or 1.0
            back = _ARROW_SIZE / 2 / self.ppu
            tips_x.append(round(xs[-1] - dx / norm * back, 4))
            tips_y.append(round(ys[-1] - dy / norm * back, 4))
            angles.append(round(90.0 - math.degrees(math.atan2(dy, dx)), 2))
            tip_colors.append(EDGE_STYLES.get(kind, EDGE_STYLES["chain"])["color"])
            if dst in inputs:
                inputs[dst].append(g.nodes[src].get("label", src))
        colors, text, hover = [], [], []
        for node in self.nodes:
            attrs = g.nodes[node] if node in g else {}
            op = attrs.get("op", "")
            colors.append(op_color(op) if op else "rgba(0,0,0,0)")
            text.append(self._node_text(node, attrs))
            hover.append(
                f"node {node}<br>op: {op or '-'}<br>inputs: {', '.join(map(str, inputs.get(node, []))) or '-'}"
            )
        frame = {i: {"x": segments[k][0], "y": segments[k][1]} for i, k in enumerate(self.kinds)}
        frame[self.arrow_trace] = {"x": tips_x, "y": tips_y, "marker.angle": angles, "marker.color": tip_colors}
        frame[self.node_trace] = {"marker.color": colors, "text": text, "hovertext": hover}
        frame[self.node_trace + 1] = {"textfont.color": [ink_color(c) for c in colors]}
        return frame

    def _node_text(self, node, attrs: dict) -> str:
        if self.space == "micro" and self._is_add(node):
            return ""
        if self.space == "macro" and attrs.get("role") == "layer":
            return attrs["op"].replace("_", "<br>", 1)
        if self.space == "macro" and attrs.get("role") == "output":
            return "avg pool<br>+ fc"
        if self.space == "rnn" and isinstance(node, int):
            return attrs.get("op", "")
        return attrs.get("label", str(node))

    def _node_number(self, node) -> str:
        """The fixed number printed inside a node: layer, node index or micro node id."""
        if self.space == "macro" and 0 < node < len(self.nodes) - 1:
            return str(node - 1)
        if self.space == "rnn" and isinstance(node, int):
            return str(node)
        if self._is_add(node):
            return str(node).split(":")[1]
        return ""

    def _edge_points(self, src, dst, kind: str) -> tuple[list[float], list[float]]:
        (x0, y0), (x1, y1) = self.pos[src], self.pos[dst]
        r0, r1 = self.radius[self.index[src]], self.radius[self.index[dst]]
        if kind in _CURVED:  # macro skips arc above the row, micro concats dip below it
            base, per, cap = _CURVED[kind]
            lift = base + per * abs(x1 - x0)
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2 + (min(lift, cap) if cap > 0 else max(lift, cap))
            t = _BEZIER_T
            bx = (1 - t) ** 2 * x0 + 2 * (1 - t) * t * cx + t**2 * x1
            by = (1 - t) ** 2 * y0 + 2 * (1 - t) * t * cy + t**2 * y1
            keep = (np.hypot(bx - x0, by - y0) >= r0) & (np.hypot(bx - x1, by - y1) >= r1)
            return [round(float(v), 4) for v in bx[keep]], [round(float(v), 4) for v in by[keep]]
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        return [x0 + ux * r0, x1 - ux * r1], [y0 + uy * r0, y1 - uy * r1]

    def figure_dict(self, arc: Arc) -> dict:
        """A plain figure dict of ``arc`` (the traces with this arc's frame applied)."""
        traces = self.empty_traces()
        for i, props in self.frame(arc).items():
            for path, value in props.items():
                target = traces[i]
                *parents, leaf = path.split(".")
                for p in parents:
                    target = target.setdefault(p, {})
                target[leaf] = value
        lay = self.layout_dict()
        lay["title"] = dict(text=f"{arc.space} arc: {_short(str(arc))}", font=dict(size=14))
        return dict(data=traces, layout=lay)
