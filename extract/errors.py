"""The two exceptions of the readers: "not my format" and "no format applies"."""

from __future__ import annotations

__all__ = ["NotApplicable", "LogFormatError"]


class NotApplicable(Exception):
    """Raised by a reader's ``detect`` when a file is not in its format (the reason is the message)."""


class LogFormatError(ValueError):
    """No reader applies to a file (or the forced one does not); the message lists what was tried."""
