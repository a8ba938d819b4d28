"""Readers that turn ENAS log files into one tidy SearchLog of pandas DataFrames.

>>> from extract import read_log
>>> log = read_log("sample_logs/authors_macro_search.log")   # the format is detected
>>> log.archs.head(), log.best(last_epochs=1).fixed_arc

Formats (:data:`FORMATS`, tried in this order): our ``events.jsonl``, google-research
enas_lm, carpedm20/ENAS-pytorch, MINGUKKANG, the CODEBRIM fork, the authors' PTB code
and the authors' CIFAR-10 code (macro/micro, search/final).

Names load on first use, so ``import extract.cli`` (``enas-viz --help``) stays free of pandas.
"""

from __future__ import annotations

import importlib

from .errors import LogFormatError, NotApplicable

_LAZY = {
    "FORMATS": ".read",
    "Reader": ".read",
    "detect_format": ".read",
    "read_log": ".read",
    "read_logs": ".read",
    "SearchLog": ".searchlog",
    "Best": ".searchlog",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module 'extract' has no attribute {name!r}")


__all__ = [
    "FORMATS",
    "Best",
    "LogFormatError",
    "NotApplicable",
    "Reader",
    "SearchLog",
    "detect_format",
    "read_log",
    "read_logs",
]
