"""Timeline driven from Python (slider.value) and SearchMonitor fed with trainer events."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import ipywidgets as widgets
import numpy as np
from test_figures import make_log, random_arc

import enas_viz as ev
from extract.searchlog import SearchLog


def _nodes(fig):
    return next(t for t in fig.data if t.name == "nodes")


def _shows(tl, row: int) -> None:
    """The Timeline's DAG, marker and text show archs row ``row``."""
    rec = tl.search_log.archs.iloc[row]
    space = rec["space"] if isinstance(rec["space"], str) else tl.search_log.meta["space"]
    expected = ev.dag_figure(ev.parse_arc(rec["arc"], space))
    assert str(tl.arc) == rec["arc"]
    assert list(_nodes(tl.dag).marker.color) == list(_nodes(expected).marker.color)
    assert list(_nodes(tl.dag).text) == list(_nodes(expected).text)
    for kind in ev.figures.dag.EDGE_KINDS[space]:
        got = next(t for t in tl.dag.data if t.name == kind)
        want = next(t for t in expected.data if t.name == kind)
        assert list(got.x) == list(want.x) and list(got.y) == list(want.y)
    marker = tl.curve.data[3]
    assert marker.y[0] == rec["val_acc"] and int(np.ceil(marker.x[0])) == rec["epoch"]
    assert rec["arc"] in tl.info.value and f"epoch <b>{int(rec['epoch'])}</b>" in tl.info.value


def test_slider_moves_the_dag_to_that_architecture():
    log = make_log("macro", epochs=8, per_epoch=10, size=8)
    tl = ev.Timeline(log)
    assert isinstance(tl.slider, widgets.IntSlider) and tl.slider.max == len(log.archs) - 1
    assert isinstance(tl.dag, ev.figures.dag.go.FigureWidget)
    assert isinstance(tl._link, widgets.widget_link.Link)  # jslink: Play and slider move together in the browser
    assert {tl._link.source[0], tl._link.target[0]} == {tl.play, tl.slider}
    _shows(tl, 0)
    fixed = (tuple(_nodes(tl.dag).x), tuple(_nodes(tl.dag).y))
    for row in (37, 5, 79, 37):
        tl.slider.value = row
        _shows(tl, row)
        assert (tuple(_nodes(tl.dag).x), tuple(_nodes(tl.dag).y)) == fixed  # nodes never jump


def test_epoch_mode_steps_through_each_epochs_best():
    log = make_log("micro", epochs=5, per_epoch=6, size=3)
    tl = ev.Timeline(log)
    tl.slider.value = 14  # epoch 3
    tl.mode.value = "epoch"
    assert tl.slider.max == 4 and tl.slider.value == 2
    for value in (0, 4, 2):
        tl.slider.value = value
        epoch_rows = log.archs[log.archs.epoch == value + 1]
        assert tl.row == epoch_rows["val_acc"].idxmax()
        _shows(tl, tl.row)
    tl.mode.value = "arc"
    assert tl.slider.max == len(log.archs) - 1 and tl.slider.value == tl.row


def test_refresh_appends_architectures_of_a_growing_log():
    full = make_log("rnn", epochs=6, per_epoch=5, size=6)
    head = SearchLog(meta=full.meta, archs=full.archs.iloc[:12].copy())
    tl = ev.Timeline(head)
    tl.slider.value = 11  # at the end: follows the new rows
    assert tl.refresh(full) == len(full.archs) - 12
    assert tl.slider.max == len(full.archs) - 1 and tl.slider.value == tl.slider.max
    _shows(tl, len(full.archs) - 1)
    assert len(tl.curve.data[0].x) == len(full.archs)


