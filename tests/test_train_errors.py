"""Settings no run can use: one clear line naming the option, before anything is written or trained."""

from __future__ import annotations

import math

import pytest
import torch

import enas_viz as ev
from enas_viz.train.config import Config, ConfigError, check_config, make_config

torch.set_num_threads(1)


@pytest.mark.parametrize(
    "space, field, value, message",
    [
        ("macro", "batch_size", 0, "batch_size=0: must be at least 1"),
        ("macro", "batch_size", -5, "batch_size=-5: must be at least 1"),
        ("micro", "epochs", 0, "epochs=0: must be at least 1"),
        ("rnn", "epochs", -3, "epochs=-3: must be at least 1"),
        ("macro", "lr_max", math.nan, "lr_max=nan: not a finite number"),
        ("macro", "ctrl_lr", math.inf, "ctrl_lr=inf: not a finite number"),
        ("macro", "lr_max", -0.1, "lr_max=-0.1: must be a number > 0"),
        ("macro", "keep_prob", 1.5, r"keep_prob=1.5: must be in \(0, 1\]"),
        ("macro", "num_branches", 7, r"num_branches=7: the macro space has 6 ops .*must be in 1\.\.6"),
        ("micro", "num_branches", 1, r"num_branches=1: the micro space has 5 ops .*must be in 2\.\.5"),
        ("rnn", "num_funcs", 5, r"num_funcs=5: the rnn space has 4 ops"),
        ("macro", "seed", -1, r"seed=-1: must be an integer in 0 \.\. 2\*\*32 - 1"),
        ("macro", "max_train_batches", 0, "max_train_batches=0: must be at least 1, or None"),
        ("macro", "eval_batch_size", 0, "eval_batch_size=0: must be at least 1"),
        ("macro", "lr_min", 1.0, r"lr_min=1\.0 is above lr_max=0\.05"),
        ("macro", "batch_size", True, "batch_size=True: a bool is not allowed"),
        ("macro", "lr_max", "0.1", "lr_max='0.1': expected float, got str"),
        ("macro", "epochs", 2.5, "epochs=2.5: expected int, got float"),
    ],
)
def test_make_config_refuses_what_no_run_can_use(space, field, value, message):
    with pytest.raises(ConfigError, match=f"^config {message}"):
        make_config(space, "tiny", **{field: value})


def test_presets_pass_the_check():
    for space in ("macro", "micro", "rnn"):
        for preset in ("paper", "tiny"):
            for final in (False, True):
                assert check_config(make_config(space, preset, final=final)).space == space
    assert check_config(Config()) == Config()


def test_a_given_config_is_checked_too(tmp_path):
    with pytest.raises(ConfigError, match="config batch_size=0"):
        ev.search(config=Config(batch_size=0, epochs=1), out=tmp_path / "run", progress=False)
    assert not (tmp_path / "run").exists()


def _cli_error(capsys, tmp_path, *argv) -> str:
    """Run the CLI; assert it failed with exactly one line on stderr and left no run folder; return the line."""
    from enas_viz.cli import main

    out = tmp_path / "run"
    code = main([*argv, "--out", str(out), "--no-progress", "--preset", "tiny"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err, err
    assert not out.exists()  # refused before anything was written
    return err


@pytest.mark.parametrize(
    "argv, message",
    [
        (["search", "--epochs", "0"], "config epochs=0: must be at least 1"),
        (["search", "--epochs", "-3"], "config epochs=-3: must be at least 1"),
        (["search", "--set", "batch_size=0"], "config batch_size=0"),
        (["search", "--set", "batch_size=-5"], "config batch_size=-5"),
        (["search", "--set", "lr_max=nan"], "config lr_max=nan: not a finite number"),
        (["search", "--set", "batch_size=abc"], "--set 'batch_size=abc': batch_size takes int, not 'abc'"),
        (["search", "--set", "augment=maybe"], "--set 'augment=maybe': augment takes bool | None"),
        (["search", "--device", "tpu"], "device 'tpu' (--device): not a device; expected auto, cpu, cuda"),
        (["search", "--device", "meta"], "device 'meta' (--device): the trainer does not run on meta"),
        (["final", "--arc", "0 3 0 1 1 0 5 1 0 1", "--set", "keep_prob=0"], "config keep_prob=0.0: must be in (0, 1]"),
    ],
)
def test_cli_errors_are_one_line(capsys, tmp_path, argv, message):
    assert message in _cli_error(capsys, tmp_path, *argv)


def test_cli_cuda_without_a_gpu(capsys, tmp_path):
    device = f"cuda:{torch.cuda.device_count()}" if torch.cuda.is_available() else "cuda"
    err = _cli_error(capsys, tmp_path, "search", "--device", device)
    assert f"device {device!r} (--device): " in err
    assert ("CUDA device(s)" if torch.cuda.is_available() else "use cpu, or auto") in err
