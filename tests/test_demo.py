"""`enas-viz demo`: search, derived-arc picture and video, end to end on the embedded data."""

from __future__ import annotations

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np

from enas_viz.demo import run_demo
from extract import read_log


def test_demo_writes_log_picture_and_video(tmp_path):
    paths = run_demo(tmp_path / "demo", epochs=2, progress=False)
    log = read_log(paths["log"])
    assert len(log.archs) == 20 and log.meta["space"] == "macro"  # 10 sampled arcs per epoch
    assert paths["derived_arc"] == (paths["log"].parent / "derived_arc.txt").read_text().strip()
    best = log.best()
    assert paths["best_sampled"] == (best.arc, float(best.val_acc), int(best.epoch))
    picture = iio.imread(paths["picture"])
    assert paths["picture"].name == "derived_arc.png"
    assert picture.ndim == 3 and len(np.unique(picture.reshape(-1, picture.shape[-1]), axis=0)) > 8
    frames, _ = imageio_ffmpeg.count_frames_and_secs(str(paths["video"]))  # decodes the whole MP4
    assert frames == len(log.archs)  # 20 arcs fit well within the default minute: all of them