def test_scrubbing_only_assigns_arrays_on_the_same_figure():
    """A slider step reuses the FigureWidget, its traces and its layout; speed is benchmarks/bench_timeline.py's job."""
    log = make_log("macro", epochs=30, per_epoch=10, size=12)
    tl = ev.Timeline(log)
    dag, curve, drawing = tl.dag, tl.curve, tl._drawing
    traces, layout = list(tl.dag.data), tl.dag.layout.to_plotly_json()
    layout.pop("title")
    fixed = (tuple(_nodes(dag).x), tuple(_nodes(dag).y), _nodes(dag).marker.size, _nodes(dag).textposition)
    for row in np.random.default_rng(0).integers(0, len(log.archs), 20):
        tl.slider.value = int(row)
        assert tl.dag is dag and tl.curve is curve and tl._drawing is drawing
        assert all(a is b for a, b in zip(tl.dag.data, traces, strict=True))  # no trace rebuilt
        now = tl.dag.layout.to_plotly_json()
        now.pop("title")
        assert now == layout  # nothing laid out again
        assert (tuple(_nodes(dag).x), tuple(_nodes(dag).y), _nodes(dag).marker.size, _nodes(dag).textposition) == fixed
        _shows(tl, int(row))


def test_export_mp4_button_calls_write_video(monkeypatch, tmp_path):
    calls = []

    def fake_write_video(log, path, **kwargs):
        calls.append((log, Path(path)))
        Path(path).write_bytes(b"\x00\x00\x00\x18ftypmp42")
        return Path(path)

    monkeypatch.setitem(sys.modules, "enas_viz.video", types.SimpleNamespace(write_video=fake_write_video))
    log = make_log("macro", size=5, name=str(tmp_path / "demo" / "events.jsonl"))
    tl = ev.Timeline(log)
    assert tl.video_path.value == str(tmp_path / "demo" / "demo.mp4")
    tl.video_path.value = str(tmp_path / "search.mp4")
    tl.export_button.click()
    assert calls == [(log, tmp_path / "search.mp4")]
    assert "wrote" in tl.status.value and "search.mp4" in tl.status.value
    assert tl.video_output.outputs and "video" in str(tl.video_output.outputs[0]["data"]).lower()

    def broken(log, path, **kwargs):
        raise RuntimeError("no ffmpeg")

    monkeypatch.setitem(sys.modules, "enas_viz.video", types.SimpleNamespace(write_video=broken))
    tl.export_button.click()
    assert "failed" in tl.status.value and "no ffmpeg" in tl.status.value


def _events(space="macro", size=4, epochs=3, steps=50):
    rng = __import__("random").Random(1)
    ops = list(ev.SPACES[space].ops)
    key = {"macro": "num_layers", "micro": "num_cells", "rnn": "num_nodes"}[space]
    yield {"event": "run_start", "space": space, "space_params": {key: size}, "ops": ops, "config": {"epochs": epochs}}
    for epoch in range(1, epochs + 1):
        for step in range(steps):
            yield {"event": "child_step", "epoch": epoch, "step": step, "loss": 2.0 / epoch, "lr": 0.1, "grad_norm": 1.0,
                   "train_acc": 0.3 * epoch, "train_ppl": None, "minutes": epoch * 0.1}  # fmt: skip
        for step in range(10):
            yield {"event": "controller_step", "epoch": epoch, "ctrl_step": step, "loss": 0.1, "entropy": 6.0 - epoch,
                   "lr": 0.001, "grad_norm": 1.0, "acc": 0.5, "reward": 0.2 * epoch, "baseline": 0.1 * epoch, "minutes": 0.2}  # fmt: skip
        for sample in range(5):
            arc = random_arc(space, rng, size)
            yield {"event": "arc_sample", "epoch": epoch, "sample": sample, "arc": arc, "val_acc": 0.2 * epoch + 0.01 * sample,
                   "reward": 0.2 * epoch}  # fmt: skip
        yield {
            "event": "eval",
            "epoch": epoch,
            "step": 0,
            "split": "valid",
            "accuracy": 0.25 * epoch,
            "ppl": None,
            "loss": None,
        }
    yield {"event": "run_end", "minutes": 1.0, "status": "finished", "derived_arc": arc}


