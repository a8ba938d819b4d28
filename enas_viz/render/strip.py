"""The accuracy strip under a video frame: every sample's score, the best so far, a marker for this frame.

The legend sits above the plotting area (outside it), so the marker can never hide it
or be hidden by it, wherever the last sample lies.
"""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D

__all__ = ["Strip", "MARKER_COLOR"]

MARKER_COLOR = "#D62728"
_SAMPLES, _BEST = "#7F8FA6", "#2C7BB6"


class Strip:
    """The strip's axes and its two moving artists (cursor line and dot); ``fonts`` maps a role to points."""

    def __init__(self, ax, fonts: dict, scale: float) -> None:
        self.ax, self.fonts, self.scale = ax, fonts, scale
        ax.tick_params(labelsize=fonts["tick"], length=2, pad=1.5)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_ylabel("val_acc", fontsize=fonts["label"], labelpad=2)
        self.cursor = Line2D([], [], color=MARKER_COLOR, lw=1.4, zorder=5)
        self.dot = Line2D([], [], marker="o", ms=7 * scale, color=MARKER_COLOR, zorder=6, ls="none")
        self.cursor.set_transform(ax.get_xaxis_transform())
        ax.add_line(self.cursor)
        ax.add_line(self.dot)
        self.legend = None

    @property
    def artists(self) -> list:
        return [self.cursor, self.dot]

    def set_series(self, x, y, best=None, *, xlabel: str = "epoch", label: str = "val_acc", xlim=None) -> None:
        """Every sample's score (``x``, ``y``), an optional best-so-far line and the x range shown."""
        ax = self.ax
        x, y = np.asarray(x, float), np.asarray(y, float)
        ok = np.isfinite(x) & np.isfinite(y)
        handles = []
        ax.scatter(x[ok], y[ok], s=3 * self.scale, color=_SAMPLES, alpha=0.45, linewidths=0, zorder=2, rasterized=True)
        if not ok.any():
            ax.text(0.5, 0.5, f"no {label} in this log", transform=ax.transAxes, ha="center", va="center",
                    color="#888888", fontsize=self.fonts["label"])  # fmt: skip
            ax.set_yticks([])
        else:
            handles.append(Line2D([], [], marker="o", ls="none", ms=3, color=_SAMPLES, label="sampled arcs"))
            if best is not None:
                ax.plot(x, best, color=_BEST, lw=1.6, zorder=3)
                handles.append(Line2D([], [], color=_BEST, lw=1.6, label="best so far"))
            handles.append(Line2D([], [], marker="o", ls="none", ms=6, color=MARKER_COLOR, label="this frame"))
        if xlim is None and np.isfinite(x).any():
            lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
            xlim = (lo - max((hi - lo) * 0.01, 0.5), hi + max((hi - lo) * 0.01, 0.5))
        if xlim is not None:
            ax.set_xlim(*xlim)
        if ok.any():
            inside = ok & (x >= ax.get_xlim()[0]) & (x <= ax.get_xlim()[1])
            shown = y[inside] if inside.any() else y[ok]
            if best is not None and inside.any():  # the best-so-far line stays in view in an epoch window
                line = np.asarray(best, float)[inside]
                shown = np.concatenate([shown, line[np.isfinite(line)]])
            lo, hi = float(shown.min()), float(shown.max())
            pad = max((hi - lo) * 0.12, 0.01)
            ax.set_ylim(lo - pad, hi + pad)
        ax.set_xlabel(xlabel, fontsize=self.fonts["label"], labelpad=1)
        ax.set_ylabel(label, fontsize=self.fonts["label"], labelpad=2)
        if handles:  # above the plotting area, right-aligned: outside the data the marker moves over
            self.legend = ax.legend(handles=handles, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=len(handles),
                                    frameon=False, fontsize=self.fonts["tick"], borderaxespad=0.2, handlelength=1.2,
                                    columnspacing=1.2, handletextpad=0.4, borderpad=0.1)  # fmt: skip

    def move(self, position) -> None:
        """Put the cursor at ``(x, y)``; ``None`` or a non-finite x hides it."""
        if position is None or not np.isfinite(position[0]):
            self.cursor.set_data([], [])
            self.dot.set_data([], [])
            return
        x, y = position
        self.cursor.set_data([x, x], [0, 1])
        self.dot.set_data([x], [y] if np.isfinite(y) else [np.nan])
