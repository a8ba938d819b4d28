"""Each reader on its sample log and on hand-written input; our events.jsonl; the arc validator."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest

from enas_viz import ArcError, parse_arc
from enas_viz.schema import COLUMNS, EVENT_TABLES, SCHEMA_VERSION
from extract import FORMATS, detect_format, read_log
from extract.arcs import validate_arcs

SAMPLES = Path(__file__).parents[1] / "sample_logs"


@pytest.mark.parametrize(
    ("name", "fmt", "space", "archs"),
    [
        ("authors_macro_search.log", "enas-cifar10", "macro", 30),
        ("authors_micro_search.log", "enas-cifar10", "micro", 30),
        ("authors_ptb_search.log", "enas-ptb", "rnn", 30),
        ("mingukkang_micro_search.log", "mingukkang", "micro", 30),
        ("codebrim_macro_search.log", "codebrim", "macro", 30),
        ("carpedm20_rnn.log", "carpedm20", "rnn", 0),
        ("enas_lm_search.log", "enas-lm", "rnn", 75),
    ],
)
def test_each_sample_is_detected_and_read(name, fmt, space, archs):
    text = (SAMPLES / name).read_text()
    reader, tried = detect_format(text)
    assert reader.name == fmt and len(tried) == list(FORMATS).index(fmt)
    log = read_log(SAMPLES / name)
    assert log.meta["format"] == fmt and log.meta["space"] == space and len(log.archs) == archs
    assert log.problems.empty and log.meta["source"].endswith(name)
    for table, columns in COLUMNS.items():
        assert tuple(getattr(log, table).columns[: len(columns)]) == columns
    for arc in log.archs.arc:  # space_params are what parse_arc needs
        parse_arc(arc, space, **log.meta["space_params"])
    assert len(log.meta["ops"]) >= 4


def test_forcing_a_format_skips_detection():
    log = read_log(SAMPLES / "mingukkang_micro_search.log", format="enas-cifar10")
    assert log.meta["format"] == "enas-cifar10" and len(log.archs) == 30


def test_ptb_rewards_child_ppl_and_evals():
    log = read_log(SAMPLES / "authors_ptb_search.log")
    raw = (SAMPLES / "authors_ptb_search.log").read_text().split("\n")
    assert log.archs.val_acc.isna().all() and log.archs.reward.notna().all()
    for row in log.archs.itertuples():
        assert raw[row.line - 1].endswith(f"] rw={row.reward:.3f}")
        assert row.arc.split() == raw[row.line - 1].split("]")[0].strip("[ ").split()
    assert log.meta["space_params"] == {"num_nodes": 12, "num_funcs": 4, "encoding": "enas"}
    assert log.child.train_ppl.notna().all() and log.child.train_acc.isna().all()
    assert log.controller.acc.isna().all() and log.controller.reward.notna().all()
    valid = log.evals[log.evals.split == "valid"]
    assert valid.ppl.tolist() == [600.0, 440.0, 280.0] and valid.loss.round(2).tolist() == [6.40, 6.09, 5.63]
    test = log.evals[log.evals.split == "test"].iloc[0]
    assert test.ppl == pytest.approx(math.exp(5.7), abs=0.01) and test.loss == 5.70
    assert sorted(log.archs.epoch.unique()) == [1, 2, 3]


def test_codebrim_epochs_are_shifted_to_completed_epochs():
    log = read_log(SAMPLES / "codebrim_macro_search.log")
    raw = (SAMPLES / "codebrim_macro_search.log").read_text()
    assert "Epoch 0: Training controller" in raw
    assert sorted(log.archs.epoch.unique()) == [1, 2, 3] and log.meta["epoch_offset"] == 1
    assert log.evals.split.tolist() == ["valid", "test"] * 3 and log.evals.epoch.tolist() == [1, 1, 2, 2, 3, 3]
    assert log.meta["space_params"]["num_layers"] == 7


def test_enas_lm_arcs_on_controller_lines():
    log = read_log(SAMPLES / "enas_lm_search.log")
    raw = (SAMPLES / "enas_lm_search.log").read_text().split("\n")
    assert log.meta["space_params"]["encoding"] == "enas_lm" and log.meta["ops"][2] == "sigmoid"
    assert log.meta["flags"]["controller_num_layers"] == 8
    assert len(log.controller) == 75 and log.archs.line.tolist() == log.controller.line.tolist()
    row = log.archs.iloc[26]
    assert raw[row.line - 1].endswith(f"arc=[{row.arc}]") and f"rw={row.reward:<7.4f}" in raw[row.line - 1]
    assert sorted(log.archs.epoch.unique()) == [1, 2, 3] and (log.archs.groupby("epoch").size() == 25).all()
    assert log.evals.split.eq("valid").all() and len(log.evals) == 3 and log.child.train_ppl.notna().all()


def test_carpedm20_logger_lines():
    log = read_log(SAMPLES / "carpedm20_rnn.log")
    assert log.archs.empty and len(log.child) == 21 and len(log.controller) == 18
    assert log.child.epoch.tolist()[:7] == [0] * 7 and log.controller.epoch.iloc[0] == 1  # after epoch 0's training
    assert log.child.lr.eq(20.0).all() and log.controller.reward.between(0.1, 0.3).all()
    assert log.evals.epoch.tolist() == [1, 3] and [d["epoch"] for d in log.meta["derive"]] == [1, 3]


# -- events.jsonl ------------------------------------------------------------------------


def _event(kind, **kw):
    return json.dumps({"event": kind, **kw})


def test_our_events_jsonl(tmp_path):
    start = {"schema": SCHEMA_VERSION, "time": "2026-01-01T00:00:00", "config": {"epochs": 2, "preset": "tiny"}}
    start.update(space="macro", space_params={"num_layers": 2, "num_branches": 6, "whole_channels": True})
    start.update(ops=["conv3x3", "sep_conv3x3", "conv5x5", "sep_conv5x5", "avg_pool3x3", "max_pool3x3"], seed=0)
    start.update(versions={"torch": "2.13"}, device="cpu")
    lines = [
        _event("run_start", **start),
        _event(
            "child_step", epoch=0, step=10, loss=2.1, lr=0.05, grad_norm=1.0, train_acc=0.2, train_ppl=None, minutes=0.1
        ),
        _event(
            "controller_step",
            epoch=1,
            ctrl_step=0,
            loss=0.3,
            entropy=3.2,
            lr=0.001,
            grad_norm=0.1,
            acc=0.3,
            reward=0.3,
            baseline=0.0,
            minutes=0.2,
        ),  # fmt: skip
        _event("arc_sample", epoch=1, sample=0, space="macro", arc="0 3 1", val_acc=0.31, reward=0.31),
        _event("eval", epoch=1, step=10, split="valid", accuracy=0.35, ppl=None, loss=1.9),
        _event("checkpoint", epoch=1, path="runs/demo/ckpt_1.pt"),
        _event("run_start", **start, resumed=True, resume_epoch=1),
        _event("arc_sample", epoch=2, sample=0, space="macro", arc="1 0 1", val_acc=0.45, reward=0.45),
        _event("run_end", minutes=1.5, status="done", best_arc="1 0 1"),
        _event("run_start", **start),
        _event("arc_sample", epoch=1, sample=0, space="macro", arc="2 1 0", val_acc=0.2, reward=0.2),
        '{"event": "arc_sample", "epoch": 1, "sample": 1, "spa',  # killed mid-write
    ]
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines))
    log = read_log(path)
    assert log.meta["format"] == "enas-viz-jsonl" and log.meta["space"] == "macro"
    assert log.meta["space_params"]["num_layers"] == 2 and log.meta["ops"][0] == "conv3x3"
    assert log.archs.run.tolist() == [0, 0, 1] and log.archs.line.tolist() == [4, 8, 11]
    assert log.archs.arc.tolist() == ["0 3 1", "1 0 1", "2 1 0"] and log.archs.val_acc.tolist() == [0.31, 0.45, 0.2]
    assert log.child.train_ppl.isna().all() and log.child.line.tolist() == [2]
    assert log.evals.accuracy.tolist() == [0.35] and math.isnan(log.evals.ppl[0])
    assert log.problems.line.tolist() == [12] and "cut off" in log.problems.message[0]
    runs = log.meta["runs"]
    assert len(runs) == 2 and runs[0]["resumed_at"] == [{"line": 7, "epoch": 1}]
    assert runs[0]["status"] == "done" and runs[0]["checkpoints"][0]["path"].endswith("ckpt_1.pt")
    assert runs[0]["derived_arc"] == "1 0 1"  # logs before 0.2 named it best_arc
    assert set(EVENT_TABLES.values()) <= set(COLUMNS)
    best = log.best()
    assert best.arc == "1 0 1" and best.to_arc().tokens == (1, 0, 1)


def test_jsonl_unknown_event_is_a_problem_and_missing_keys_are_nan(tmp_path):
    path = tmp_path / "events.jsonl"
    lines = [_event("run_start", space="micro"), _event("party", x=1), _event("arc_sample", epoch=1, arc="0 1 0 1")]
    path.write_text("\n".join(lines) + "\n")
    log = read_log(path)
    assert log.problems.line.tolist() == [2] and log.problems.kind[0] == "unknown_event"
    assert math.isnan(log.archs["sample"][0]) and math.isnan(log.archs.val_acc[0]) and log.archs.space[0] == "micro"


# -- the vectorised arc validator agrees with parse_arc ------------------------------------


@pytest.mark.parametrize(
    ("space", "params", "n"),
    [
        ("macro", {"num_layers": 5, "num_branches": 6, "whole_channels": True}, 15),
        ("micro", {"num_cells": 3, "num_branches": 5, "reduce": True}, 24),
        ("rnn", {"num_funcs": 4, "encoding": "enas"}, 9),
        ("rnn", {"num_funcs": 4, "encoding": "enas_lm"}, 8),
        ("macro", {"num_layers": 2, "num_branches": 2, "whole_channels": False}, 9),
    ],
)
def test_validator_matches_parse_arc(space, params, n):
    rng = random.Random(7)
    arcs = [" ".join(str(rng.choice([0, 0, 1, 1, 2, 3, 4, 5, 7, 11])) for _ in range(n)) for _ in range(400)]
    arcs += ["0 " * (n - 2) + "0", "1 " * n, "0 " * n]  # wrong length, all ones, all zeros
    errors = validate_arcs([a.strip() for a in arcs], space, params)
    for k, arc in enumerate(arcs):
        try:
            parse_arc(arc, space, **params)
            ok = True
        except ArcError:
            ok = False
        assert ok == (k not in errors), arc
    assert 0 < len(errors) < len(arcs)
    assert np.all([isinstance(m, str) and m for m in errors.values()])


def test_jsonl_archs_without_a_space_take_their_own_runs_space(tmp_path):
    path = tmp_path / "events.jsonl"
    lines = [
        _event("run_start", space="macro", space_params={"num_layers": 2}),
        _event("arc_sample", epoch=1, arc="0 1 0"),
        _event("run_start", space="micro", space_params={"num_cells": 1}),
        _event("arc_sample", epoch=1, arc="0 1 0 1 0 1 0 1"),
        "not json",
        "{also not json",
    ]
    path.write_text("\n".join(lines) + "\n")
    log = read_log(path)
    assert log.archs.space.tolist() == ["macro", "micro"] and log.meta["space"] == "macro"
    assert log.problems.line.tolist() == [5, 6]
    assert ["cut off" in m for m in log.problems.message] == [False, True]
