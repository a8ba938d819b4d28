"""Public API of extract: summaries, several logs, the command line, light imports."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import extract
from enas_viz import parse_arc
from enas_viz.cli import main
from extract import SearchLog, read_log, read_logs

ROOT = Path(__file__).parents[1]
SAMPLES = ROOT / "sample_logs"
MACRO = SAMPLES / "authors_macro_search.log"


def test_exports():
    for name in extract.__all__:
        assert hasattr(extract, name), name
    assert {"read_log", "read_logs", "SearchLog", "LogFormatError", "FORMATS"} <= set(extract.__all__)


def test_best_and_the_paper_way():
    log = read_log(MACRO)
    best = log.best()
    assert best.val_acc == log.archs.val_acc.max()
    row = log.archs[log.archs.val_acc == best.val_acc].iloc[0]  # ties: the earliest
    assert (best.line, best.epoch, best.sample) == (row["line"], row["epoch"], row["sample"])
    test = log.evals[(log.evals.split == "test") & (log.evals.epoch == best.epoch)].accuracy.iloc[0]
    assert best.test_acc == test
    last = log.best(last_epochs=1)
    assert last.epoch == log.archs.epoch.max()
    assert last.val_acc == log.archs[log.archs.epoch == last.epoch].val_acc.max()
    shell = best.fixed_arc
    assert shell.startswith('fixed_arc="') and shell.count("\n") == 11 and "$fixed_arc" in shell
    assert parse_arc(shell, "macro").tokens == tuple(int(t) for t in best.arc.split())
    with pytest.raises(ValueError, match="last_epochs"):
        log.best(last_epochs=0)


def test_best_by_reward_for_ptb_and_none_for_no_archs():
    ptb = read_log(SAMPLES / "authors_ptb_search.log")
    best = ptb.best()
    assert best.reward == ptb.archs.reward.max() and math.isnan(best.val_acc) and math.isnan(best.test_acc)
    assert read_log(SAMPLES / "carpedm20_rnn.log").best() is None


def test_summary():
    s = read_log(MACRO).summary()
    assert (s["runs"], s["epochs"], s["archs"], s["problems"]) == (1, 3, 30, 0)
    assert s["best"]["arc"] and s["best_last_epoch"]["epoch"] == 3
    assert s["format"] == "enas-cifar10" and s["space"] == "macro"


def test_read_logs_stacks_runs_with_a_source_column():
    both = read_logs(sorted(SAMPLES.glob("authors_m*_search.log")))
    assert isinstance(both, SearchLog) and len(both.archs) == 60
    assert both.archs.source.nunique() == 2 and both.meta["format"] == "enas-cifar10" and both.meta["space"] is None
    assert both.archs.groupby("source").size().tolist() == [30, 30]
    by_glob = read_logs(str(SAMPLES / "authors_m*_search.log"))
    assert by_glob.archs.equals(both.archs)
    assert both.best(last_epochs=1).source in both.archs.source.unique()
    with pytest.raises(FileNotFoundError):
        read_logs(str(SAMPLES / "nothing_*.log"))


def test_cli_writes_tables(tmp_path, capsys):
    out = tmp_path / "archs.csv"
    assert main(["extract", str(MACRO), "-o", str(out)]) == 0
    table = pd.read_csv(out)
    assert len(table) == 30 and list(table.columns[:8]) == list(read_log(MACRO).archs.columns)
    parquet = tmp_path / "evals.parquet"
    assert main(["extract", str(MACRO), "--table", "evals", "-o", str(parquet)]) == 0
    assert pd.read_parquet(parquet).split.tolist() == ["valid", "test"] * 3
    capsys.readouterr()
    assert main(["extract", str(MACRO), "--table", "controller"]) == 0
    assert capsys.readouterr().out.startswith("run,epoch,ctrl_step,")


def test_cli_summary_and_errors(tmp_path, capsys):
    assert main(["extract", str(MACRO), "--summary"]) == 0
    out = capsys.readouterr().out
    assert "runs 1, epochs 3, archs 30" in out and "problems 0" in out and 'fixed_arc="' in out
    junk = tmp_path / "junk.txt"
    junk.write_text("nothing to see\n")
    assert main(["extract", str(junk)]) == 1
    assert "no reader applies" in capsys.readouterr().err
    assert main(["extract", str(MACRO), "-o", str(tmp_path / "x.xlsx")]) == 1


def test_cli_module_imports_nothing_heavy():
    code = "import sys, extract.cli; print(sorted(m for m in ('pandas', 'numpy', 'torch') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
