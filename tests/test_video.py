"""write_video / `enas-viz video`: MP4 and GIF of a search, read back with imageio."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import enas_viz as ev
from enas_viz.cli import main
from enas_viz.video import preview, select_frames
from extract import SearchLog

A = "0 3 0 0 1 0"  # 3-layer macro arcs
B = "5 1 1 2 1 1"
C = "4 0 1 3 0 0"


def make_log(arcs, accs=None, per_epoch=2, space="macro") -> SearchLog:
    accs = accs if accs is not None else np.linspace(0.2, 0.8, len(arcs))
    rows = [
        {
            "run": 0,
            "epoch": i // per_epoch,
            "sample": i % per_epoch,
            "space": space,
            "arc": arc,
            "val_acc": acc,
            "reward": np.nan,
            "line": 10 * i + 1,
        }
        for i, (arc, acc) in enumerate(zip(arcs, accs, strict=True))
    ]
    archs = pd.DataFrame(rows) if rows else None
    meta = {"format": "test", "space": space, "space_params": {"num_layers": 3}, "source": "test.log"}
    return SearchLog(meta=meta, archs=archs) if archs is not None else SearchLog(meta=meta)


def read_frames(path):
    """Every frame of a video file as (n, H, W, 3): GIFs by imageio, MP4s by imageio-ffmpeg's ffmpeg."""
    import re
    import subprocess

    import imageio.v3 as iio
    import imageio_ffmpeg

    if str(path).endswith(".gif"):
        return iio.imread(path, index=None)[..., :3]
    # imageio's own mp4 readers leave ffmpeg's pipes open (ResourceWarning), so decode directly
    exe = imageio_ffmpeg.get_ffmpeg_exe()
    probe = subprocess.run([exe, "-hide_banner", "-i", str(path)], capture_output=True, text=True).stderr
    width, height = map(int, re.search(r"Video: h264.*?, (\d+)x(\d+)", probe).groups())
    assert "yuv420p" in probe
    raw = subprocess.run(
        [exe, "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def dag_region(frame):
    h = frame.shape[0]
    return frame[int(0.3 * h) : int(0.7 * h)].astype(int)


def test_mp4_frame_count_size_and_content(tmp_path):
    log = make_log([A, A, B, C])
    path = ev.write_video(log, tmp_path / "s.mp4", fps=4, size=(320, 176), progress=False)
    frames = read_frames(path)
    assert frames.shape == (4, 176, 320, 3)
    same = np.abs(dag_region(frames[0]) - dag_region(frames[1])).mean()
    differ = np.abs(dag_region(frames[1]) - dag_region(frames[2])).mean()
    assert differ > 4 * same + 1  # identical arcs look alike, a different arc does not
    assert np.abs(dag_region(frames[2]) - dag_region(frames[3])).mean() > 4 * same + 1


def test_odd_sizes_are_padded_to_16_for_h264(tmp_path):
    path = ev.write_video(make_log([A, B]), tmp_path / "odd.mp4", size=(250, 151), progress=False)
    frames = read_frames(path)
    assert frames.shape == (2, 160, 256, 3)
    assert (frames[0, 152:, :250] > 230).all()  # the padding is white, not stretched content


def test_gif_every_and_transition(tmp_path):
    log = make_log([A, B, C, A, B])
    path = ev.write_video(log, tmp_path / "s.gif", size=(240, 136), every=2, progress=False)
    frames = read_frames(path)
    assert frames.shape[:3] == (3, 136, 240)  # arcs 0, 2, 4
    assert not np.array_equal(dag_region(frames[0]), dag_region(frames[1]))
    path = ev.write_video(log, tmp_path / "t.gif", size=(240, 136), every=2, transition=2, progress=False)
    assert len(read_frames(path)) == 3 + 2 * 2


def test_frames_dir_writes_pngs(tmp_path):
    import imageio.v3 as iio

    ev.write_video(make_log([A, B, C]), tmp_path / "s.mp4", size=(160, 96), frames_dir=tmp_path / "f", progress=False)
    pngs = sorted((tmp_path / "f").glob("*.png"))
    assert len(pngs) == 3
    assert iio.imread(pngs[0]).shape[:2] == (96, 160)


def test_select_frames_epoch_best_and_best_so_far():
    log = make_log([A, B, C, A, B, C], accs=[0.5, 0.6, 0.9, 0.1, 0.2, 0.3], per_epoch=2)
    best = select_frames(log.archs, "epoch-best")
    assert best.rows["val_acc"].tolist() == [0.6, 0.9, 0.3]
    so_far = select_frames(log.archs, "best-so-far")
    assert so_far.rows["val_acc"].tolist() == [0.6, 0.9, 0.9]
    assert select_frames(log.archs, "all", every=4).rows.index.tolist() == [0, 4]
    assert np.allclose(best.best, [0.5, 0.6, 0.9, 0.9, 0.9, 0.9])


def test_logs_scored_only_by_reward_rank_by_reward():
    from enas_viz.video import _metric

    log = make_log([A, B, C, A], accs=[np.nan] * 4)
    log.archs["reward"] = [0.1, 0.3, 0.2, 0.05]
    assert _metric(log.archs) == "reward"
    assert select_frames(log.archs, "epoch-best", metric="reward").rows["arc"].tolist() == [B, C]
    assert _metric(make_log([A, B]).archs) == "val_acc"


def test_which_best_so_far_writes_one_frame_per_epoch(tmp_path):
    log = make_log([A, B, C, A, B, C], accs=[0.5, 0.6, 0.9, 0.1, 0.2, 0.3])
    frames = read_frames(ev.write_video(log, tmp_path / "b.mp4", size=(160, 96), which="best-so-far", progress=False))
    assert len(frames) == 3


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"path": "x.avi"}, r"\.mp4 or \.gif"),
        ({"path": "nodir/x.mp4"}, "does not exist"),
        ({"which": "best"}, "epoch-best"),
        ({"every": 0}, "every is 0"),
        ({"fps": 0}, "fps is 0"),
    ],
)
def test_bad_options_fail_before_any_work(tmp_path, kwargs, message):
    path = tmp_path / kwargs.pop("path", "x.mp4")
    with pytest.raises(ValueError, match=message):
        ev.write_video(make_log([A]), path, progress=False, **kwargs)
    assert not path.exists()


