"""Kill a search after its first checkpoint, resume it: one continuous log, no epoch twice."""

from __future__ import annotations

import json
import subprocess
import sys
import time

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


def test_resume_after_kill(tmp_path):
    out = tmp_path / "run"
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, str(out)])
    try:
        deadline = time.time() + 60
        while not (out / "checkpoint.pt").exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.05)
        time.sleep(0.3)  # into epoch 2: its first events are written, then lost with the kill
    finally:
        proc.kill()
        proc.wait()
    assert (out / "checkpoint.pt").exists()
    killed = _events(out / "events.jsonl")  # every line written so far parses
    assert killed[-1]["event"] != "run_end"
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
