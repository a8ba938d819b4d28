"""ENAS search spaces: their parameters and op tables, as data.

Three spaces, in the encodings of the authors' code (melodyguan/enas):

* ``macro``: ``num_layers`` layers; layer L is one op token followed by L skip bits
  (``whole_channels=True``, the layout of every shipped script), or ``num_branches``
  (start, count) pairs followed by L skip bits (``whole_channels=False``).
* ``micro``: ``num_cells`` nodes per cell, four tokens each (``x_id x_op y_id y_op``);
  one arc is the normal cell followed by the reduce cell.
* ``rnn``: ``num_nodes`` nodes, ``2N-1`` tokens ``f0 p1 f1 ... p(N-1) f(N-1)``
  (``encoding="enas"``), or google-research enas_lm's ``2N`` tokens
  ``p1 f1 ... pN fN`` after a fixed tanh node 0 (``encoding="enas_lm"``).

The op order of every table is the order of the code that sampled the tokens. The
table a log used is recorded with it (the CODEBRIM notebook swapped two labels
because it did not). Forks with more ops (the 7-op "mobile" fork) pass ``ops=``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "MACRO_OPS",
    "MICRO_OPS",
    "RNN_OPS",
    "ENAS_LM_OPS",
    "SPACES",
    "SpaceSpec",
    "default_ops",
    "op_table",
]

# general_child.py:_enas_layer, branches 0..5 (4 and 5 exist when num_branches >= 5, 6).
MACRO_OPS = ("conv3x3", "sep_conv3x3", "conv5x5", "sep_conv5x5", "avg_pool3x3", "max_pool3x3")
# micro_child.py:_enas_cell, out = [sep3, sep5, avg_pool, max_pool, x].
MICRO_OPS = ("sep_conv3x3", "sep_conv5x5", "avg_pool3x3", "max_pool3x3", "identity")
# ptb_enas_child.py:_rhn_fixed and carpedm20 config.py, same order.
RNN_OPS = ("tanh", "relu", "identity", "sigmoid")
# google-research enas_lm child.py: a different order from the authors' PTB code.
ENAS_LM_OPS = ("tanh", "relu", "sigmoid", "identity")


@dataclass(frozen=True)
class SpaceSpec:
    """A search space: its name, default parameters and default op table."""

    name: str
    defaults: dict = field(default_factory=dict)
    ops: tuple[str, ...] = ()
    description: str = ""
    size_param: str = ""  # the parameter that the token count fixes
    count_param: str = ""  # the parameter that says how many ops a token can name


SPACES: dict[str, SpaceSpec] = {
    "macro": SpaceSpec(
        "macro",
        {"num_layers": 12, "num_branches": 6, "whole_channels": True},
        MACRO_OPS,
        "whole network: one op per layer plus skip bits to earlier layers",
        "num_layers",
        "num_branches",
    ),
    "micro": SpaceSpec(
        "micro",
        {"num_cells": 5, "num_branches": 5, "reduce": True},
        MICRO_OPS,
        "normal and reduce cells of num_cells nodes, two inputs and two ops each",
        "num_cells",
        "num_branches",
    ),
    "rnn": SpaceSpec(
        "rnn",
        {"num_nodes": 12, "num_funcs": 4, "encoding": "enas"},
        RNN_OPS,
        "recurrent cell of num_nodes nodes, one parent and one activation each",
        "num_nodes",
        "num_funcs",
    ),
}


def default_ops(space: str, encoding: str = "enas") -> tuple[str, ...]:
    """The authors' op table of ``space`` (enas_lm's for ``rnn`` with that encoding)."""
    if space == "rnn" and encoding == "enas_lm":
        return ENAS_LM_OPS
    try:
        return SPACES[space].ops
    except KeyError:
        raise ValueError(f"unknown space {space!r}; expected one of {sorted(SPACES)}") from None


def op_table(space: str, num_ops: int, ops=None, encoding: str = "enas") -> tuple[str, ...]:
    """Op names for ``num_ops`` op ids: ``ops`` if given, else the default table.

    Ids past the end of the default table (forks with extra ops) are named ``op6``,
    ``op7``, ... so they can be drawn; pass ``ops=`` to give them real names.
    """
    if ops is not None:
        ops = tuple(str(o) for o in ops)
        if len(ops) < num_ops:
            raise ValueError(f"{space}: ops= names {len(ops)} ops, but num ops is {num_ops}")
        return ops
    base = default_ops(space, encoding)
    return tuple(base[i] if i < len(base) else f"op{i}" for i in range(max(num_ops, 0)))
