"""Kill a search after its first checkpoint, resume it: one continuous log, no epoch twice."""

from __future__ import annotations

import gc
import json
import re
import subprocess
import sys
import time
import warnings

import pytest
import torch

import enas_viz as ev

torch.set_num_threads(1)

SCRIPT = """
import sys, torch
torch.set_num_threads(1)
import enas_viz as ev
ev.search(space="macro", epochs=4, out=sys.argv[1], seed=5, preset="tiny", progress=False, max_train_batches=6,
          max_eval_batches=2, ctrl_train_steps=3, ctrl_num_aggregate=2, arcs_per_epoch=3, derive_samples=3, log_every=1)
"""
OPTIONS = dict(preset="tiny", progress=False, max_train_batches=6, max_eval_batches=2, ctrl_train_steps=3,
               ctrl_num_aggregate=2, arcs_per_epoch=3, derive_samples=3, log_every=1)  # fmt: skip


def _events(path):
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def _into_second_epoch(path) -> bool:
    """Whether the log (read while it is written: whole lines only) has a child_step of epoch >= 1."""
    if not path.exists():
        return False
    lines = path.read_text(encoding="utf-8").split("\n")[:-1]  # the last piece may be a half-written line
    return any(e["event"] == "child_step" and e["epoch"] >= 1 for e in map(json.loads, lines))


def test_resume_after_kill(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(out)])
    try:
        # kill once epoch 2 (index 1) has logged a step: after the first checkpoint, and with events the
        # resume must cut away; waiting on the log itself, not on a guess of the machine's speed
        deadline = time.time() + 120
        while not _into_second_epoch(out / "events.jsonl") and time.time() < deadline and proc.poll() is None:
            time.sleep(0.02)
    finally:
        proc.kill()
        proc.wait()
    assert (out / "checkpoint.pt").exists()
    killed = _events(out / "events.jsonl")  # every line written so far parses
    assert killed[-1]["event"] != "run_end"
    assert any(e["event"] == "child_step" and e["epoch"] >= 1 for e in killed)  # killed inside epoch 2 or later
    done_before = max(e["epoch"] for e in killed if e["event"] == "checkpoint")
    assert done_before < 4

    result = ev.search(space="macro", epochs=4, out=out, seed=5, resume=True, **OPTIONS)
    events = _events(result.events)
    starts = [e for e in events if e["event"] == "run_start"]
    assert len(starts) == 2 and starts[1]["resumed"] is True and starts[1]["resume_epoch"] == done_before
    evals = [(e["epoch"], e["split"]) for e in events if e["event"] == "eval"]
    assert evals == [(n, s) for n in range(1, 5) for s in ("valid", "test")]  # each epoch once, in order
    assert [e["epoch"] for e in events if e["event"] == "checkpoint"] == [1, 2, 3, 4]
    steps = [e["step"] for e in events if e["event"] == "child_step"]
    assert steps == list(range(1, len(steps) + 1))  # continuous, no step twice
    ctrl = [e["ctrl_step"] for e in events if e["event"] == "controller_step"]
    assert ctrl == list(range(1, 13))
    child_epochs = [e["epoch"] for e in events if e["event"] == "child_step"]
    assert child_epochs == sorted(child_epochs) and set(child_epochs) == {0, 1, 2, 3}
    assert events[-1]["event"] == "run_end" and events[-1]["status"] == "done"

    # resuming gives the same run as not stopping: same arcs after the resume point
    full = ev.search(space="macro", epochs=4, out=tmp_path / "full", seed=5, **OPTIONS)
    arcs = lambda evs: [e["arc"] for e in evs if e["event"] == "arc_sample"]  # noqa: E731
    assert arcs(events) == arcs(_events(full.events))


FINAL = dict(space="macro", dataset="digits", preset="tiny", progress=False, max_train_batches=2, max_eval_batches=1)


def test_final_resume_checks_arc_and_warns_about_ignored_settings(tmp_path):
    arc, other = "0 3 0 1 1 0 5 1 0 1", "1 3 0 1 1 0 5 1 0 1"
    ev.train_final(arc, epochs=1, out=tmp_path / "f", **FINAL)
    size = (tmp_path / "f" / "events.jsonl").stat().st_size
    with pytest.raises(ValueError, match="trains arc '0 3 0 1 1 0 5 1 0 1', not '1 3 0"):
        ev.train_final(other, epochs=2, out=tmp_path / "f", resume=True, **FINAL)
    assert (tmp_path / "f" / "events.jsonl").stat().st_size == size  # refused before touching the log
    with pytest.warns(UserWarning, match=r"ignoring the given lr_max=0\.5 \(the run's: ") as record:
        result = ev.train_final(arc, epochs=2, out=tmp_path / "f", resume=True, lr_max=0.5, **FINAL)
    assert not re.search(r"\bepochs=", str(record[0].message))  # epochs may change on resume
    assert result.config.epochs == 2 and result.config.lr_max != 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same settings: no warning
        ev.train_final(arc, epochs=3, out=tmp_path / "f", resume=True, **FINAL)


def test_search_resume_warns_about_ignored_settings(tmp_path):
    ev.search(epochs=1, out=tmp_path / "s", seed=5, **OPTIONS)
    with pytest.warns(UserWarning, match=r"ctrl_lr=0\.5 .*seed=6"):
        ev.search(epochs=2, out=tmp_path / "s", seed=6, resume=True, **{**OPTIONS, "ctrl_lr": 0.5})


@pytest.mark.parametrize("resume", [False, True])
def test_bad_dataset_leaves_no_log(tmp_path, resume):
    """Data is loaded before the log is opened: a failure leaves no events.jsonl and no open file."""
    out = tmp_path / "run"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            ev.search(dataset=str(tmp_path / "nowhere"), epochs=1, out=out, resume=resume, **OPTIONS)
        except FileNotFoundError as e:
            assert "is not a directory" in str(e)
        else:
            pytest.fail("a missing dataset must raise")
        gc.collect()  # an unclosed file would warn when collected
    assert not (out / "events.jsonl").exists() and not out.exists()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
