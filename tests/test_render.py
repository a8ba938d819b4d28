"""Off-screen rendering: fixed scene per space, per-arc updates, blitted frames."""

from __future__ import annotations

import numpy as np
import pytest

import enas_viz as ev
from enas_viz.graph import node_ids
from enas_viz.render import Renderer, possible_edges, render_arc, short_label

MACRO = "0 3 0 0 1 0"  # 3 layers: conv3x3 | sep5x5 [0] | conv3x3 [1, 0]
MICRO = "0 2 0 0 0 4 0 1 0 4 1 1 1 0 0 1 0 2 1 1 1 0 1 0 0 3 0 2 1 1 3 1 1 0 0 4 0 3 1 1"
RNN = "0 0 0 1 1 2 1 2 0 2 0 5 1 1 0 6 1 8 1 8 1 8 1"


def random_arc(space: str, rng: np.random.Generator, size: int = 6) -> ev.Arc:
    """A random valid arc of ``space``."""
    tokens = []
    if space == "macro":
        for layer in range(size):
            tokens += [int(rng.integers(6)), *map(int, rng.integers(0, 2, layer))]
    elif space == "micro":
        for _ in range(2):
            for i in range(size):
                tokens += [
                    int(rng.integers(i + 2)),
                    int(rng.integers(5)),
                    int(rng.integers(i + 2)),
                    int(rng.integers(5)),
                ]
    else:
        tokens = [int(rng.integers(4))]
        for i in range(1, size):
            tokens += [int(rng.integers(i)), int(rng.integers(4))]
    return ev.parse_arc(tokens, space)


@pytest.mark.parametrize("space", ["macro", "micro", "rnn"])
def test_every_edge_of_random_arcs_is_a_possible_edge(space):
    rng = np.random.default_rng(1)
    for _ in range(20):
        arc = random_arc(space, rng)
        size = {k: v for k, v in arc.params.items() if k in ("num_layers", "num_cells", "reduce", "num_nodes")}
        edges = {(u, v) for u, v, _ in possible_edges(space, **size)}
        assert set(arc.to_networkx().edges) <= edges
        nodes = set(node_ids(space, **size))
        assert {n for e in edges for n in e} <= nodes


def test_macro_possible_edges_count():
    # N+1 chain edges and N(N-1)/2 skip positions
    assert len(possible_edges("macro", num_layers=12)) == 13 + 66


@pytest.mark.parametrize("space,text", [("macro", MACRO), ("micro", MICRO), ("rnn", RNN)])
def test_render_is_rgb_of_the_requested_size_and_coloured(space, text):
    arc = ev.parse_arc(text, space)
    img = render_arc(arc, size=(320, 200), title="t")
    assert img.shape == (200, 320, 3) and img.dtype == np.uint8
    assert (img < 250).any(axis=2).mean() > 0.02  # something drawn on the white page
    colours = {tuple(c) for c in img.reshape(-1, 3)[::7]}
    assert len(colours) > 20


def test_frames_follow_the_arc_and_the_background_is_reused():
    rng = np.random.default_rng(2)
    a, b = random_arc("macro", rng), random_arc("macro", rng)
    while b.tokens == a.tokens:
        b = random_arc("macro", rng)
    r = Renderer.for_arc(a, size=(400, 240))
    first = r.render(a)
    assert not np.array_equal(first, r.render(b))
    again = r.render(a)  # blitting onto the cached background reproduces the frame exactly
    assert np.array_equal(first, again)


def test_same_ops_different_skips_changes_only_the_edges():
    a = ev.parse_arc("0 3 0 0 1 0", "macro")
    b = ev.parse_arc("0 3 1 0 1 1", "macro")
    r = Renderer.for_arc(a, size=(400, 240))
    fa, fb = r.render(a), r.render(b)
    diff = (fa != fb).any(axis=2)
    assert diff.any()
    rows = np.flatnonzero(diff.any(axis=1))
    # the node row sits in the lower part of the macro drawing; new skips arc above it
    assert rows.min() < 0.6 * fa.shape[0]