def test_empty_log_unknown_space_and_bad_arc_are_refused(tmp_path):
    path = tmp_path / "x.mp4"
    with pytest.raises(ValueError, match="no sampled architectures"):
        ev.write_video(make_log([]), path, progress=False)
    log = make_log([A])
    log.meta["space"] = "nasbench"
    with pytest.raises(ValueError, match="unknown search space 'nasbench'"):
        ev.write_video(log, path, progress=False)
    with pytest.raises(ValueError, match=r"test.log:21: macro layer 1: skip bit 0 is 7"):
        ev.write_video(make_log([A, A, "0 1 7 0 0 0"]), path, progress=False)
    (tmp_path / "d.mp4").mkdir()
    with pytest.raises(ValueError, match="is a directory"):
        ev.write_video(make_log([A]), tmp_path / "d.mp4", progress=False)
    assert not path.exists()


def test_cli_video(tmp_path, monkeypatch, capsys):
    import extract

    log_file = tmp_path / "stdout"
    log_file.write_text("a log\n")
    monkeypatch.setattr(extract, "read_log", lambda path: make_log([A, B, C]), raising=False)
    out = tmp_path / "v.mp4"
    assert main(["video", str(log_file), "-o", str(out), "--size", "160x96", "--no-progress", "--every", "2"]) == 0
    assert len(read_frames(out)) == 2
    assert main(["video", str(tmp_path / "missing"), "-o", str(out)]) == 1
    assert "no such log file" in capsys.readouterr().err


def test_preview_embeds_only_small_files(tmp_path):
    path = ev.write_video(make_log([A, B]), tmp_path / "p.mp4", size=(160, 96), progress=False)
    assert "base64" in preview(path)._repr_html_()
    linked = preview(path, embed_limit=10)._repr_html_()
    assert "base64" not in linked and "p.mp4" in linked


REAL_MACRO = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "real_logs"
    / "beautymess_enas_cifar10_macro_search_nohup-12layers.out"
)


def test_real_macro_search_log_from_its_path(tmp_path, capsys):
    """The 3100-arc authors' log, read by extract.read_log from its path (first arcs only)."""
    out = tmp_path / "real.mp4"
    code = main(["video", str(REAL_MACRO), "-o", str(out), "--size", "320x176", "--limit", "5", "--no-progress"])
    assert code == 0, capsys.readouterr().err
    frames = read_frames(out)
    assert frames.shape == (5, 176, 320, 3)
    assert all(np.abs(dag_region(frames[i]) - dag_region(frames[i + 1])).mean() > 1 for i in range(4))


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # imageio's reader leaks pipes
def test_imageio_reads_the_mp4_back(tmp_path):
    import imageio

    path = ev.write_video(make_log([A, B, C]), tmp_path / "r.mp4", size=(320, 176), fps=5, progress=False)
    with imageio.get_reader(path) as reader:
        frames = [frame for frame in reader]
        assert reader.get_meta_data()["fps"] == 5
    assert len(frames) == 3 and frames[0].shape == (176, 320, 3)
    assert np.abs(dag_region(frames[0]) - dag_region(frames[1])).mean() > 1


def test_strip_positions_match_the_notebook_curve():
    from enas_viz.figures.logdata import epoch_position

    log = make_log([A, B, C, A, B, C], per_epoch=3)
    log.archs["epoch"] += 1  # completed epochs 1 and 2
    x = select_frames(log.archs).x
    assert np.allclose(x, epoch_position(log.archs))
    assert np.allclose(x, [1 / 3, 2 / 3, 1.0, 4 / 3, 5 / 3, 2.0])  # epoch e in (e - 1, e]
    assert np.allclose(x, ev.Timeline(log)._x)


def test_draw_and_video_share_one_size_option():
    from enas_viz import draw, video_cli

    assert video_cli.parse_size is draw.parse_size and draw.parse_size("640x360") == (640, 360)


def test_video_parses_arcs_with_the_notebook_parser():
    from enas_viz.video import _parse_all

    log = make_log([A, B, A])
    log.meta["space_params"] = {"num_layers": 3, "num_cells": None, "whole_channels": None}
    arcs = _parse_all(log.archs, "macro", log.meta, "test.log")
    assert list(arcs) == [A, B] and arcs[A].params["num_layers"] == 3
    log.archs.loc[1, "arc"] = "0 0"
    with pytest.raises(ValueError, match=r"test\.log:11"):
        _parse_all(log.archs, "macro", log.meta, "test.log")
