"""The extractor on the five real logs in ../shared/real_logs: counts of the formats reference, values spot-checked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from enas_viz import parse_arc
from enas_viz.schema import COLUMNS
from extract import read_log

REAL = Path(__file__).parents[1].parent / "shared" / "real_logs"
MACRO_SEARCH = REAL / "beautymess_enas_cifar10_macro_search_nohup-12layers.out"
MICRO_SEARCH = REAL / "beautymess_enas_cifar10_micro_search_nohup.out"
MACRO_FINAL = REAL / "beautymess_enas_cifar10_macro_final_nohup.out"
MICRO_FINAL = REAL / "beautymess_enas_cifar10_micro_final.out"
MINGUKKANG = REAL / "mingukkang_enas_tf_stdout_cifar10_micro_search.txt"


@pytest.fixture(scope="module")
def logs():
    return {
        p.name: (read_log(p), p.read_text().split("\n"))
        for p in (MACRO_SEARCH, MICRO_SEARCH, MACRO_FINAL, MICRO_FINAL, MINGUKKANG)
    }


def test_every_table_has_the_schema_columns_first(logs):
    for log, _ in logs.values():
        for name, columns in COLUMNS.items():
            assert tuple(getattr(log, name).columns[: len(columns)]) == columns


def test_macro_search_counts_and_meta(logs):
    log, _ = logs[MACRO_SEARCH.name]
    assert log.meta["format"] == "enas-cifar10" and log.meta["space"] == "macro"
    assert log.meta["space_params"] == {"num_layers": 12, "num_branches": 6, "whole_channels": True}
    assert log.meta["ops"][4] == "avg_pool3x3" and len(log.meta["ops"]) == 6
    assert log.meta["flags"]["child_lr_T_0"] == 10 and log.meta["flags"]["controller_training"] is True
    assert len(log.archs) == 3100 and len(log.controller) == 6200 and len(log.child) == 2182
    assert (log.archs.groupby("epoch").size() == 10).all()
    assert sorted(log.archs.epoch.unique()) == list(range(1, 311))
    assert log.evals.split.value_counts().to_dict() == {"valid": 310, "test": 310}
    assert log.archs.arc.str.split().str.len().eq(78).all()
    assert list(log.archs["sample"][:12]) == [*range(10), 0, 1]
    assert log.problems.empty and (log.archs.run == 0).all()
    # the authors' reward for CIFAR is the minibatch valid accuracy
    assert np.array_equal(log.archs.reward, log.archs.val_acc)


def test_macro_search_values_match_the_raw_lines(logs):
    log, raw = logs[MACRO_SEARCH.name]
    for row in log.archs.iloc[::97].itertuples():
        layer_lines = raw[row.line - 1 : row.line - 1 + 12]
        assert " ".join(layer_lines).replace("[", "").replace("]", "").split() == row.arc.split()
        assert raw[row.line - 1 + 12] == f"val_acc={row.val_acc:.4f}"
        parse_arc(row.arc, "macro", num_branches=6)
    # every val_acc in file order, as a naive startswith scan reads them
    naive = [float(x[8:]) for x in raw if x.startswith("val_acc=")]
    assert log.archs.val_acc.tolist() == naive
    first = log.archs.iloc[0]
    assert (first.epoch, first.line, first.val_acc) == (1, 181, 0.4141)
    assert first.arc.startswith("5 2 1 3 1 1 4 1 1 1")
    for row in log.controller.iloc[::331].itertuples():
        text = raw[row.line - 1]
        assert text.startswith(f"ctrl_step={int(row.ctrl_step):<6d} loss={row.loss:<7.3f}")
        assert f"acc={row.acc:<6.4f}" in text and f"mins={row.minutes:.2f}" in text
    for row in log.child.iloc[::113].itertuples():
        text = raw[row.line - 1]
        assert text.startswith(f"epoch={int(row.epoch):<6d}ch_step={int(row.step):<6d} loss={row.loss:<8.6f}")
        correct, size = text.split("tr_acc=")[1].split("mins")[0].split("/")
        assert row.train_acc == pytest.approx(int(correct) / int(size))
    valid = log.evals[log.evals.split == "valid"]
    assert valid.accuracy.tolist() == [float(x[16:]) for x in raw if x.startswith("valid_accuracy: ")]
    last = log.evals.iloc[-1]
    assert (last.epoch, last.step, last.split, last.accuracy) == (310, 109120, "test", 0.7907)


@pytest.mark.parametrize("name", [MICRO_SEARCH.name, MINGUKKANG.name])
def test_micro_searches(logs, name):
    log, raw = logs[name]
    assert log.meta["space"] == "micro" and log.meta["format"] == ("mingukkang" if "minguk" in name else "enas-cifar10")
    assert log.meta["space_params"] == {"num_cells": 5, "num_branches": 5, "reduce": True}
    assert len(log.archs) == 1500 and len(log.controller) == 900 and len(log.child) == 846
    assert log.evals.split.value_counts().to_dict() == {"valid": 150, "test": 150}
    assert log.archs.arc.str.split().str.len().eq(40).all() and log.problems.empty
    for row in log.archs.iloc[::101].itertuples():
        normal, reduce = raw[row.line - 1], raw[row.line]
        assert row.arc == normal.strip("[]") + " " + reduce.strip("[]")
        assert raw[row.line + 1].replace(" ", "") == f"val_acc={row.val_acc:.4f}"
    assert log.archs.epoch.max() == 150


def test_mingukkang_flags_keep_the_dots_ambiguity(logs):
    log, _ = logs[MINGUKKANG.name]
    run = log.meta["runs"][0]
    assert log.meta["flags"]["output_dir"] == "/output"
    assert run["ambiguous_flags"]["output_dir"] == ["/output", "./output", "../output"]
    assert log.meta["flags"]["n_aug_img"] == 1


@pytest.mark.parametrize(
    ("name", "tests", "tokens", "child"),
    [(MACRO_FINAL.name, 310, 78, 2424), (MICRO_FINAL.name, 209, 40, 2093)],
)
def test_final_trainings(logs, name, tests, tokens, child):
    log, raw = logs[name]
    assert log.meta["mode"] == "final" and log.archs.empty and log.controller.empty
    assert log.evals.split.eq("test").all() and len(log.evals) == tests and len(log.child) == child
    glued = next(x for x in raw if x.startswith("child_fixed_arc"))  # "child_fixed_arc4 2 0 1 ..." (no dots)
    assert log.meta["fixed_arc"] == glued[len("child_fixed_arc") :].strip()
    assert len(log.meta["fixed_arc"].split()) == tokens
    best = log.best()
    assert best.arc == log.meta["fixed_arc"] and best.test_acc == log.evals.accuracy.iloc[-1]


def test_micro_final_stops_mid_run(logs):
    log, raw = logs[MICRO_FINAL.name]
    assert log.evals.epoch.max() == 209 and log.child.epoch.max() == 209
    assert log.child.line.iloc[-1] == len([x for x in raw if x]) and log.problems.empty


def test_best_arc_of_the_micro_search_is_the_one_trained_in_the_final(logs):
    search, _ = logs[MICRO_SEARCH.name]
    final, _ = logs[MICRO_FINAL.name]
    best = search.best()
    assert best.val_acc == search.archs.val_acc.max() == 0.8
    assert best.arc == final.meta["fixed_arc"]
    test = search.evals[(search.evals.split == "test") & (search.evals.epoch == best.epoch)].accuracy.iloc[0]
    assert best.test_acc == test
    assert parse_arc(best.fixed_arc, "micro").tokens == tuple(map(int, best.arc.split()))


def test_paper_way_picks_from_the_last_epochs(logs):
    log, _ = logs[MACRO_SEARCH.name]
    final, _ = logs[MACRO_FINAL.name]
    best = log.best(last_epochs=1)
    last = log.archs[log.archs.epoch == 310]
    assert best.epoch == 310 and best.val_acc == last.val_acc.max()
    assert best.test_acc == 0.7907
    assert best.arc == final.meta["fixed_arc"]  # BeautyMess trained the last epoch's best
    assert log.best(last_epochs=10).epoch > 300
