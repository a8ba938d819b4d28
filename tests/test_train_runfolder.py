"""The run folder under damage: nothing lost (log, checkpoint), one run at a time, clear errors, no litter."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys

import pytest
import torch

import enas_viz as ev
from enas_viz.train import events as events_module
from enas_viz.train.events import CheckpointError, RunFolderError

torch.set_num_threads(1)

FAST = dict(space="macro", seed=5, preset="tiny", progress=False, max_train_batches=3, max_eval_batches=1,
            ctrl_train_steps=2, ctrl_num_aggregate=2, arcs_per_epoch=2, derive_samples=2, log_every=1)  # fmt: skip
CLI_FAST = ["--space", "macro", "--preset", "tiny", "--seed", "5", "--no-progress"] + [
    f"--set={k}={v}" for k, v in FAST.items() if k not in ("space", "seed", "preset", "progress")
]  # the same run as FAST


def _events(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def _assert_each_epoch_once(events: list[dict], epochs: int) -> None:
    assert [e["epoch"] for e in events if e["event"] == "checkpoint"] == list(range(1, epochs + 1))
    assert [(e["epoch"], e["split"]) for e in events if e["event"] == "eval"] == [
        (n, s) for n in range(1, epochs + 1) for s in ("valid", "test")
    ]
    steps = [e["step"] for e in events if e["event"] == "child_step"]
    assert steps == list(range(1, len(steps) + 1))
    assert events[-1]["event"] == "run_end" and events[-1]["status"] == "done"


@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished one-epoch search; tests take copies of its folder."""
    out = tmp_path_factory.mktemp("finished") / "run"
    ev.search(epochs=1, out=out, **FAST)
    return out


def _copy(finished, tmp_path):
    out = tmp_path / "run"
    shutil.copytree(finished, out)
    return out


def _cli(capsys, *argv) -> tuple[int, str]:
    from enas_viz.cli import main

    code = main(list(argv))
    return code, capsys.readouterr().err


# -- item 4: a resume with no checkpoint never deletes or cuts a log -------------------------------------------


def test_resume_without_checkpoint_keeps_the_log_and_says_what_to_do(finished, tmp_path, capsys):
    out = _copy(finished, tmp_path)
    (out / "checkpoint.pt").unlink()
    log = (out / "events.jsonl").read_bytes()
    with pytest.raises(RunFolderError, match=r"checkpoint\.pt is missing.*1 checkpointed epoch\(s\), status 'done'.*"
                                             r"is kept as it is.*another out folder \(--out\)"):  # fmt: skip
        ev.search(epochs=2, out=out, resume=True, **FAST)
    code, err = _cli(capsys, "search", "--epochs", "2", "--out", str(out), "--resume", *CLI_FAST)
    assert code == 1 and err.count("\n") == 1 and "checkpoint.pt is missing" in err
    # a run killed before its first checkpoint: the same, its log is not thrown away either
    (out / "events.jsonl").write_bytes(log.split(b"\n", 1)[0] + b"\n")
    with pytest.raises(RunFolderError, match=r"no finished epoch"):
        ev.train_final("0 3 0 1 1 0 5 1 0 1", epochs=1, out=out, resume=True, **{**FAST, "space": None})
    assert (out / "events.jsonl").read_bytes() == log.split(b"\n", 1)[0] + b"\n"
    assert sorted(p.name for p in out.iterdir()) == [".lock", "derived_arc.txt", "events.jsonl"]


# -- item 5: one run per folder, and who holds it -----------------------------------------------------------------


class _IntrudeAtFirstCheckpoint:
    """A callback that, once the run has checkpointed, starts a second run and a resume in the same folder."""

    def __init__(self, out):
        self.out, self.errors = out, []

    def __call__(self, event):
        if event["event"] == "checkpoint" and event["epoch"] == 1:
            for resume in (True, False):
                try:
                    ev.search(epochs=2, out=self.out, resume=resume, **FAST)
                except RunFolderError as err:
                    self.errors.append(str(err))


def test_a_running_folder_is_locked_and_says_who_holds_it(tmp_path):
    out = tmp_path / "run"
    intruder = _IntrudeAtFirstCheckpoint(out)
    # resume=True on a new folder: nothing to lose, a first run (a notebook cell run twice)
    result = ev.search(epochs=1, out=out, resume=True, callbacks=[intruder], **FAST)
    who = f"in use by another run (pid {os.getpid()} on {socket.gethostname()}, started "
    assert len(intruder.errors) == 2 and all(who in e and "another out folder (--out)" in e for e in intruder.errors)
    events = _events(result.events)
    _assert_each_epoch_once(events, 1)  # the run itself went on, untouched
    assert events[0].get("resumed") is None
    assert (out / ".lock").read_text() == ""  # released: the holder's note is gone
    resumed = ev.search(epochs=2, out=out, resume=True, **FAST)  # a free folder resumes
    _assert_each_epoch_once(_events(resumed.events), 2)


