"""Readers that turn ENAS log files into one tidy SearchLog of pandas DataFrames."""

from __future__ import annotations

from .searchlog import SearchLog

__all__ = ["SearchLog"]
