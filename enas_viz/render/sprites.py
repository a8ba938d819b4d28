"""Op labels of blitted frames, pasted as cached images: drawing text is most of a frame's cost."""

from __future__ import annotations

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["TextSprites"]


class TextSprites:
    """Images of texts (by content and colour), alpha-blended centred on a pixel position."""

    def __init__(self, dpi: int) -> None:
        self.dpi = dpi
        self._cache: dict = {}

    def paste(self, frame: np.ndarray, centre: tuple[float, float], text) -> None:
        """Blend the image of matplotlib ``text`` into ``frame`` (H, W, 4), centred on display ``centre``."""
        key = (text.get_text(), text.get_color(), text.get_fontsize())
        sprite = self._cache.get(key)
        if sprite is None:
            sprite = self._cache[key] = _draw(text, self.dpi)
        image, alpha, (dy, dx) = sprite  # offsets of the top-left corner: rows, columns
        x, y = centre
        top, left = int(round(frame.shape[0] - y)) + dy, int(round(x)) + dx
        h, w = alpha.shape[:2]
        if top < 0 or left < 0 or top + h > frame.shape[0] or left + w > frame.shape[1]:
            return  # a label past the frame edge (only at tiny frame sizes)
        region = frame[top : top + h, left : left + w, :3]
        region[:] = (image * alpha + region * (1.0 - alpha)).astype(np.uint8)


def _draw(text, dpi: int) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """``text`` drawn once on a transparent canvas: RGB, alpha (0..1) and offset of its centre."""
    size = 4 * max(text.get_fontsize(), 8) * (text.get_text().count("\n") + 1)
    fig = Figure(figsize=(4 * size / 72, size / 72), dpi=dpi)
    fig.patch.set_alpha(0.0)
    canvas = FigureCanvasAgg(fig)
    fig.text(0.5, 0.5, text.get_text(), ha="center", va="center", fontsize=text.get_fontsize(), color=text.get_color())
    canvas.draw()
    rgba = np.asarray(canvas.buffer_rgba())
    rows, cols = np.nonzero(rgba[..., 3])
    if not len(rows):
        return np.zeros((0, 0, 3)), np.zeros((0, 0, 1)), (0, 0)
    r0, r1, c0, c1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    crop = rgba[r0:r1, c0:c1].astype(np.float32)
    centre_row, centre_col = rgba.shape[0] / 2, rgba.shape[1] / 2
    return crop[..., :3], crop[..., 3:] / 255.0, (int(round(r0 - centre_row)), int(round(c0 - centre_col)))
