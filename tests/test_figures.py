"""Figures: the DAG on its fixed layout, search analysis and run comparison (assertions on fig.data)."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

import enas_viz as ev
from enas_viz.colors import op_color
from enas_viz.figures import (
    DagDrawing,
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
from enas_viz.spaces import SPACES
from extract.searchlog import SearchLog


def random_arc(space: str, rng: random.Random, size: int) -> str:
    """A valid random arc string of ``space`` with ``size`` layers / nodes per cell / nodes."""
    tokens: list[int] = []
    if space == "macro":
        for layer in range(size):
            tokens += [rng.randrange(6)] + [int(rng.random() < 0.3) for _ in range(layer)]
    elif space == "micro":
        for _cell in range(2):
            for node in range(size):
                tokens += [rng.randint(0, node + 1), rng.randrange(5), rng.randint(0, node + 1), rng.randrange(5)]
    else:
        tokens.append(rng.randrange(4))
        for node in range(1, size):
            tokens += [rng.randrange(node), rng.randrange(4)]
    return " ".join(map(str, tokens))


def make_log(space: str = "macro", epochs: int = 6, per_epoch: int = 10, size: int = 6, seed: int = 0, name=None):
    """A SearchLog of random valid arcs, as a reader would return it (val_acc rising with epochs)."""
    rng = random.Random(seed)
    arcs = [random_arc(space, rng, size) for _ in range(epochs * per_epoch)]
    epoch = np.repeat(np.arange(1, epochs + 1), per_epoch)
    val_acc = np.clip(0.1 + 0.1 * epoch + np.array([rng.uniform(-0.05, 0.05) for _ in arcs]), 0, 1)
    archs = pd.DataFrame(
        {
            "run": 0,
            "epoch": epoch,
            "sample": np.tile(np.arange(per_epoch), epochs),
            "space": space,
            "arc": arcs,
            "val_acc": val_acc,
            "reward": val_acc,
            "line": np.arange(len(arcs)) + 1,
        }
    )
    steps = np.arange(epochs * 3)
    controller = pd.DataFrame(
        {"run": 0, "epoch": steps // 3 + 1, "ctrl_step": steps, "entropy": 5.0 - 0.1 * steps, "baseline": 0.01 * steps}
    )
    child = pd.DataFrame(
        {"run": 0, "epoch": steps // 3 + 1, "step": steps, "loss": 2.0 - 0.05 * steps, "train_acc": 0.02 * steps}
    )
    evals = pd.DataFrame(
        {
            "run": 0,
            "epoch": np.repeat(np.arange(1, epochs + 1), 2),
            "split": ["valid", "test"] * epochs,
            "accuracy": np.repeat(0.1 * np.arange(1, epochs + 1), 2),
        }
    )
    size_key = {"macro": "num_layers", "micro": "num_cells", "rnn": "num_nodes"}[space]
    meta = {
        "format": "test",
        "space": space,
        "space_params": {size_key: size},
        "ops": list(SPACES[space].ops),
        "source": name or f"{space}_seed{seed}.log",
    }
    return SearchLog(meta=meta, archs=archs, child=child, controller=controller, evals=evals)


def _none_separated(values) -> int:
    """Number of segments in a None-separated coordinate list."""
    return sum(v is None for v in values)


def _node_trace(fig):
    return next(t for t in fig.data if t.name == "nodes")


def _edges(fig, kind):
    return _none_separated(next(t for t in fig.data if t.name == kind).x)


def test_macro_dag_nodes_edges_colours_and_legend():
    # 4 layers: ops 1, 4, 2, 5; skip bits [1], [0 1], [1 1 0] -> 4 skips
    arc = ev.parse_arc("1 4 1 2 0 1 5 1 1 0", space="macro")
    fig = ev.dag_figure(arc)
    assert {t.type for t in fig.data} == {"scatter"}
    nodes = _node_trace(fig)
    assert len(nodes.x) == 4 + 2  # stem, 4 layers, output head
    graph = arc.to_networkx()
    kinds = [d["kind"] for _, _, d in graph.edges(data=True)]
    assert _edges(fig, "chain") == kinds.count("chain") == 5
    assert _edges(fig, "skip") == kinds.count("skip") == sum(b for _, skips in arc.layers for b in skips)
    arrows = next(t for t in fig.data if t.name == "arrows")
    assert len(arrows.x) == graph.number_of_edges()
    ops = [arc.ops[op] for op, _ in arc.layers]
    assert list(nodes.marker.color[1:-1]) == [op_color(op) for op in ops]
    assert _edges(fig, "skip") == 4
    assert nodes.text[2] == "avg<br>pool3x3" and nodes.text[4] == "max<br>pool3x3"
    legend = [t for t in fig.data if t.showlegend]
    assert [t.name for t in legend] == list(SPACES["macro"].ops)
    assert [t.marker.color for t in legend] == [op_color(op) for op in SPACES["macro"].ops]
    assert "op: avg_pool3x3" in nodes.hovertext[2]
    assert "stem conv3x3" in nodes.hovertext[2] and "0: sep_conv3x3" in nodes.hovertext[2]
    assert fig.layout.yaxis.scaleanchor == "x"


def test_positions_are_fixed_across_arcs():
    rng = random.Random(3)
    figs = [ev.dag_figure(random_arc("macro", rng, 8), space="macro") for _ in range(3)]
    xs = {tuple(_node_trace(f).x) for f in figs}
    ys = {tuple(_node_trace(f).y) for f in figs}
    assert len(xs) == 1 and len(ys) == 1
    assert len({tuple(_node_trace(f).marker.color) for f in figs}) > 1  # but the arcs differ


def test_micro_cells_side_by_side():
    text = " ".join(["0 1 1 2"] + ["0 0 1 4"] * 4 + ["1 3 0 4"] * 5)
    arc = ev.parse_arc(text, space="micro")
    fig = ev.dag_figure(arc)
    drawing = DagDrawing.for_arc(arc)
    nodes = _node_trace(fig)
    assert len(nodes.x) == 2 * (2 + 3 * 5 + 1)
    normal_x = [x for n, x in zip(drawing.nodes, nodes.x, strict=True) if n.startswith("normal")]
    reduce_x = [x for n, x in zip(drawing.nodes, nodes.x, strict=True) if n.startswith("reduce")]
    assert min(reduce_x) > max(normal_x)
    normal_y = {y for n, y in zip(drawing.nodes, nodes.y, strict=True) if n.endswith(":out")}
    assert len(normal_y) == 1  # both cells on one row
    assert [a.text for a in fig.layout.annotations] == ["<b>normal cell</b>", "<b>reduce cell</b>"]
    graph = arc.to_networkx()
    assert _edges(fig, "input") + _edges(fig, "op") + _edges(fig, "concat") == graph.number_of_edges()
    i = drawing.index["reduce:2x"]
    assert nodes.text[i] == "max_pool3x3" and nodes.marker.color[i] == op_color("max_pool3x3")


def test_rnn_cell_inputs_avg_and_output():
    arc = ev.parse_arc("0 0 1 1 2 0 3", space="rnn")  # 4 nodes: 1<-0, 2<-1, 3<-0
    fig = ev.dag_figure(arc)
    nodes = _node_trace(fig)
    for label in ("x[t]", "h[t-1]", "avg", "h[t]"):
        assert label in nodes.text
    assert _edges(fig, "average") == 2  # loose ends 2 and 3
    assert _edges(fig, "input") == 2 and _edges(fig, "output") == 1
    assert list(nodes.text[2:6]) == ["tanh", "relu", "identity", "sigmoid"]


def test_accuracy_figure_mean_and_best_per_epoch():
    log = make_log("macro", epochs=5)
    fig = accuracy_figure(log)
    assert [t.name for t in fig.data] == ["sampled arcs", "epoch mean", "epoch best"]
    assert len(fig.data[0].x) == len(log.archs)
    expected = log.archs.groupby("epoch")["val_acc"]
    assert np.allclose(fig.data[1].y, expected.mean().values)
    assert np.allclose(fig.data[2].y, expected.max().values)
    x = np.asarray(fig.data[0].x)
    assert np.all((x > log.archs["epoch"] - 1) & (x <= log.archs["epoch"]))
    assert fig.layout.xaxis.title.text == "epoch" and fig.layout.yaxis.title.text == "val_acc"


def test_controller_child_and_evals_figures():
    log = make_log("rnn", size=5)
    fig = controller_figure(log)
    assert [t.name for t in fig.data] == ["entropy", "baseline"]
    assert np.allclose(fig.data[0].y, log.controller["entropy"])
    assert fig.layout.yaxis.title.text == "entropy" and fig.layout.yaxis2.title.text == "baseline"
    fig = child_figure(log)
    assert fig.layout.yaxis.title.text == "loss" and fig.layout.yaxis2.title.text == "train_acc"
    fig = evals_figure(log)
    assert sorted(t.name for t in fig.data) == ["test", "valid"]
    assert fig.layout.yaxis.title.text == "accuracy"


def test_op_frequency_counts_and_figure():
    log = make_log("macro", epochs=4, per_epoch=10, size=5)
    table = op_frequency(log)
    sums = table.groupby(["epoch", "position"])["share"].sum()
    assert np.allclose(sums, 1.0)
    first_epoch = log.archs[log.archs["epoch"] == 1]["arc"]
    layer2 = pd.Series([ev.parse_arc(a, "macro").choices()[2][1] for a in first_epoch]).value_counts()
    got = table[(table.epoch == 1) & (table.position == "layer 2")].set_index("op")["count"]
    assert got.sort_index().to_dict() == layer2.sort_index().to_dict()
    fig = op_frequency_figure(log)
    assert len(fig.data) == 5 * 6  # positions x ops
    assert {t.stackgroup for t in fig.data} == {f"p{k}" for k in range(5)}
    assert all(t.fillcolor == op_color(t.name) for t in fig.data)
    assert [a.text for a in fig.layout.annotations] == [f"layer {k}" for k in range(5)]


def test_skip_density_and_distinct_architectures():
    log = make_log("macro", epochs=3, per_epoch=4, size=5)
    log.archs.loc[log.archs.epoch == 2, "arc"] = log.archs.loc[4, "arc"]  # epoch 2: one arc four times
    fig = skip_density_figure(log)
    per = [ev.parse_arc(a, "macro").skip_density() for a in log.archs["arc"]]
    assert np.allclose(fig.data[0].y, per)
    fig = distinct_figure(log)
    sampled, distinct = fig.data
    assert list(sampled.y) == [4, 4, 4] and list(distinct.y)[1] == 1


def test_best_arc_and_compare_runs():
    log = make_log("micro", size=3)
    row = best_arc(log)
    assert row["val_acc"] == log.archs["val_acc"].max()
    fig = best_arc_figure(log)
    assert f"{row['val_acc']:.4f}" in fig.layout.title.text
    same = ev.dag_figure(ev.parse_arc(row["arc"], "micro"))
    assert list(_node_trace(fig).marker.color) == list(_node_trace(same).marker.color)
    runs = {"seed 0": make_log(seed=0), "seed 1": make_log(seed=1)}
    fig = compare_figure(runs, "accuracy")
    assert {t.legendgroup for t in fig.data} == {"seed 0", "seed 1"}
    assert len({t.line.color for t in fig.data if t.mode == "lines"}) == 2
    fig = compare_figure([make_log(seed=0), make_log("rnn", size=4, seed=1)], "controller")
    assert len(fig.data) == 4 and fig.layout.yaxis2.title.text == "baseline"
    with pytest.raises(ValueError, match="unknown view"):
        compare_figure(runs, "nope")


def test_arc_parser_caches_per_text_and_space():
    from enas_viz.figures.logdata import ArcParser

    parse = ArcParser({"space": "macro", "space_params": {"num_layers": 2, "num_cells": None}})
    macro, rnn = parse("0 0 1", "macro"), parse("0 0 1", "rnn")  # one string, valid in both spaces
    assert (macro.space, rnn.space) == ("macro", "rnn")
    assert parse("0 0 1") is macro and parse("0 0 1", "rnn") is rnn  # still cached
    assert parse.params == {"num_layers": 2}  # None means not given


def test_child_curves_sit_in_the_epoch_they_train():
    """Child rows carry the 0-based epoch in progress; controller rows the completed 1-based one."""
    child = pd.DataFrame({"epoch": [0, 0, 1, 1], "step": range(4), "loss": [4.0, 3.0, 2.0, 1.0], "train_acc": 0.5})
    controller = pd.DataFrame({"epoch": [1, 1, 2, 2], "entropy": 1.0, "baseline": 0.1})
    log = SearchLog(meta={"space": "macro"}, child=child, controller=controller)
    child_x = np.asarray(child_figure(log).data[0].x)
    assert np.allclose(child_x, [0.5, 1.0, 1.5, 2.0])  # pass 0 in (0, 1], pass 1 in (1, 2]
    assert np.allclose(child_x, controller_figure(log).data[0].x)  # the same epoch on both figures


def test_drawing_caches_are_bounded(monkeypatch):
    monkeypatch.setattr(DagDrawing, "MAX_FRAMES", 3)
    monkeypatch.setattr(DagDrawing, "MAX_DRAWINGS", 2)
    monkeypatch.setattr(DagDrawing, "_instances", type(DagDrawing._instances)())
    rng = random.Random(5)
    drawing = DagDrawing.for_arc(ev.parse_arc(random_arc("macro", rng, 4), "macro"))
    arcs = [ev.parse_arc(random_arc("macro", rng, 4), "macro") for _ in range(6)]
    for arc in arcs:
        drawing.frame(arc)
    assert list(drawing._frames) == [str(a) for a in arcs[-3:]]
    for size in (5, 6, 4):
        DagDrawing.for_arc(ev.parse_arc(random_arc("macro", rng, size), "macro"))
    assert len(DagDrawing._instances) == 2


def test_draw_on_swaps_traces_only_when_the_size_changes():
    import plotly.graph_objects as go

    rng = random.Random(6)
    small = [ev.parse_arc(random_arc("macro", rng, 4), "macro") for _ in range(2)]
    big = ev.parse_arc(random_arc("macro", rng, 7), "macro")
    fig = go.FigureWidget()
    drawing = DagDrawing.draw_on(fig, small[0])
    nodes = _node_trace(fig)
    assert DagDrawing.draw_on(fig, small[1], drawing) is drawing
    assert _node_trace(fig) is nodes  # same traces, new arrays
    assert list(nodes.marker.color) == list(_node_trace(ev.dag_figure(small[1])).marker.color)
    other = DagDrawing.draw_on(fig, big, drawing)
    assert other is not drawing and len(_node_trace(fig).x) == 7 + 2


def test_one_size_key_for_layout_dag_and_renderer():
    from enas_viz.layout import size_key
    from enas_viz.render import Renderer

    arc = ev.parse_arc(random_arc("micro", random.Random(7), 3), "micro")
    assert size_key("micro", arc.params) == {k: arc.params[k] for k in ("num_cells", "reduce") if k in arc.params}
    assert DagDrawing.for_arc(arc).params == size_key("micro", arc.params)
    assert Renderer.for_arc(arc, size=(200, 120)).size_key == size_key("micro", {**arc.params})
    with pytest.raises(ValueError, match="unknown space"):
        size_key("cnn", {})


def test_notebook_and_video_share_edge_colours_and_ink():
    from matplotlib.colors import to_hex

    from enas_viz.colors import EDGE_STYLES, ink_color
    from enas_viz.render import Renderer

    arc = ev.parse_arc("1 4 1 2 0 1 5 1 1 0", "macro")
    fig = ev.dag_figure(arc)
    for kind in ("chain", "skip"):
        assert next(t for t in fig.data if t.name == kind).line.color == EDGE_STYLES[kind]["color"]
    r = Renderer.for_arc(arc, size=(400, 240))
    for i, (_, _, kind) in enumerate(r.edge_list):
        assert to_hex(r._edge_base[i]).upper() == EDGE_STYLES[kind]["color"].upper()
    r.update(arc)
    numbers = next(t for t in fig.data if t.name == "numbers").textfont.color
    fills = list(_node_trace(fig).marker.color)
    for node, text in r.labels.items():  # the same fill gets the same ink in both
        fill = fills[DagDrawing.for_arc(arc).index[node]]
        assert text.get_color() == ink_color(fill) == numbers[DagDrawing.for_arc(arc).index[node]]
    assert ink_color("#FFFFFF") == ink_color((1.0, 1.0, 1.0)) != ink_color("#1F3A68")
