"""Notebook widgets: ``Timeline`` (scrub a finished or growing search) and ``SearchMonitor`` (watch one run)."""

from __future__ import annotations

from .monitor import SearchMonitor
from .timeline import Timeline

__all__ = ["SearchMonitor", "Timeline"]
