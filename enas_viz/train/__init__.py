"""The compact PyTorch ENAS trainer: search, final training, and the pieces they share.

    import enas_viz as ev
    result = ev.search(space="macro", dataset="digits", epochs=10, out="runs/demo", preset="tiny")
    ev.train_final(result.derived_arc, dataset="digits", epochs=10, out="runs/final", preset="tiny")

Modules: ``config`` (the typed Config and presets), ``data`` (embedded and on-disk data
sets), ``cnn`` / ``rnn`` (the child networks, shared or fixed), ``controller`` (the LSTM
policy), ``search_loop`` (the search loop), ``final`` (final training), ``sharing`` (the
shared-vs-fixed check), ``events`` / ``run`` (log, checkpoints, resume), ``cli``.
This package is the only part of enas_viz that imports torch.
"""

from __future__ import annotations

# Loaded on first use: `enas_viz.train.cli` must be importable without torch (`enas-viz --help` stays fast).
_LAZY = {
    "search": ".search_loop",
    "SearchResult": ".search_loop",
    "train_final": ".final",
    "FinalResult": ".final",
    "Config": ".config",
    "make_config": ".config",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'enas_viz.train' has no attribute {name!r}")


__all__ = list(_LAZY)
