"""The trainer end to end: a tiny search in each space, its log, final training, determinism, CLI."""

from __future__ import annotations

import json
import math

import pytest
import torch

import enas_viz as ev
from enas_viz.schema import COLUMNS, EVENT_TABLES, EVENTS, SCHEMA_VERSION

torch.set_num_threads(1)

# a few batches per epoch, few controller steps: each search takes a second or two
FAST = dict(preset="tiny", progress=False, max_train_batches=3, max_eval_batches=2, ctrl_train_steps=2,
            ctrl_num_aggregate=2, arcs_per_epoch=3, derive_samples=4, log_every=1)  # fmt: skip


def read_events(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def check_log(events: list[dict], space: str, epochs: int) -> None:
    """Every line is a known event with exactly its schema keys; epochs are complete and in order."""
    assert events[0]["event"] == "run_start" and events[-1]["event"] == "run_end"
    start = events[0]
    assert start["schema"] == SCHEMA_VERSION and start["space"] == space
    assert {"config", "space_params", "ops", "seed", "versions", "device", "time"} <= set(start)
    assert set(start["versions"]) == {"python", "torch", "enas_viz", "numpy"}
    for e in events:
        assert e["event"] in EVENTS
        if e["event"] in EVENT_TABLES:
            assert set(e) - {"event"} == set(COLUMNS[EVENT_TABLES[e["event"]]]) - {"run", "line"}, e
    evals = [(e["epoch"], e["split"]) for e in events if e["event"] == "eval"]
    assert evals == [(n, s) for n in range(1, epochs + 1) for s in ("valid", "test")]
    assert [e["epoch"] for e in events if e["event"] == "checkpoint"] == list(range(1, epochs + 1))
    steps = [e["step"] for e in events if e["event"] == "child_step"]
    assert steps == sorted(set(steps)) and steps
    ctrl = [e["ctrl_step"] for e in events if e["event"] == "controller_step"]
    assert ctrl == list(range(1, len(ctrl) + 1))
    params = start["space_params"]
    for e in events:
        if e["event"] == "arc_sample":
            arc = ev.parse_arc(e["arc"], space, **params)  # the authors' encoding, in the logged space
            assert str(arc) == e["arc"]
    assert events[-1]["status"] == "done"
    ev.parse_arc(events[-1].get("derived_arc") or events[-1]["arc"], space, **params)


@pytest.mark.parametrize("space", ["macro", "micro", "rnn"])
def test_tiny_search_runs_and_logs(space, tmp_path):
    seen = []
    result = ev.search(space=space, epochs=2, out=tmp_path / "run", seed=1, callbacks=[seen.append], **FAST)
    events = read_events(result.events)
    check_log(events, space, 2)
    assert seen == events  # callbacks got the same events, live
    assert result.derived_arc is not None and str(result.derived_arc) == events[-1]["derived_arc"]
    assert (tmp_path / "run" / "derived_arc.txt").read_text().strip() == str(result.derived_arc)
    child = [e for e in events if e["event"] == "child_step"]
    if space == "rnn":
        assert all(e["train_acc"] is None and e["train_ppl"] > 1 for e in child)
        assert all(e["ppl"] > 1 and e["accuracy"] is None for e in events if e["event"] == "eval")
    else:
        assert all(e["train_ppl"] is None and 0 <= e["train_acc"] <= 1 for e in child)
        assert all(0 <= e["accuracy"] <= 1 and e["ppl"] is None for e in events if e["event"] == "eval")
    assert all(math.isfinite(e["loss"]) and e["grad_norm"] >= 0 for e in child)
    assert events[0]["ops"] == list(result.derived_arc.ops)


def _train_one_epoch(tmp_path, **overrides):
    """``train_epoch`` on a fixed macro child (plain SGD: the update is ``-lr * grad``): events, params before, after."""
    from enas_viz.train.child import Runtime, build_child, train_epoch
    from enas_viz.train.config import make_config
    from enas_viz.train.data import load_data
    from enas_viz.train.events import EventLog

    torch.manual_seed(0)
    cfg = make_config("macro", "tiny", num_layers=4, **overrides)
    data = load_data("digits")
    arc = ev.parse_arc("0 3 0 1 1 0 5 1 0 1", "macro")
    net, rt = build_child(cfg, data, arc), Runtime("cpu")
    opt = torch.optim.SGD(net.parameters(), lr=1.0)  # train_epoch sets the lr of the epoch
    before = [p.detach().clone() for p in net.parameters()]
    events = []
    log = EventLog(tmp_path / "events.jsonl", [events.append])
    try:
        train_epoch(net, opt, cfg, data, rt, torch.Generator().manual_seed(0), {"step": 0}, log, 0, False)
    finally:
        log.close()
    return events, before, [p.detach() for p in net.parameters()], opt.param_groups[0]["lr"]


def test_grad_clipping_really_clips(tmp_path):
    """train_epoch logs the norm before clipping, and the update it applies is clipped to grad_bound."""
    bound = 1e-3
    events, before, after, lr = _train_one_epoch(tmp_path, grad_bound=bound, max_train_batches=1, log_every=1)
    (step,) = [e for e in events if e["event"] == "child_step"]
    assert step["grad_norm"] > 10 * bound  # logged: the norm before clipping
    update = torch.sqrt(sum(((b - a) ** 2).sum() for a, b in zip(before, after, strict=True)))
    assert update == pytest.approx(lr * bound, rel=1e-3)  # applied: lr * the clipped gradient


def test_train_epoch_reads_the_device_only_on_logged_steps(tmp_path, monkeypatch):
    """No .item() / float() / int() / bool() of a tensor (each a GPU sync) on steps that log nothing."""
    reads = []
    for name in ("item", "__float__", "__int__", "__bool__", "tolist"):
        original = getattr(torch.Tensor, name)
        monkeypatch.setattr(torch.Tensor, name, lambda t, *a, _f=original, _n=name: reads.append(_n) or _f(t, *a))
    events, *_ = _train_one_epoch(tmp_path, max_train_batches=4, log_every=1000)
    assert not [e for e in events if e["event"] == "child_step"] and reads == []
    events, *_ = _train_one_epoch(tmp_path, max_train_batches=4, log_every=2)
    assert [e["step"] for e in events if e["event"] == "child_step"] == [2, 4]
    assert 0 < len(reads) <= 2 * 3  # loss, grad norm, correct count: read on the two logged steps only


def test_event_callbacks_get_the_cleaned_record(tmp_path, monkeypatch):
    """Callbacks get the dict that was written (NaN -> None, tuples -> lists), without a JSON round trip."""
    from enas_viz.train import events as events_module

    seen = []
    log = events_module.EventLog(tmp_path / "events.jsonl", [seen.append])
    monkeypatch.setattr(events_module.json, "loads", lambda *a, **k: pytest.fail("JSON round trip"))
    record = log.write("checkpoint", epoch=1, path=str(tmp_path))
    monkeypatch.undo()
    log.write("run_end", minutes=float("nan"), status="done", derived_arc=None)
    log.close()
    assert seen[0] is record
    assert seen == read_events(tmp_path / "events.jsonl")
    assert seen[1]["minutes"] is None


def test_same_seed_same_arcs(tmp_path):
    arcs = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        result = ev.search(space="macro", epochs=1, out=tmp_path / name, seed=seed, **FAST)
        arcs.append([e["arc"] for e in read_events(result.events) if e["event"] == "arc_sample"])
    assert arcs[0] == arcs[1]
    assert arcs[0] != arcs[2]


def test_existing_run_is_not_overwritten(tmp_path):
    ev.search(space="macro", epochs=1, out=tmp_path / "r", **FAST)
    with pytest.raises(FileExistsError, match="resume"):
        ev.search(space="macro", epochs=1, out=tmp_path / "r", **FAST)


def test_train_final_fixed_arc(tmp_path):
    arc = "0 3 0 1 1 0 5 1 0 1"  # 4 layers: conv3x3 | sep5x5 | max-pool ...
    result = ev.train_final(arc, space="macro", dataset="digits", epochs=2, out=tmp_path / "final", preset="tiny",
                            progress=False, max_eval_batches=2)  # fmt: skip
    events = read_events(result.events)
    check_log(events, "macro", 2)
    assert events[0]["space_params"]["num_layers"] == 4
    assert not any(e["event"] in ("controller_step", "arc_sample") for e in events)
    assert events[-1]["arc"] == arc
    # the fixed network learns digits: better than chance (10%) after two epochs
    assert result.evals["test"]["accuracy"] > 0.3


def test_bad_arcs_are_refused(tmp_path):
    with pytest.raises(ev.ArcError, match="layer 1: skip bit 0 is 7"):
        ev.train_final("0 1 7", space="macro", out=tmp_path / "x", preset="tiny", progress=False)
    with pytest.raises(ev.ArcError, match="not N\\(N\\+1\\)/2"):
        ev.train_final("0 1", space="macro", out=tmp_path / "y", preset="tiny", progress=False)
    with pytest.raises(ev.ArcError, match="op is 6"):
        ev.train_final("6", space="macro", out=tmp_path / "z", preset="tiny", progress=False)
    assert not (tmp_path / "x").exists()  # refused before anything was written


def test_wrong_data_for_space(tmp_path):
    with pytest.raises(ValueError, match="needs text"):
        ev.search(space="rnn", dataset="digits", epochs=1, out=tmp_path / "r", **FAST)


def test_cli_search_and_final(tmp_path, capsys):
    from enas_viz.cli import main

    code = main(["search", "--space", "macro", "--preset", "tiny", "--epochs", "1", "--out", str(tmp_path / "s"),
                 "--no-progress", "--set", "max_train_batches=2", "--set", "ctrl_train_steps=1",
                 "--set", "max_eval_batches=1"])  # fmt: skip
    assert code == 0
    best = (tmp_path / "s" / "derived_arc.txt").read_text().strip()
    assert f"derived arc (train this one with `enas-viz final`): {best}" in capsys.readouterr().out
    code = main(["final", "--arc", best, "--space", "macro", "--preset", "tiny", "--epochs", "1", "--out",
                 str(tmp_path / "f"), "--no-progress", "--set", "max_train_batches=2"])  # fmt: skip
    assert code == 0 and "test: accuracy=" in capsys.readouterr().out
    code = main(["final", "--arc", "0 1 9", "--space", "macro", "--out", str(tmp_path / "g"), "--no-progress"])
    assert code == 1 and "skip bit 0 is 9" in capsys.readouterr().err
    code = main(["search", "--dataset", str(tmp_path / "nowhere"), "--out", str(tmp_path / "h"), "--no-progress"])
    assert code == 1 and "is not a directory" in capsys.readouterr().err


def test_cli_module_does_not_import_torch():
    import subprocess
    import sys

    code = "import sys, enas_viz.train.cli as c, argparse; c.register(argparse.ArgumentParser().add_subparsers()); "
    code += "print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_log_reads_back_with_extract(tmp_path):
    """The extractor reads the trainer's log: the same arcs and evals as the JSON lines."""
    import extract

    result = ev.search(space="micro", epochs=1, out=tmp_path / "run", **FAST)
    events = read_events(result.events)
    log = extract.read_log(result.events)
    arcs = [e["arc"] for e in events if e["event"] == "arc_sample"]
    assert len(arcs) == FAST["arcs_per_epoch"]
    assert list(log.archs["arc"]) == arcs
    assert len(log.evals) == sum(e["event"] == "eval" for e in events)


class _StopAfter:
    """A callback that asks the run to stop once ``n`` child steps are logged (what the monitor's Stop does)."""

    def __init__(self, n: int):
        self.n, self.steps = n, 0
        self.stop_requested = False

    def __call__(self, event: dict) -> None:
        if event["event"] == "child_step":
            self.steps += 1
            self.stop_requested = self.steps >= self.n


def test_stop_request_ends_the_run_cleanly_and_resume_finishes_it(tmp_path):
    out = tmp_path / "run"
    stopper = _StopAfter(6)  # 4 steps of epoch 0, then 2 of epoch 1: the stop lands inside the second epoch
    kwargs = dict(space="macro", epochs=2, out=out, seed=0, preset="tiny", progress=False, log_every=1,
                  max_train_batches=4, ctrl_train_steps=2, max_eval_batches=1, derive_samples=2)  # fmt: skip
    result = ev.search(callbacks=[stopper], **kwargs)
    events = read_events(result.events)
    assert result.status == "stopped" and result.derived_arc is None
    assert events[-1]["event"] == "run_end" and events[-1]["status"] == "stopped"
    assert [e["epoch"] for e in events if e["event"] == "checkpoint"] == [1]
    assert sum(e["event"] == "child_step" for e in events) == 6  # stopped at the next step, not at the epoch's end
    resumed = ev.search(resume=True, **kwargs)
    events = read_events(resumed.events)
    assert resumed.status == "done" and resumed.derived_arc is not None
    assert [e["epoch"] for e in events if e["event"] == "checkpoint"] == [1, 2]  # every epoch once
    assert [e["step"] for e in events if e["event"] == "child_step"] == list(range(1, 9))
