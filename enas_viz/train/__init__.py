"""The compact PyTorch ENAS trainer: search, final training, and the pieces they share.

    import enas_viz as ev
    result = ev.search(space="macro", dataset="digits", epochs=10, out="runs/demo", preset="tiny")
    ev.train_final(result.best_arc, dataset="digits", epochs=10, out="runs/final", preset="tiny")

Modules: ``config`` (the typed Config and presets), ``data`` (embedded and on-disk data
sets), ``cnn`` / ``rnn`` (the child networks, shared or fixed), ``controller`` (the LSTM
policy), ``search`` (the search loop), ``final`` (final training), ``sharing`` (the
shared-vs-fixed check), ``events`` / ``run`` (log, checkpoints, resume), ``cli``.
This package is the only part of enas_viz that imports torch.
"""

from __future__ import annotations

from .config import Config, make_config
from .final import FinalResult, train_final
from .search import SearchResult, search

__all__ = ["search", "train_final", "Config", "make_config", "SearchResult", "FinalResult"]
