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
    from enas_viz.video_frames import metric_of as _metric

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
    from enas_viz.video_frames import parse_all as _parse_all

    log = make_log([A, B, A])
    log.meta["space_params"] = {"num_layers": 3, "num_cells": None, "whole_channels": None}
    arcs = _parse_all(log.archs, "macro", log.meta, "test.log")
    assert list(arcs) == [A, B] and arcs[A].params["num_layers"] == 3
    log.archs.loc[1, "arc"] = "0 0"
    with pytest.raises(ValueError, match=r"test\.log:11"):
        _parse_all(log.archs, "macro", log.meta, "test.log")


# -- video a researcher can put in an appendix ------------------------------------------------


def test_default_video_of_the_real_log_lasts_under_a_minute_and_ends_on_its_last_arc():
    from enas_viz.video_frames import auto_every, read_panel, sync, thin

    panel = read_panel(REAL_MACRO, "all")
    frames = sync([panel])
    assert len(frames) == 3100
    every = auto_every(len(frames), fps=8, transition=0, max_seconds=60)
    kept = thin(frames, every, None)
    assert len(kept) <= 8 * 60 and len(kept) > 8 * 50  # as long as a minute allows, no longer
    assert kept[0] == [0] and kept[-1] == [3099]  # from the first arc to the very last one
    with_fades = thin(frames, auto_every(len(frames), 8, 2, 60), None)
    assert len(with_fades) * 3 - 2 <= 8 * 60
    assert len(sync([read_panel(REAL_MACRO, "epoch-best")])) == 310  # 39 s at 8 frames/s


def test_epoch_window_keeps_those_epochs_and_names_the_ones_the_log_has(tmp_path):
    log = make_log([A, B, C, A, B, C, A, B], per_epoch=2)  # epochs 0..3
    frames = select_frames(log.archs, "all", epochs=(1, 2))
    assert frames.rows["epoch"].tolist() == [1, 1, 2, 2]
    assert select_frames(log.archs, "epoch-best", epochs=(2, 3)).rows["epoch"].tolist() == [2, 3]
    so_far = select_frames(log.archs, "best-so-far", epochs=(3, 3))
    assert len(so_far.rows) == 1 and so_far.rows["val_acc"].iloc[0] == log.archs["val_acc"].max()
    with pytest.raises(ValueError, match="holds no sampled architecture; the log has epochs 0 to 3"):
        select_frames(log.archs, "all", epochs=(7, 9))
    with pytest.raises(ValueError, match=r"expected \(first, last\)"):
        select_frames(log.archs, "all", epochs=5)
    with pytest.raises(ValueError, match="must not be after the last"):
        select_frames(log.archs, "all", epochs=(3, 1))
    path = ev.write_video(log, tmp_path / "w.gif", size=(240, 136), epochs=(1, 2), every=1, progress=False)
    assert len(read_frames(path)) == 4


def _pixels_of(frame, color, tol=40):
    from matplotlib.colors import to_rgb

    target = np.array([round(255 * c) for c in to_rgb(color)])
    return (np.abs(frame[..., :3].astype(int) - target).sum(axis=2) < tol).sum()


def test_new_edges_and_changed_ops_are_marked_in_the_change_colour():
    from enas_viz.colors import CHANGED_COLOR
    from enas_viz.render import Renderer

    a = ev.parse_arc("0 3 0 0 1 0", "macro")
    same_ops = ev.parse_arc("0 3 1 0 1 1", "macro")  # two new skips, no op changed
    other_op = ev.parse_arc("5 3 0 0 1 0", "macro")  # layer 0: conv3x3 -> max_pool, no new edge
    r = Renderer.for_arc(a, size=(640, 360), changes=True)
    legend_only = _pixels_of(r.render(a), CHANGED_COLOR)  # its legend entry, and nothing else
    assert legend_only > 0 and _pixels_of(r.render(a, prev=a), CHANGED_COLOR) == legend_only
    new_edges = r.render(same_ops, prev=a)
    assert _pixels_of(new_edges, CHANGED_COLOR) > legend_only + 100
    assert list(r.nodes.get_linewidths()) == [1.0, 1.0, 1.0]  # no op changed: plain outlines
    r.render(other_op, prev=a)
    widths = r.nodes.get_linewidths()
    assert widths[0] > 1.0 and list(widths[1:]) == [1.0, 1.0]  # only layer 0 is outlined
    plain = Renderer.for_arc(a, size=(640, 360))  # changes=False: no mark, no legend entry
    assert _pixels_of(plain.render(same_ops, prev=a), CHANGED_COLOR) == 0