def test_transition_blends_between_arcs():
    a = ev.parse_arc("0 0 0 0 0 0", "macro")
    b = ev.parse_arc("5 5 1 5 1 1", "macro")
    r = Renderer.for_arc(a, size=(400, 240))
    fa, fb = r.render(a).astype(int), r.render(b).astype(int)
    mid = r.render(b, prev=a, t=0.5).astype(int)
    changed = (fa != fb).any(axis=2)
    # halfway frames differ from both ends where the arcs differ
    assert (np.abs(mid - fa)[changed].sum()) > 0 and (np.abs(mid - fb)[changed].sum()) > 0


def test_renderer_refuses_an_arc_of_another_size():
    r = Renderer.for_arc(ev.parse_arc(MACRO, "macro"), size=(200, 120))
    with pytest.raises(ValueError, match="num_layers"):
        r.render(ev.parse_arc("0 1 0", "macro"))


def test_renderer_reuses_its_artists_and_background():
    """Frames only update the same artists over one cached background; speed is benchmarks/' job."""
    rng = np.random.default_rng(3)
    arcs = [random_arc("macro", rng, size=12) for _ in range(10)]
    r = Renderer.for_arc(arcs[0], size=(640, 360), strip=True)
    r.set_series(np.arange(10.0), np.linspace(0.2, 0.7, 10))
    r.render_rgba(arcs[0], position=(0.0, 0.2))
    background, artists = r._background, list(r.fig.get_children()) + list(r.ax.get_children())
    for i, arc in enumerate(arcs):
        r.render_rgba(arc, title=f"arc {i}", info="val_acc 0.5", position=(float(i), 0.5))
        assert r._background is background  # the static scene is drawn once
        assert list(r.fig.get_children()) + list(r.ax.get_children()) == artists  # no artist added
        assert len(r.edges.get_segments()) == len(arc.to_networkx().edges)
    assert set(r._cache) == {a.tokens for a in arcs}


def test_short_labels():
    assert short_label("sep_conv3x3") == "sep\n3x3"
    assert short_label("max_pool3x3") == "max\npool"
    assert short_label("op7") == "op7"


@pytest.mark.parametrize("space,text", [("macro", MACRO), ("micro", MICRO), ("rnn", RNN)])
def test_blitted_labels_sit_where_a_static_draw_puts_them(space, text):
    """Sprite labels of blitted frames are centred like matplotlib's own text, inside each box."""
    import io

    import imageio.v3 as iio

    arc = ev.parse_arc(text, space)
    size = (1280, 720)
    r = Renderer.for_arc(arc, size=size)
    blitted = r.render(arc, title="t").astype(int)
    buf = io.BytesIO()
    Renderer.for_arc(arc, size=size, animated=False).savefig(buf, arc, title="t")
    static = iio.imread(buf.getvalue(), extension=".png")[..., :3].astype(int)
    assert static.shape == blitted.shape
    for node in r.op_nodes:
        x, y = r.ax.transData.transform(r.pos[node])
        hw, hh = r.half[node][0] - 5, r.half[node][1] - 5  # inside the box outline
        rows = slice(int(size[1] - y - hh), int(size[1] - y + hh))
        cols = slice(int(x - hw), int(x + hw))
        centres = []
        for img in (blitted, static):
            box = img[rows, cols]
            fill = np.median(box.reshape(-1, 3), axis=0)
            ys, xs = np.nonzero(np.abs(box - fill).sum(axis=2) > 150)  # the label's glyphs
            assert len(ys) > 10, f"{node}: no label drawn in its box"
            centres.append((ys.mean(), xs.mean()))
        assert np.hypot(*np.subtract(*centres)) < 3, f"{node}: label at {centres[0]}, expected {centres[1]}"