def _curve(monitor, name: str):
    from enas_viz.monitor_view import CURVES

    return monitor.curves.data[CURVES.index(name)]


def test_monitor_shows_trainer_events_and_throttles(capsys):
    events = list(_events("micro", size=3))
    monitor = ev.SearchMonitor(min_interval=60.0)
    for event in events:
        monitor(event)
    assert monitor.events_seen == len(events)
    assert monitor.redraws == 2  # run_start and run_end only: the rest waited for the interval
    assert capsys.readouterr().out == ""  # nothing printed per event
    last = [e for e in events if e["event"] == "arc_sample"][-1]
    expected = ev.dag_figure(ev.parse_arc(last["arc"], "micro"))
    assert list(_nodes(monitor.dag).marker.color) == list(_nodes(expected).marker.color)
    entropy, acc = _curve(monitor, "entropy"), _curve(monitor, "val_acc")
    assert list(entropy.y) == [e["entropy"] for e in events if e["event"] == "controller_step"]
    assert len(acc.y) == 15 and acc.y[-1] == last["val_acc"]
    assert monitor.epoch_bar.value == 3 and monitor.epoch_bar.max == 3
    assert "run finished" in monitor.status.value and last["arc"] in monitor.status.value
    log = monitor.to_log()
    assert len(log.archs) == 15 and len(log.controller) == 30 and list(log.evals["split"]) == ["valid"] * 3
    assert str(ev.Timeline(log).arc) == [e for e in events if e["event"] == "arc_sample"][0]["arc"]


def test_monitor_redraws_live_when_the_interval_has_passed():
    monitor = ev.SearchMonitor(min_interval=0.0)
    seen = []
    for event in _events("rnn", size=5, epochs=2, steps=3):
        monitor(event)
        if event["event"] == "controller_step":
            seen.append(len(_curve(monitor, "entropy").y))
        if event["event"] == "child_step":
            assert f"(step {event['step']})" in monitor.status.value
    assert seen == list(range(1, 21))  # every controller step reached the curve as it came
    assert monitor.step_bar.value == 3


def test_timeline_on_the_real_macro_search_log():
    from extract import read_log

    log = read_log(
        Path(__file__).resolve().parents[1]
        / "../shared/real_logs/beautymess_enas_cifar10_macro_search_nohup-12layers.out"
    )
    tl = ev.Timeline(log)
    assert tl.slider.max == len(log.archs) - 1 == 3099
    for row in (0, 1234, 3099):
        tl.slider.value = row
        _shows(tl, row)
        assert len(_nodes(tl.dag).x) == 14  # stem, 12 layers, output head
    tl.mode.value = "epoch"
    assert tl.slider.max == log.archs["epoch"].nunique() - 1


def test_monitor_thins_long_curves_and_counts_as_it_goes():
    from enas_viz.monitor import MAX_POINTS

    monitor = ev.SearchMonitor(min_interval=60.0, auto_display=False)
    monitor({"event": "run_start", "space": "macro", "space_params": {"num_layers": 3}, "config": {"epochs": 9}})
    n = 5 * MAX_POINTS + 3
    for step in range(n):
        monitor({"event": "controller_step", "epoch": 1 + step // 1000, "entropy": float(step), "reward": 0.1})
    monitor({"event": "arc_sample", "epoch": 4, "arc": "0 3 0 0 1 0", "val_acc": 0.5})
    monitor({"event": "eval", "epoch": 6, "split": "valid", "accuracy": 0.4})
    monitor.redraw()
    entropy = _curve(monitor, "entropy")
    assert len(entropy.y) <= MAX_POINTS + 1 and entropy.y[-1] == n - 1 and entropy.x[-1] == n
    assert list(entropy.x) == sorted(entropy.x)
    assert monitor.epoch_bar.value == 6 and "best sampled arc</b> val_acc <b>0.5</b>" in monitor.status.value
