"""Widget messages that reach a kernel while a cell is still running (the monitor's Stop button).

While ``ev.search`` runs in a cell, the kernel's main thread is busy: ipywidgets handles
a click only when the cell ends, too late for a Stop button. ipykernel 7 receives shell
messages on its own thread and asks each comm, on that thread, where to route its
messages (``comm._reply_subshell_for(data, default)``). :func:`on_message_while_busy`
wraps that hook of one widget's comm to call ``handler(data)`` there and then, and
routes the message on unchanged; the usual handler still runs when the cell ends.
``handler`` must only set plain attributes (it runs on another thread).
Returns False where the kernel has no such hook (ipykernel < 7, or no kernel): there
the widget works as usual once the cell finishes.
"""

from __future__ import annotations

import contextlib

__all__ = ["on_message_while_busy", "is_click"]


def on_message_while_busy(widget, handler) -> bool:
    """Call ``handler(data)`` on the kernel's shell thread for every message the front end sends ``widget``."""
    comm = getattr(widget, "comm", None)
    route = getattr(comm, "_reply_subshell_for", None)
    if comm is None or route is None or not callable(route):
        return False

    def routed(data, default):
        with contextlib.suppress(Exception):  # never break the kernel's message routing
            handler(data)
        return route(data, default)

    comm._reply_subshell_for = routed
    return True


def is_click(data) -> bool:
    """Whether a comm message's ``data`` is an ipywidgets Button click."""
    return (
        isinstance(data, dict)
        and data.get("method") == "custom"
        and (data.get("content") or {}).get("event") == "click"
    )
