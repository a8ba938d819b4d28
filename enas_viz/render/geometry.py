"""Pure geometry of a drawing: node boxes, curved edges, their trimming at the boxes, arrowheads."""

from __future__ import annotations

import numpy as np
from matplotlib.path import Path
from matplotlib.transforms import IdentityTransform

__all__ = ["rounded_box", "bezier", "trim", "arrowhead", "identity"]


def rounded_box(w: float, h: float, r: float, steps: int = 5) -> Path:
    """A closed rounded rectangle centred on (0, 0), as a polygon path."""
    r = min(r, w / 2, h / 2)
    verts = []
    corners = ((w / 2 - r, h / 2 - r), (-w / 2 + r, h / 2 - r), (-w / 2 + r, -h / 2 + r), (w / 2 - r, -h / 2 + r))
    for quarter, (cx, cy) in enumerate(corners):
        a = np.radians(np.linspace(90 * quarter, 90 * quarter + 90, steps))
        verts += list(zip(cx + r * np.cos(a), cy + r * np.sin(a), strict=True))
    verts.append(verts[0])
    return Path(np.array(verts), closed=True)


def bezier(p0, p2, apex_y: float | None, n: int = 36) -> np.ndarray:
    """A quadratic curve from p0 to p2 whose midpoint is at height ``apex_y`` (straight if None)."""
    p0, p2 = np.asarray(p0, float), np.asarray(p2, float)
    t = np.linspace(0.0, 1.0, n)[:, None]
    if apex_y is None:
        return p0 + t * (p2 - p0)
    c = np.array([(p0[0] + p2[0]) / 2, 2 * apex_y - (p0[1] + p2[1]) / 2])
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * c + t**2 * p2


def trim(line: np.ndarray, half: tuple, at_end: bool) -> np.ndarray:
    """Cut the part of a pixel polyline inside the box (half-width, half-height) of its end."""
    pts = line[::-1] if at_end else line
    centre = pts[0]
    a, b = half

    def inside(p):
        return abs(p[0] - centre[0]) <= a and abs(p[1] - centre[1]) <= b

    i = 1
    while i < len(pts) - 1 and inside(pts[i]):
        i += 1
    lo, hi = pts[i - 1], pts[i]  # lo inside, hi outside: bisect the crossing
    for _ in range(12):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if inside(mid) else (lo, mid)
    out = np.vstack([hi, pts[i:]])
    return out[::-1] if at_end else out


def arrowhead(angle: float, length: float) -> Path:
    """A filled triangle in points with its tip at (0, 0), pointing at ``angle`` (radians)."""
    tri = np.array([[0.0, 0.0], [-length, 0.42 * length], [-0.75 * length, 0.0], [-length, -0.42 * length], [0, 0]])
    c, s = np.cos(angle), np.sin(angle)
    return Path(tri @ np.array([[c, s], [-s, c]]), closed=True)


def identity() -> IdentityTransform:
    """Paths in points, drawn at their offsets: the transform of node boxes and arrowheads."""
    return IdentityTransform()
