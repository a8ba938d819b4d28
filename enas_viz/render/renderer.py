"""The :class:`Renderer`: one off-screen matplotlib figure that draws arcs of one space and size.

Built once per space, size and frame size, it lays out every node an arc of that space
can have (``graph.node_ids`` on the fixed ``layout``) and every edge one can have (the
tables of :mod:`.scene`), draws what never changes (structural nodes and their labels,
the legend, the accuracy strip) once into a cached background, and per arc only updates
colours, outlines, labels, the visible edges and the title, then blits those few artists
onto a copy of the background. Nodes never move between frames.

Text sizes follow the frame: they shrink more slowly than the frame and never below a
readable floor, and the rows of the frame (title, legend, drawing, strip) are sized from
the text they hold, so a 640x360 frame stays legible.
"""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..arcs import Arc
from ..colors import CHANGED_COLOR, EDGE_STYLES, ink_color, op_color
from ..graph import node_ids
from ..layout import layout, size_key
from ..spaces import SPACES, op_table
from . import scene
from .geometry import arrowhead, bezier, identity, rounded_box, trim
from .sprites import TextSprites
from .strip import Strip

__all__ = ["Renderer", "render_arc"]

_OUTLINE = "#2B2B2B"
# text sizes in points at 1280x720 (100 dpi), per role
_FONTS = {"title": 14.0, "info": 13.0, "legend": 10.5, "label": 10.0, "tick": 9.0}