@pytest.mark.parametrize("size", [(1280, 720), (640, 360)])
@pytest.mark.parametrize("last", [0.05, 0.95])
def test_marker_never_meets_the_strip_legend_and_the_title_never_meets_the_score(size, last):
    from enas_viz.render import Renderer

    arcs = [A, B, C, A, B, C, A, B, C, A]
    log = make_log(arcs, accs=[*np.linspace(0.3, 0.7, 9), last], per_epoch=2)
    frames = select_frames(log.archs)
    r = Renderer.for_arc(ev.parse_arc(A, "macro"), size=size, strip=True, changes=True)
    r.set_series(frames.x, log.archs["val_acc"], frames.best)
    title = "ENAS macro search · epoch 310 · sample 9 · arc 3100/3100"  # the real log's longest
    r.render_rgba(ev.parse_arc(A, "macro"), title=title, info="val_acc 0.8203", position=(frames.x[-1], last))
    renderer = r.canvas.get_renderer()
    legend = r.strip.legend.get_window_extent(renderer)
    x, y = r.strip_ax.transData.transform((frames.x[-1], last))
    radius = r.strip.dot.get_markersize() * r.dpi / 72 / 2 + 1
    assert not legend.overlaps(type(legend).from_extents(x - radius, y - radius, x + radius, y + radius))
    assert r.title.get_window_extent(renderer).x1 < r.info.get_window_extent(renderer).x0
    assert r.fig.bbox.contains(*r.info.get_window_extent(renderer).p1 - 1)


def test_text_is_readable_at_640x360():
    from enas_viz.render import Renderer

    r = Renderer.for_arc(ev.parse_arc(" ".join(["1"] * 78), "macro"), size=(640, 360), strip=True, changes=True)
    px = {role: size * r.dpi / 72 for role, size in r.fonts.items()}
    assert min(px.values()) >= 10 and px["title"] >= 13  # pixels of the em square
    assert all(t.get_fontsize() * r.dpi / 72 >= 8.5 for t in r.labels.values())  # op labels in 35-pixel boxes
    big = Renderer.for_arc(ev.parse_arc(" ".join(["1"] * 78), "macro"), size=(1280, 720), strip=True)
    assert big.fonts["title"] > r.fonts["title"]  # text scales with the frame, more slowly than it


def test_two_searches_side_by_side_synced_by_epoch(tmp_path):
    from enas_viz.video_frames import read_panel, sync

    short = make_log([A, B, C, A, B, C], per_epoch=2)  # epochs 0..2
    long = make_log([C, B, A, C, B, A, C, B, A, C], per_epoch=2)  # epochs 0..4
    long.meta["source"] = "other.log"
    panels = [read_panel(short, "epoch-best"), read_panel(long, "epoch-best")]
    frames = sync(panels)
    assert len(frames) == 5 and [f[1] for f in frames] == [0, 1, 2, 3, 4]
    assert [f[0] for f in frames] == [0, 1, 2, 2, 2]  # the shorter search holds its last epoch
    path = ev.write_video([short, long], tmp_path / "two.gif", size=(320, 240), which="epoch-best", progress=False)
    video = read_frames(path)
    assert video.shape[:3] == (5, 240, 320)
    top, bottom = video[:, :118].astype(int), video[:, 122:].astype(int)
    assert np.abs(top[3] - top[4]).mean() < 0.5 < np.abs(bottom[3] - bottom[4]).mean()
    assert (video[:, 119:121] < 230).all()  # the line between the two panels


def test_on_frame_reports_progress_and_cancel_stops_and_removes_the_file(tmp_path):
    import threading

    seen = []
    log = make_log([A, B, C, A])
    ev.write_video(log, tmp_path / "p.mp4", size=(160, 96), every=1, on_frame=lambda d, t: seen.append((d, t)),
                   progress=False)  # fmt: skip
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    cancel = threading.Event()

    def stop_after_two(done, total):
        if done == 2:
            cancel.set()

    path = tmp_path / "c.mp4"
    assert (
        ev.write_video(log, path, size=(160, 96), every=1, on_frame=stop_after_two, cancel=cancel, progress=False)
        is None
    )
    assert not path.exists()


@pytest.mark.parametrize("command", ["video", "draw", "demo"])
def test_help_shows_every_default(command, capsys):
    from enas_viz.cli import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command").choices[command]
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for action in sub._actions:
        if action.option_strings and action.default not in (None, False, "==SUPPRESS=="):
            assert "(default" in " ".join((action.help or "").split()) or f"(default: {action.default})" in text, (
                action.dest
            )
    if command == "video":
        assert "(default: 1280x720)" in text and "(default: 60.0)" in text and "(default: all)" in text