def test_two_runs_started_at_once_get_one_folder(tmp_path):
    """Both pass the first look (no log yet); the one that loads its data second is refused at the lock."""
    from enas_viz.train.config import make_config
    from enas_viz.train.run import RunFiles

    cfg = make_config("macro", "tiny")
    first, second = RunFiles(tmp_path / "run", False), RunFiles(tmp_path / "run", False)
    first.start(cfg, cfg.space_params, ["op"], "cpu")
    try:
        with pytest.raises(RunFolderError, match=f"in use by another run \\(pid {os.getpid()}"):
            second.start(cfg, cfg.space_params, ["op"], "cpu")
    finally:
        first.end("done", derived_arc=None)
    assert [e["event"] for e in _events(tmp_path / "run" / "events.jsonl")] == ["run_start", "run_end"]
    late = RunFiles(tmp_path / "late", False)
    (tmp_path / "late").mkdir()
    (tmp_path / "late" / "events.jsonl").write_text('{"event": "run_start"}\n')  # another run got there first
    with pytest.raises(RunFolderError, match="changed while this run loaded its data"):
        late.start(cfg, cfg.space_params, ["op"], "cpu")
    assert (tmp_path / "late" / "events.jsonl").read_text() == '{"event": "run_start"}\n'


HOLD_LOCK = """
import sys, time
from pathlib import Path
from enas_viz.train.run import _FolderLock
Path(sys.argv[1]).mkdir()
lock = _FolderLock(Path(sys.argv[1]))  # held while this process lives
lock.acquire()
print("locked", flush=True)
time.sleep(120)
"""


def test_the_lock_of_another_process_and_its_release_when_killed(tmp_path):
    from enas_viz.train.config import make_config
    from enas_viz.train.run import RunFiles

    out, cfg = tmp_path / "run", make_config("macro", "tiny")
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(out)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        for resume in (False, True):
            with pytest.raises(RunFolderError, match=f"in use by another run \\(pid {holder.pid} on "):
                RunFiles(out, resume)
    finally:
        holder.kill()  # a crash: the OS drops its lock
        holder.wait()
    files = RunFiles(out, False)
    files.start(cfg, cfg.space_params, ["op"], "cpu")
    files.end("done", derived_arc=None)


# -- item 6: full disk, damaged checkpoint, a kill between the checkpoint and its log line ---------------------------