class Renderer:
    """Draws arcs of one space and size onto one off-screen figure (see module doc).

    ``strip=True`` reserves a band at the bottom for an accuracy-over-time strip
    (fill it with :meth:`set_series`); ``animated=False`` draws every artist normally,
    for :meth:`savefig` to PNG, SVG or PDF instead of blitted frames; ``changes=True``
    marks what changed since the ``prev`` arc of :meth:`update` (new edges, changed ops)
    and says so in the legend.
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
        changes: bool = False,
    ) -> None:
        self.space = space
        self.params = {**SPACES[space].defaults, **params} if space in SPACES else dict(params)
        self.size_key = size_key(space, self.params)
        count = self.params.get("num_funcs" if space == "rnn" else "num_branches", 0)
        self.ops = tuple(ops) if ops is not None else op_table(space, count, None, self.params.get("encoding", "enas"))
        if size is None and space == "micro" and not self.params.get("reduce", True):
            size = (1280, 520)  # one cell: half the height
        self.width, self.height = size or scene.DEFAULT_SIZES[space]
        if self.width < 64 or self.height < 48:
            raise ValueError(f"frame size {self.width}x{self.height} is too small; use at least 64x48 pixels")
        self.dpi, self.animated, self.changes = dpi, animated, changes
        self.scale = float(np.clip((self.width * self.height / (1280 * 720)) ** 0.5, 0.45, 2.0))
        self.fonts = _font_sizes(self.width, self.height)
        self.fig = Figure(figsize=(self.width / dpi, self.height / dpi), dpi=dpi, facecolor="white")
        self.canvas = FigureCanvasAgg(self.fig)
        self._background = None
        self._cache: dict = {}
        rows = self._rows(strip, legend)
        pad_x = 8 / self.width
        self.title = self.fig.text(pad_x, rows["top"], "", ha="left", va="top", fontsize=self.fonts["title"],
                                   weight="bold")  # fmt: skip
        self.info = self.fig.text(1 - pad_x, rows["top"], "", ha="right", va="top", fontsize=self.fonts["info"],
                                  family="monospace")  # fmt: skip
        self.ax = self.fig.add_axes((0.01, rows["dag"][0], 0.98, rows["dag"][1]))
        self.ax.set_axis_off()
        self.strip = None
        if strip:
            left = (2.9 * self.fonts["tick"] + 1.6 * self.fonts["label"]) * dpi / 72 / self.width + 0.01
            self.strip_ax = self.fig.add_axes((left, rows["strip"][0], 0.985 - left, rows["strip"][1]))
            self.strip = Strip(self.strip_ax, self.fonts, self.scale)
        else:
            self.strip_ax = None
        if legend:
            self._legend(rows["legend"])
        self._build_scene()
        self._dynamic = [self.edges, self.arrows, self.nodes, self.title, self.info]
        if self.strip is not None:
            self._dynamic += self.strip.artists
        for artist in [*self._dynamic, *self.labels.values()]:
            artist.set_animated(animated)
        self._sprites = TextSprites(dpi)

    @classmethod
    def for_arc(cls, arc: Arc, **kwargs) -> Renderer:
        """A renderer for arcs of the space, size and op table of ``arc``."""
        return cls(arc.space, arc.params, ops=arc.ops, **kwargs)

    # -- the fixed scene ----------------------------------------------------------------

    def _px(self, points: float) -> float:
        return points * self.dpi / 72

    def _rows(self, strip: bool, legend: bool) -> dict:
        """Figure-fraction rows from the top: title line, legend line, drawing, strip."""
        h = self.height
        top = 1 - 6 / h
        title = self._px(max(self.fonts["title"], self.fonts["info"])) * 1.35 / h
        legend_h = self._px(self.fonts["legend"]) * 1.9 / h if legend else 0.0
        rows = {"top": top, "legend": top - title}
        bottom = 0.01
        if strip:
            below = (self._px(self.fonts["tick"]) * 1.35 + self._px(self.fonts["label"]) * 1.4 + 4) / h
            above = self._px(self.fonts["tick"]) * 1.6 / h  # the strip's own legend row
            plot = max(0.13, 2.6 * self._px(self.fonts["tick"]) / h)
            rows["strip"] = (below, plot)
            bottom = below + plot + above + 0.01
        rows["dag"] = (bottom, max(top - title - legend_h - bottom, 0.05))
        return rows

    def _legend(self, top: float) -> None:
        handles = [Patch(facecolor=op_color(op), edgecolor="#333333", label=op) for op in self.ops]
        if self.changes:
            handles.append(Line2D([], [], color=CHANGED_COLOR, lw=2.6, label="changed since last frame"))
        kwargs = dict(loc="upper center", bbox_to_anchor=(0.5, top), frameon=False, fontsize=self.fonts["legend"],
                      handlelength=1.4, columnspacing=1.4, handletextpad=0.5, borderaxespad=0.0)  # fmt: skip
        legend = self.fig.legend(handles=handles, ncol=len(handles), **kwargs)
        width = legend.get_window_extent(self.canvas.get_renderer()).width
        if width > 0.98 * self.width:  # too wide for one line: two lines, and the drawing gives up the room
            legend.remove()
            self.fig.legend(handles=handles, ncol=-(-len(handles) // 2), **kwargs)
            shift = self._px(self.fonts["legend"]) * 1.35 / self.height
            x0, y0, w, h = self.ax.get_position().bounds
            self.ax.set_position((x0, y0, w, max(h - shift, 0.05)))

    def _build_scene(self) -> None:
        space, ax = self.space, self.ax
        self.pos = layout(space, **self.size_key)
        self.node_list = node_ids(space, **self.size_key)
        self.edge_list = scene.possible_edges(space, **self.size_key)
        curves = [
            bezier(self.pos[u], self.pos[v], scene.curve_apex(space, u, v, k, self.pos)) for u, v, k in self.edge_list
        ]
        xs = np.array([p[0] for p in self.pos.values()])
        ys = np.concatenate([[p[1] for p in self.pos.values()], *[c[:, 1] for c in curves]])
        below, above = scene.MARGINS[space]
        ylim = (ys.min() - below, ys.max() + above)
        ax.set_xlim(xs.min() - 0.75, xs.max() + 0.75)
        ax.set_ylim(*ylim)
        bbox = ax.get_window_extent()
        ux = bbox.width / (xs.max() - xs.min() + 1.5)  # pixels per layout unit
        uy = bbox.height / (ylim[1] - ylim[0])
        to_px, to_data = ax.transData.transform, ax.transData.inverted().transform
        pt = 72.0 / self.dpi  # points per pixel

        # node boxes (pixels): ops are boxes, structural nodes smaller boxes or circles
        op_wh = scene.op_box(space, ux, uy, self.scale)
        self.one_line = op_wh[0] > 2.0 * op_wh[1]  # wide, short boxes: "sep 3x3" on one line
        # the largest label that fits its box: two lines of about 4 characters (one line of 8 when wide)
        chars = 8 if self.one_line else 4.5
        fit = min(op_wh[1] * (0.55 if self.one_line else 0.36), op_wh[0] * 0.85 / (chars * 0.62)) * pt
        fontsize = float(np.clip(fit, min(6.0, self.fonts["tick"]), 13.0 * self.scale))
        self.roles, half = {}, {}
        paths = {"op": [], "static": []}
        offsets = {"op": [], "static": []}
        for node in self.node_list:
            kind = scene.role(space, node, last=node == self.node_list[-1])
            self.roles[node] = kind
            w, h = op_wh
            if kind == "add":
                w = h = 0.62 * op_wh[1]
            elif kind != "op":
                w = 0.9 * w
            half[node] = (w / 2 + 1.5, h / 2 + 1.5)
            r = w / 2 if kind == "add" else 0.22 * h
            group = "op" if kind == "op" else "static"
            paths[group].append(rounded_box(w * pt, h * pt, r * pt, steps=9 if kind == "add" else 5))
            offsets[group].append(self.pos[node])
        self.half = half
        self.op_nodes = [n for n in self.node_list if self.roles[n] == "op"]
        self.node_index = {n: i for i, n in enumerate(self.op_nodes)}
        collections = {}
        for group in ("static", "op"):
            coll = PathCollection(paths[group], sizes=[1.0], offsets=np.array(offsets[group]).reshape(-1, 2),
                                  offset_transform=ax.transData, edgecolors=_OUTLINE, linewidths=1.0, zorder=3)  # fmt: skip
            coll.set_transform(identity())
            ax.add_collection(coll)
            collections[group] = coll
        statics = [n for n in self.node_list if self.roles[n] != "op"]
        collections["static"].set_facecolors([op_color(self.roles[n]) for n in statics])
        self.nodes = collections["op"]
        self._base_colors = np.tile(to_rgba(op_color("identity")), (len(self.op_nodes), 1))
        self.nodes.set_facecolors(self._base_colors)
        self._outline = np.tile(to_rgba(_OUTLINE), (len(self.op_nodes), 1))
        self._changed_rgba = np.array(to_rgba(CHANGED_COLOR))
        self._outline_width = 1.0
        self._changed_width = max(2.6 * self.scale**0.5, 1.8)
        self.labels = {}
        for node in self.node_list:
            x, y = self.pos[node]
            if self.roles[node] == "op":
                self.labels[node] = ax.text(x, y, "", ha="center", va="center", fontsize=fontsize, zorder=4)
            else:
                ax.text(x, y, scene.static_label(space, node), ha="center", va="center", fontsize=fontsize * 0.92,
                        zorder=4, color="#222222")  # fmt: skip
        scene.decorate(ax, space, self.size_key, self.pos, half, self.op_nodes, uy, fontsize)

        # every possible edge, as a trimmed polyline (data units) and an arrowhead (points)
        self.edge_index = {(u, v): i for i, (u, v, _) in enumerate(self.edge_list)}
        self._segments, heads, tips, widths = [], [], [], []
        self._edge_base = np.zeros((len(self.edge_list), 4))
        for i, (u, v, kind) in enumerate(self.edge_list):
            line = to_px(curves[i])
            line = trim(trim(line, half[u], at_end=False), half[v], at_end=True)
            self._segments.append(to_data(line))
            style = EDGE_STYLES[kind]  # the notebook's colours; its pixel widths in points here
            width = style["width"] * pt * self.scale**0.5
            self._edge_base[i] = to_rgba(style["color"])
            widths.append(width)
            d = line[-1] - line[-2]
            heads.append(arrowhead(np.arctan2(d[1], d[0]), 5.0 + 2.4 * width))
            tips.append(to_data(line[-1:])[0])
        self._edge_width = np.array(widths)
        self._heads, self._tips = heads, np.array(tips)
        self.edges = LineCollection([], zorder=2, capstyle="round")
        ax.add_collection(self.edges)
        self.arrows = PathCollection([], sizes=[1.0], offsets=np.zeros((0, 2)), offset_transform=ax.transData,
                                     linewidths=0, zorder=2.5)  # fmt: skip
        self.arrows.set_transform(identity())
        ax.add_collection(self.arrows)

    def set_series(self, x, y, best=None, *, xlabel: str = "epoch", label: str = "val_acc", xlim=None) -> None:
        """The strip's static content: every sample's score, an optional best-so-far line, the x range."""
        if self.strip is None:
            raise ValueError("this renderer has no strip; build it with strip=True")
        self.strip.set_series(x, y, best, xlabel=xlabel, label=label, xlim=xlim)
        self._background = None

    # -- per arc ------------------------------------------------------------------------

    def _state(self, arc: Arc):
        """Node colours, op labels, ops and edge presence of ``arc`` (cached by its tokens)."""
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
        texts, ops = {}, [""] * len(self.op_nodes)
        for node, data in g.nodes(data=True):
            if node in self.labels:
                colors[self.node_index[node]] = to_rgba(op_color(data["op"]))
                ops[self.node_index[node]] = data["op"]
                label = scene.short_label(data["op"])
                texts[node] = label.replace("\n", " ") if self.one_line else label
        present = np.zeros(len(self.edge_list))
        for u, v in g.edges:
            i = self.edge_index.get((u, v))
            if i is not None:
                present[i] = 1.0
        if len(self._cache) > 4096:
            self._cache.clear()
        state = self._cache[key] = (colors, texts, present, np.array(ops, dtype=object))
        return state

    def update(
        self, arc: Arc, *, title: str = "", info: str = "", position=None, prev: Arc | None = None, t: float = 1.0
    ) -> None:
        """Set every per-arc artist; ``prev`` and ``0 <= t < 1`` blend from ``prev`` into ``arc``.

        With ``changes=True`` the edges ``arc`` has and ``prev`` has not, and the nodes whose
        op differs, are drawn in the change colour (fading in with ``t``).
        """
        colors, texts, present, ops = self._state(arc)
        new_edges, changed_ops = np.zeros(len(present), bool), np.zeros(len(ops), bool)
        if prev is not None:
            old_colors, old_texts, old_present, old_ops = self._state(prev)
            if self.changes:
                new_edges, changed_ops = (present > 0) & (old_present == 0), ops != old_ops
            if t < 1.0:
                colors = (1 - t) * old_colors + t * colors
                present = (1 - t) * old_present + t * present
                if t < 0.5:
                    texts = old_texts
        self.nodes.set_facecolors(colors)
        outline = self._outline.copy()
        outline[changed_ops] = (1 - t) * outline[changed_ops] + t * self._changed_rgba
        self.nodes.set_edgecolors(outline)
        self.nodes.set_linewidths(np.where(changed_ops, self._changed_width, self._outline_width))
        for node, text in self.labels.items():
            text.set_text(texts.get(node, ""))
            text.set_color(ink_color(colors[self.node_index[node], :3]))
        shown = np.flatnonzero(present > 0.02)
        shown = np.concatenate([shown[~new_edges[shown]], shown[new_edges[shown]]])  # changes on top
        rgba = self._edge_base[shown].copy()
        fresh = new_edges[shown]
        rgba[fresh] = (1 - t) * rgba[fresh] + t * self._changed_rgba
        rgba[:, 3] *= np.maximum(present[shown], fresh * t)
        self.edges.set_segments([self._segments[i] for i in shown])
        self.edges.set_color(rgba)
        self.edges.set_linewidth(self._edge_width[shown] * np.where(fresh, 1.6, 1.0))
        self.arrows.set_paths([self._heads[i] for i in shown])
        self.arrows.set_offsets(self._tips[shown] if len(shown) else np.zeros((0, 2)))
        self.arrows.set_facecolors(rgba)
        self.title.set_text(title)
        self.info.set_text(info)
        if self.strip is not None:
            self.strip.move(position)

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
                self._sprites.paste(frame, self.ax.transData.transform(self.pos[node]), text)
        return frame

    def render(self, arc: Arc, **kwargs) -> np.ndarray:
        """The frame as a new (H, W, 3) uint8 RGB array."""
        return self.render_rgba(arc, **kwargs)[..., :3].copy()

    def savefig(self, path, arc: Arc, **kwargs) -> None:
        """Draw ``arc`` and save the figure; the format follows the file extension.

        SVG keeps its text as text (``svg.fonttype: none``) and PDF embeds TrueType fonts,
        so titles and labels stay selectable and editable in a paper's figure.
        """
        from matplotlib import rc_context

        self.update(arc, **kwargs)
        with rc_context({"svg.fonttype": "none", "pdf.fonttype": 42}):
            self.fig.savefig(path, dpi=self.dpi, facecolor="white")


def _font_sizes(width: int, height: int) -> dict:
    """Points per text role: ``_FONTS`` at 1280x720, shrinking as the square root of the frame, floored."""
    scale = (width * height / (1280 * 720)) ** 0.5
    factor = float(np.clip(scale**0.5, 0.3, 1.6))
    floor = min(7.5, height / 48, width / 85)  # ~10 px at 640x360; tiny frames may go smaller
    return {role: max(size * factor, floor) for role, size in _FONTS.items()}


def render_arc(arc: Arc, size: tuple[int, int] | None = None, title: str = "", info: str = "") -> np.ndarray:
    """One arc as an (H, W, 3) uint8 RGB image (builds a renderer; reuse one for many arcs)."""
    return Renderer.for_arc(arc, size=size).render(arc, title=title, info=info)
