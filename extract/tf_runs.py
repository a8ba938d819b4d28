"""The state of one pass over a TF log, and its runs: where one starts and what the last one left.

A run starts at a flags block (80 dashes, then ``name....value`` lines, :mod:`extract.flags`)
or at a ``Logging to`` line, but only once the current run has content: the authors' code
prints both at its start. What the last run left unfinished (an arch without its
``val_acc``, a wrapped numpy array) is reported at its own line when the next run starts.
"""

from __future__ import annotations

import math

from .flags import flag_value, parse_flag_line, space_from_flags
from .source import MAX_LINE_CHARS

__all__ = ["State", "read_flags_block"]

NAN = math.nan


class State:
    """Everything the pass accumulates; one instance per file."""

    def __init__(self, epoch_offset: int) -> None:
        self.offset = epoch_offset
        self.run = 0
        self.run_has_content = False
        self.runs: list[dict] = [{"run": 0, "line": 1, "flags": {}}]
        self.epoch = NAN  # of the last "Epoch N: Training controller"
        self.eval_epoch = NAN
        self.eval_step = NAN
        self.sample = 0
        self.pending: list[list[str]] = []  # arrays of the arch being printed
        self.pending_line = 0
        self.open_array: list | None = None  # [first line, [parts]] of a wrapped numpy array
        self.archs: dict[str, list] = {k: [] for k in ("run", "epoch", "sample", "arc", "val_acc", "reward", "line")}
        self.flops: dict[int, float] = {}
        self.pending_flops = NAN
        # runs of consecutive metric lines: (their text, line count, line of the first, run, epoch)
        self.child: list[tuple[list[str], int, int, float]] = []
        self.ctrl: list[tuple[list[str], int, int, float]] = []
        self.evals: dict[str, list] = {
            k: [] for k in ("run", "epoch", "step", "split", "accuracy", "ppl", "loss", "line")
        }
        self.ptb_eval: dict[str, float] = {}
        self.problems: list[tuple[int, str, str]] = []
        self.noise = 0
        self.layout: tuple[str, dict] | None = None  # (space, params) of the current run
        self.fast_k = 0  # arrays per arch once one block was read cleanly (CIFAR only)
        self.blocks: list[tuple] = []  # set aside for tf_blocks: (start, end, line, run, epoch, layout, k)

    def problem(self, line: int, kind: str, message: str) -> None:
        self.problems.append((line, kind, message))

    def new_run(self, line: int) -> None:
        """A flags block or "Logging to" at ``line``: what the last run left unfinished is dropped here."""
        if self.open_array is not None:
            self.problem(self.open_array[0], "truncated", "numpy array cut off by a new run")
            self.open_array = None
        if self.pending:
            self.problem(self.pending_line, "truncated", "architecture without val_acc, cut off by a new run")
            self.pending = []
        self.sample, self.pending_flops, self.ptb_eval = 0, NAN, {}
        if self.run_has_content:
            self.run += 1
            self.runs.append({"run": self.run, "line": line, "flags": {}})
            self.layout, self.fast_k = None, 0
            self.epoch = self.eval_epoch = self.eval_step = NAN
        self.run_has_content = False


def read_flags_block(st: State, lines: list[str], i: int, first: int) -> int:
    """Read the flags lines from ``lines[i]`` into the current run; return the next index."""
    flags, ambiguous = st.runs[-1]["flags"], {}
    st.runs[-1]["flags_line"] = first + i
    while i < len(lines):
        parsed = parse_flag_line(lines[i]) if len(lines[i]) < MAX_LINE_CHARS else None
        if parsed is None:
            break
        name, raw, unsure = parsed
        flags[name] = flag_value(raw)
        if unsure:
            ambiguous[name] = [raw, "." + raw, ".." + raw]
        if name == "child_fixed_arc":
            st.runs[-1]["fixed_arc_line"] = first + i
        i += 1
    if ambiguous:
        st.runs[-1]["ambiguous_flags"] = ambiguous
    space, params = space_from_flags(flags)
    if space is not None and all(v is not None for v in params.values()):
        st.layout = st.runs[-1]["layout"] = (space, params)
    st.run_has_content = True
    return i
