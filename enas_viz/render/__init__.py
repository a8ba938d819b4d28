"""Off-screen rendering of architectures to RGB arrays and files (matplotlib Agg, no pyplot).

- :mod:`.renderer`: the :class:`Renderer` (fixed scene, blitted per-arc updates, font sizes per frame size);
- :mod:`.scene`: what the drawing of each space holds (possible edges, roles, labels, curves, notes);
- :mod:`.strip`: the accuracy strip under a video frame;
- :mod:`.geometry`: boxes, curves, trimming and arrowheads; :mod:`.sprites`: cached op-label images.

>>> r = Renderer.for_arc(arc, size=(1280, 720))
>>> rgb = r.render(arc, title="epoch 3", info="val_acc 0.61")   # (720, 1280, 3) uint8
"""

from __future__ import annotations

from .renderer import Renderer, render_arc
from .scene import DEFAULT_SIZES, possible_edges, short_label

__all__ = ["Renderer", "render_arc", "possible_edges", "short_label", "DEFAULT_SIZES"]
