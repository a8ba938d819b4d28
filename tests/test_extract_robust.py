"""Broken input: truncated, garbage, noise, wrong format, empty, binary, huge lines, CRLF, gzip, several runs."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from extract import FORMATS, LogFormatError, read_log

SAMPLES = Path(__file__).parents[1] / "sample_logs"
MACRO = SAMPLES / "authors_macro_search.log"


@pytest.fixture(scope="module")
def macro():
    return read_log(MACRO), MACRO.read_text().split("\n")


def _write(tmp_path, lines, name="log.out"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def _same_rows(a: pd.DataFrame, b: pd.DataFrame, columns=("epoch", "arc", "val_acc")) -> bool:
    return a[list(columns)].reset_index(drop=True).equals(b[list(columns)].reset_index(drop=True))


def test_truncated_mid_arc_keeps_what_came_before(tmp_path, macro):
    log, raw = macro
    cut = log.archs.iloc[17]
    cut_line = int(cut.line)
    path = _write(tmp_path, raw[: cut_line - 1 + 5])  # 5 of its 12 layer lines
    got = read_log(path)
    assert len(got.archs) == 17 and _same_rows(got.archs, log.archs.iloc[:17])
    assert got.problems.line.tolist() == [cut_line] and got.problems.kind[0] == "truncated"


def test_truncated_inside_a_line(tmp_path, macro):
    log, raw = macro
    cut = int(log.archs.line[3])
    lines = raw[: cut - 1 + 4] + [raw[cut - 1 + 4][:4]]  # "[2 1" with no "]"
    got = read_log(_write(tmp_path, lines))
    assert len(got.archs) == 3
    assert set(got.problems.line) == {cut, cut + 4}  # the cut array and its unfinished arch


def test_garbage_and_noise_between_records_lose_nothing(tmp_path, macro):
    log, raw = macro
    a_line = int(log.archs.line[12])
    ctrl_line = int(log.controller.line[30])
    lines = list(raw)
    # TF stderr inside an arch (between two layer lines), garbage between controller lines
    lines.insert(
        a_line + 2, "2019-03-02 10:20:01.1: W tensorflow/core/framework/allocator.cc:101] Allocation exceeds 10%"
    )
    lines.insert(ctrl_line, "!!@@ garbage ## 12 [x]")
    lines.insert(ctrl_line, "ctrl_step=oops this is not a controller line")
    got = read_log(_write(tmp_path, lines))
    assert _same_rows(got.archs, log.archs) and len(got.controller) == len(log.controller)
    assert np.allclose(got.controller.loss, log.controller.loss)
    assert got.problems.line.tolist() == [ctrl_line + 1]  # only the line that looks like a record
    assert "ctrl_step=oops" in got.problems.message[0]


def test_every_problem_names_its_line(tmp_path, macro):
    _, raw = macro
    lines = list(raw)
    bad = {40: "epoch=3 ch_step=?? loss=", 400: "val_acc=zero", 401: "Epoch x: Eval", 402: "valid_accuracy: high"}
    for at, text in sorted(bad.items()):
        lines[at - 1] = text
    got = read_log(_write(tmp_path, lines))
    assert set(bad) <= set(got.problems.line)
    for row in got.problems.itertuples():
        assert row.line >= 1 and row.message


def test_wrong_format_lists_every_reader(tmp_path):
    path = _write(tmp_path, ["hello", "this is a shopping list", "eggs........12"])
    with pytest.raises(LogFormatError) as err:
        read_log(path)
    for name in FORMATS:
        assert name in str(err.value)
    assert "format=" in str(err.value)
    with pytest.raises(LogFormatError, match="unknown format"):
        read_log(path, format="tensorboard")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.out"
    path.write_text("")
    with pytest.raises(LogFormatError, match="empty"):
        read_log(path)
    log = read_log(path, format="enas-cifar10")
    assert log.archs.empty and log.problems.empty and log.meta["format"] == "enas-cifar10"


def test_binary_file(tmp_path):
    path = tmp_path / "model.ckpt"
    path.write_bytes(bytes(range(256)) * 64 + b"\x00" * 4096)
    with pytest.raises(LogFormatError, match="binary"):
        read_log(path)


def test_huge_lines_are_skipped_as_problems(tmp_path, macro):
    log, raw = macro
    at = int(log.archs.line[15]) - 2  # just before an arch's val_acc dashes: between records
    lines = list(raw)
    lines.insert(at, "x" * 50_000_000)  # a runaway writer: one 50 MB line
    lines.insert(40, "[" + "1 " * 200_000 + "]")  # an absurd array
    path = _write(tmp_path, lines)
    got = read_log(path)
    assert _same_rows(got.archs, log.archs) and len(got.child) == len(log.child)
    assert set(got.problems.line) == {41, at + 2} and set(got.problems.kind) == {"too_long"}


def test_crlf_and_gzip_read_the_same(tmp_path, macro):
    log, raw = macro
    path = tmp_path / "stdout.gz"
    path.write_bytes(gzip.compress(("\r\n".join(raw)).encode()))
    got = read_log(path)
    for name in ("archs", "child", "controller", "evals"):
        assert getattr(got, name).equals(getattr(log, name)), name


def test_concatenated_runs_and_slurm_footer(tmp_path, macro):
    log, raw = macro
    footer = [
        "==============================================================",
        "slurmstepd: error: *** JOB 8982871 CANCELLED ***",
    ]
    lines = [x for x in raw if x] + footer + [x for x in raw if x]
    got = read_log(_write(tmp_path, lines))
    assert got.archs.run.value_counts().to_dict() == {0: 30, 1: 30}
    assert len(got.meta["runs"]) == 2 and got.meta["runs"][1]["line"] > len(raw)
    second = got.archs[got.archs.run == 1]
    assert _same_rows(second, log.archs)
    offset = len([x for x in raw if x]) + len(footer)
    assert (second.line.to_numpy() - offset == log.archs.line.to_numpy()).all()
    assert got.evals.groupby("run").size().to_dict() == {0: 6, 1: 6} and got.problems.empty


def test_resumed_run_keeps_its_epochs(tmp_path, macro):
    _, raw = macro
    shifted = [x.replace("Epoch ", "Epoch 15") if x.startswith("Epoch ") else x for x in raw]
    got = read_log(_write(tmp_path, shifted))
    assert sorted(got.archs.epoch.unique()) == [151, 152, 153] and got.problems.empty


def test_numpy_wrapped_arrays(tmp_path):
    rng = np.random.default_rng(0)
    lines, arcs = ["Epoch 4: Training controller", "Here are 10 architectures"], []
    for _ in range(10):
        halves = []
        for _cell in range(2):  # 10 nodes per cell: ids reach 10, so numpy pads to 2 digits and wraps
            cell = []
            for c in range(10):
                cell += [
                    int(rng.integers(0, c + 2)),
                    int(rng.integers(0, 5)),
                    int(rng.integers(0, c + 2)),
                    int(rng.integers(0, 5)),
                ]
            halves.append(cell)
            lines += str(np.array(cell, dtype=np.int32)).split("\n")
        arcs.append(" ".join(map(str, halves[0] + halves[1])))
        lines += ["val_acc=0.5000", "-" * 80]
    lines += ["Epoch 4: Eval", "Eval at 1128", "valid_accuracy: 0.4000", "Eval at 1128", "test_accuracy: 0.3900"]
    assert any(x.startswith(" ") for x in lines)  # it did wrap
    got = read_log(_write(tmp_path, lines))
    assert got.archs.arc.tolist() == arcs and got.problems.empty
    assert got.meta["space"] == "micro" and got.meta["space_params"]["num_cells"] == 10
    assert (got.archs.epoch == 4).all() and got.evals.split.tolist() == ["valid", "test"]


def test_fork_lines_do_not_break_reading(tmp_path, macro):
    log, raw = macro
    lines = []
    for x in raw:
        lines.append(x)
        if x.startswith("val_acc="):
            lines.append(f"FLOPS factor: {0.5 + len(lines) % 7 / 10:.4f}")
    got = read_log(_write(tmp_path, lines))
    assert _same_rows(got.archs, log.archs) and got.problems.empty
    assert got.archs.flops.notna().all() and list(got.archs.columns[-1:]) == ["flops"]


def test_an_invalid_arc_is_a_problem_not_a_row(tmp_path, macro):
    log, raw = macro
    a7, a8 = int(log.archs.line[7]), int(log.archs.line[8])
    lines = list(raw)
    lines[a7 - 1 + 3] = "[7 1 1 1]"  # op 7 in a 6-op space
    lines[a8 - 1 + 5] = "[3 1 2 0 0 1]"  # skip bit 2
    got = read_log(_write(tmp_path, lines))
    assert len(got.archs) == len(log.archs) - 2
    assert got.problems.line.tolist() == [a7, a8]
    assert "op is 7" in got.problems.message[0] and "skip bit 1 is 2" in got.problems.message[1]


def test_macro_not_whole_channels(tmp_path):
    flags = {
        "child_num_branches": 2,
        "child_num_layers": 3,
        "controller_search_whole_channels": False,
        "search_for": "macro",
    }
    lines = ["-" * 80, "batch_size" + "." * 67 + "128"]
    lines += [name + "." * (80 - len(name) - len(str(v))) + str(v) for name, v in sorted(flags.items())]
    lines += ["Epoch 1: Training controller", "Here are 10 architectures"]
    for k in range(10):
        lines += ["[0 3 4 2]", f"[1 2 0 5 {k % 2}]", "[9 1 3 4 1 0]", "val_acc=0.2500", "-" * 80]
    got = read_log(_write(tmp_path, lines))
    assert got.meta["space_params"] == {"num_layers": 3, "num_branches": 2, "whole_channels": False}
    assert len(got.archs) == 10 and got.archs.arc[1] == "0 3 4 2 1 2 0 5 1 9 1 3 4 1 0" and got.problems.empty


def test_a_block_of_the_usual_length_with_noise_inside_falls_back_line_by_line(tmp_path, macro):
    log, raw = macro
    lines = list(raw)
    dashes_of_arch_14 = int(log.archs.line[14]) - 1 + 13
    assert lines[dashes_of_arch_14] == "-" * 80
    lines[dashes_of_arch_14] = "W0302 10:21:07.1 tensorflow: a warning where the dashes were"
    lines[int(log.archs.line[25]) - 1 + 12] = "val_acc=0.5x"  # same line count, unreadable value
    got = read_log(_write(tmp_path, lines))
    assert len(got.archs) == len(log.archs) - 1
    assert _same_rows(got.archs, log.archs.drop(index=25))
    assert got.problems.line.tolist() == [int(log.archs.line[25]) + 12]
    assert got.archs.line.is_monotonic_increasing


# -- reviewed edge cases: split-channel macro, runs cut mid-block, fixed arcs, jsonl spaces -------

_DASH = "-" * 80


def _split_macro_block(epoch: int) -> list[str]:
    # 2 layers, whole_channels=False, 4 branches: 2B = 8 tokens, then 8 + 1 (one skip bit)
    lines = [f"Epoch {epoch}: Training controller", "Here are 10 architectures"]
    for _ in range(10):
        lines += ["[1 2 1 1 1 1 1 1]", "[1 1 2 1 1 1 1 1 1]", "val_acc=0.5000", _DASH]
    return lines


def test_split_channel_macro_without_flags_infers_the_printed_branches(tmp_path):
    got = read_log(_write(tmp_path, _split_macro_block(1) + _split_macro_block(2)), format="enas-cifar10")
    assert got.problems.empty, got.problems.message.tolist()
    assert len(got.archs) == 20 and (got.archs.space == "macro").all()
    assert got.meta["space_params"] == {"num_layers": 2, "num_branches": 4, "whole_channels": False}


def test_a_new_run_drops_the_arch_it_cut_off_at_its_own_line(tmp_path, macro):
    _, raw = macro
    start = raw.index("Here are 10 architectures")
    # the first run, cut inside its first arch (3 layer lines), then the whole log again as a second run
    lines = raw[: start + 4] + raw
    got = read_log(_write(tmp_path, lines))
    cut = got.problems[got.problems.kind == "truncated"]
    assert cut.line.tolist() == [start + 2] and "new run" in cut.message.iloc[0]


def test_a_run_starts_at_the_dashes_above_its_flags(tmp_path, macro):
    _, raw = macro
    raw = [x for x in raw if not x.startswith("Logging to ")]
    flags = next(i for i, x in enumerate(raw) if x.startswith("batch_size."))
    got = read_log(_write(tmp_path, raw + raw))
    assert [r["line"] for r in got.meta["runs"]] == [1, len(raw) + flags]
    assert raw[flags - 1] == _DASH


def test_a_new_run_reports_an_open_numpy_array_and_does_not_glue_it(tmp_path, macro):
    _, raw = macro
    start = raw.index("Here are 10 architectures")
    lines = raw[: start + 2] + ["[2 1"] + raw  # a wrapped array left open when the next run starts
    got = read_log(_write(tmp_path, lines))
    ref = read_log(MACRO)
    assert sorted(got.problems.line.tolist()) == [start + 2, start + 3]
    assert "new run" in got.problems.message[got.problems.line == start + 2].iloc[0]
    assert _same_rows(got.archs[got.archs.run == 1], ref.archs)


def test_the_fixed_arc_gives_the_space_when_the_flags_do_not(tmp_path):
    lines = [
        _DASH,
        "child_fixed_arc0 1 0 2 0 1",
        "child_num_layers...............................................................3",
        _DASH,
    ]
    lines += ["Epoch 1: Eval", "valid_accuracy: 0.5000"]
    got = read_log(_write(tmp_path, lines), format="enas-cifar10")
    assert got.meta["mode"] == "final" and got.meta["fixed_arc"] == "0 1 0 2 0 1"
    assert got.meta["space"] == "macro"
