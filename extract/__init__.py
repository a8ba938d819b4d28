"""Readers that turn ENAS log files into one tidy SearchLog of pandas DataFrames.

>>> from extract import read_log
>>> log = read_log("sample_logs/authors_macro_search.log")   # the format is detected
>>> log.archs.head(), log.best(last_epochs=1).fixed_arc

Formats (:data:`FORMATS`, tried in this order): our ``events.jsonl``, google-research
enas_lm, carpedm20/ENAS-pytorch, MINGUKKANG, the CODEBRIM fork, the authors' PTB code
and the authors' CIFAR-10 code (macro/micro, search/final).
"""

from __future__ import annotations

from .errors import LogFormatError, NotApplicable
from .read import FORMATS, Reader, detect_format, read_log, read_logs
from .searchlog import Best, SearchLog

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