def _disk_full_after(monkeypatch, file_suffix: str, n_ok: int = 0):
    """Make writes to files ending in ``file_suffix`` fail with ENOSPC after ``n_ok`` good ones, half-written."""
    real, count = events_module._write_all, [0]

    def write_all(file, data):
        if not str(file.name).endswith(file_suffix):
            return real(file, data)
        count[0] += 1
        if count[0] <= n_ok:
            return real(file, data)
        real(file, memoryview(data)[: len(data) // 2])  # part of it lands, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(events_module, "_write_all", write_all)


def test_full_disk_at_a_checkpoint(tmp_path, monkeypatch, capsys):
    out = tmp_path / "run"
    _disk_full_after(monkeypatch, ".tmp", n_ok=1)  # epoch 1 saved; epoch 2's checkpoint hits a full disk
    code, err = _cli(capsys, "search", "--epochs", "2", "--out", str(out), *CLI_FAST)
    assert code == 1 and err.count("\n") == 1  # one line, no traceback
    assert "cannot write" in err and "checkpoint.pt: no space left on the device" in err and "--resume" in err
    assert not (out / "checkpoint.pt.tmp").exists()
    assert torch.load(out / "checkpoint.pt", weights_only=True)["epoch"] == 1  # the last good one, intact
    events = _events(out / "events.jsonl")  # every line whole
    assert events[-1]["event"] == "run_end" and events[-1]["status"] == "error"
    monkeypatch.undo()  # space freed: the run goes on from epoch 1
    _assert_each_epoch_once(_events(ev.search(epochs=2, out=out, resume=True, **FAST).events), 2)


def test_full_disk_in_the_log_leaves_whole_lines(tmp_path, monkeypatch):
    out = tmp_path / "run"
    lines = 15  # the log lines that fit: the disk fills inside epoch 2, and run_end cannot be written either
    _disk_full_after(monkeypatch, "events.jsonl", n_ok=lines)
    with pytest.raises(RunFolderError, match=r"cannot write .*events\.jsonl: no space left on the device"):
        ev.search(epochs=2, out=out, **FAST)
    text = (out / "events.jsonl").read_text()
    assert text.endswith("\n") and len(text.splitlines()) == lines  # the half line was cut back off
    assert not (out / ".lock").read_text()  # and the lock released
    monkeypatch.undo()
    _assert_each_epoch_once(_events(ev.search(epochs=2, out=out, resume=True, **FAST).events), 2)


def test_damaged_checkpoint_or_log_refuses_the_resume_and_changes_nothing(finished, tmp_path, capsys):
    out = _copy(finished, tmp_path)
    checkpoint, log = (out / "checkpoint.pt").read_bytes(), (out / "events.jsonl").read_bytes()
    damaged = {
        "cut in half": checkpoint[: len(checkpoint) // 2],
        "not a zip": b"garbage" * 100,
        "empty": b"",
    }
    for name, blob in damaged.items():
        (out / "checkpoint.pt").write_bytes(blob)
        with pytest.raises(CheckpointError, match=r"checkpoint\.pt cannot be read as a checkpoint .*Restore "
                                                  r"checkpoint\.pt from a copy to resume, or start afresh"):  # fmt: skip
            ev.search(epochs=2, out=out, resume=True, **FAST)
        assert (out / "events.jsonl").read_bytes() == log, name
    code, err = _cli(capsys, "search", "--epochs", "2", "--out", str(out), "--resume", *CLI_FAST)
    assert code == 1 and err.count("\n") == 1 and "cannot be read as a checkpoint" in err
    torch.save({"weights": torch.zeros(2)}, out / "checkpoint.pt")  # a torch file, not a checkpoint of this trainer
    with pytest.raises(CheckpointError, match=r"has no 'epoch' \(int; found nothing\)"):
        ev.search(epochs=2, out=out, resume=True, **FAST)

    (out / "checkpoint.pt").write_bytes(checkpoint)  # the checkpoint back, but the log lost its last lines
    (out / "events.jsonl").write_bytes(log[: len(log) // 2])
    with pytest.raises(RunFolderError, match=r"saved when .*events\.jsonl had \d+ bytes.*the log lost events"):
        ev.search(epochs=2, out=out, resume=True, **FAST)
    assert (out / "events.jsonl").read_bytes() == log[: len(log) // 2]

    state = torch.load(out / "checkpoint.pt", weights_only=True)  # a checkpoint whose config no run can use
    state["config"]["lr_max"] = float("nan")
    torch.save(state, out / "checkpoint.pt")
    (out / "events.jsonl").write_bytes(log)
    with pytest.raises(ValueError, match=r"resuming .*checkpoint\.pt\): config lr_max=nan: not a finite number"):
        ev.search(epochs=2, out=out, resume=True, **FAST)


@pytest.mark.parametrize("checkpoint", ["with its log line", "older, without"])
def test_kill_between_checkpoint_and_its_log_line(finished, tmp_path, checkpoint):
    """A kill after checkpoint.pt is renamed into place, before its log line: the resume puts the line back.

    The folder is made byte for byte as such a kill leaves it (the log ends with the epoch's last eval; the
    OS dropped the lock); ``test_train_resume.py`` kills real processes.
    """
    out = _copy(finished, tmp_path)
    lines = (out / "events.jsonl").read_bytes().splitlines(keepends=True)
    at = max(i for i, line in enumerate(lines) if json.loads(line)["event"] == "checkpoint")
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    assert state["log_offset"] == len(b"".join(lines[: at + 1]))  # the log's length once its line is written
    (out / "events.jsonl").write_bytes(b"".join(lines[:at]))
    assert _events(out / "events.jsonl")[-1]["event"] == "eval"
    if checkpoint == "older, without":  # checkpoints written before they recorded their line
        del state["log_line"]
        torch.save(state, out / "checkpoint.pt")
    with pytest.warns(UserWarning, match="put back the checkpoint line of epoch 1"):
        result = ev.search(epochs=2, out=out, resume=True, **FAST)
    events = _events(result.events)
    _assert_each_epoch_once(events, 2)
    starts = [e for e in events if e["event"] == "run_start"]
    assert len(starts) == 2 and starts[1]["resume_epoch"] == 1

    import extract

    read = extract.read_log(result.events)
    assert read.problems.empty and [c["epoch"] for c in read.meta["runs"][0]["checkpoints"]] == [1, 2]
    assert sorted(read.evals["epoch"]) == [1, 1, 2, 2] and sorted(read.archs["epoch"].unique()) == [1, 2]
