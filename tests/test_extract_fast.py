"""The fast paths of the TF-log reader give exactly the tables of the line-by-line reader.

:mod:`extract.tf_segments` sets aside the runs of child and controller lines as text and
reads the usual eval lines with one regex, and :mod:`extract.tf_blocks` reads the arc blocks
in bulk; the line reader is the reference. Both are run on every real and sample log (once
with only the segments read line by line, once with the blocks too), and on a clean log
with irregular lines spliced in.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import extract.tf_logs as tf_logs
from extract import read_log
from extract.arcs import validate_arcs
from extract.tables import parse_kv_matrix

ROOT = Path(__file__).parents[1]
REAL = ROOT.parent / "shared" / "real_logs"
LOGS = sorted(p for p in [*REAL.glob("*.out"), *REAL.glob("*.txt"), *(ROOT / "sample_logs").glob("*.log")])
MACRO_SEARCH = REAL / "beautymess_enas_cifar10_macro_search_nohup-12layers.out"
TABLES = ("archs", "child", "controller", "evals", "problems")


def _line_by_line(st, text, lo, hi, lineno, read_lines):
    lines = text[lo:hi].split("\n")[:-1]
    read_lines(st, lines, lineno)
    return lineno + len(lines)


def _blocks_line_by_line(st, text, slow):
    for block in st.blocks:
        slow(block)


def _assert_same(path: Path, monkeypatch, blocks_too: bool = False) -> None:
    fast = read_log(path)
    with monkeypatch.context() as m:
        m.setattr(tf_logs, "read_segment", _line_by_line)
        if blocks_too:
            m.setattr(tf_logs, "read_blocks", _blocks_line_by_line)
        slow = read_log(path)
    assert repr(fast.meta) == repr(slow.meta)
    for name in TABLES:
        pd.testing.assert_frame_equal(getattr(fast, name), getattr(slow, name), check_exact=True)


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_fast_and_line_by_line_readers_agree(path, monkeypatch):
    _assert_same(path, monkeypatch)


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_fast_and_line_by_line_readers_agree_with_blocks_read_line_by_line_too(path, monkeypatch):
    _assert_same(path, monkeypatch, blocks_too=True)


@pytest.mark.parametrize(
    "splice",
    [
        "garbage line\n",
        "ctrl_step=oops\n",
        "epoch=1 ch_step=2\n",
        "[0 1\n",
        "Epoch 7: Eval\n",
        "valid_accuracy: nan\n",
        "Eval at x\n",
        "--------------------------------------------------------------------------------\nsearch_for...macro\n",
        "epochs_done_is_not_a_metric_line\n",
        "Epoch 7: Training controller\n",
        "ctrl_step=1 loss=1.0 ent=1.0 lr=1.0 |g|=1.0 acc=0.5 bl=0.1 mins=1.0\n",
        "test_accuracy: 0.5\n",
    ],
)
def test_fast_and_line_by_line_readers_agree_on_irregular_lines(splice, tmp_path, monkeypatch):
    lines = MACRO_SEARCH.read_text().split("\n")
    # into a controller run, a child run, just before a header and just after an eval line
    for where in sorted((400, 300, 333, 520, 2000, 5000), reverse=True):
        lines.insert(where, splice.rstrip("\n"))
    path = tmp_path / "spliced.out"
    path.write_text("\n".join(lines))
    _assert_same(path, monkeypatch)
    _assert_same(path, monkeypatch, blocks_too=True)


def test_parse_kv_matrix_reads_like_float_and_refuses_what_is_not_a_number():
    assert parse_kv_matrix(["a=1.5 b=-0.25", "a = 3 b = 7"], 2).tolist() == [[1.5, -0.25], [3.0, 7.0]]
    assert parse_kv_matrix(["a=1.5 b=-0.25", "a = 3"], 2) is None
    assert parse_kv_matrix(["a=1.5 b=-0.25", "a=1.2.3 b=1"], 2) is None


def test_validate_arcs_reports_every_row_of_a_repeated_bad_arc():
    arcs = ["0", "7", "1", "7"]
    errors = validate_arcs(arcs, "rnn", {"num_nodes": 1, "num_funcs": 4})
    assert sorted(errors) == [1, 3] and errors[1] == errors[3]


def test_fast_and_line_by_line_readers_agree_without_child_lines(tmp_path, monkeypatch):
    # an epoch whose eval is followed at once by the controller header (no child lines in between)
    lines = [
        x for i, x in enumerate(MACRO_SEARCH.read_text().split("\n")) if not (900 < i < 2000 and x.startswith("epoch="))
    ]
    path = tmp_path / "no_child.out"
    path.write_text("\n".join(lines))
    _assert_same(path, monkeypatch)
