"""The engine shared by every TF-era ENAS log: the authors' CIFAR-10 and PTB code and its forks.

One pass over the lines, dispatching on the first character, collects records by kind;
numeric fields are parsed in bulk at the end (:mod:`extract.tables`). A "Here are 10
architectures" block whose shape is the one already seen is read in one step (the
fast path); anything irregular (noise inside the block, a wrapped numpy array, a cut
off arch) goes line by line. Lines that look like a record but cannot be read become
``problems`` with their line number; build noise, TF stderr, warnings and tracebacks
are skipped and counted in ``meta["noise_lines"]``. The state of the pass and where a run starts are in :mod:`extract.tf_runs`.

Epochs: ``Epoch N:`` headers count completed child epochs (1-based); ``epoch_offset``
(1 for the CODEBRIM fork, whose headers are 0-based) is added so numbers mean the same.
Rewards: the authors' controller reward for CIFAR is the minibatch valid accuracy, so
``reward`` is ``val_acc`` for archs and ``acc`` for controller rows (the entropy bonus
is not printed and is not added); for PTB it is the printed ``rw``.
"""

from __future__ import annotations

import math

from .arcs import infer_params
from .flags import KNOWN_FLAGS, parse_flag_line
from .searchlog import SearchLog
from .source import MAX_LINE_CHARS
from .tf_blocks import read_blocks
from .tf_build import build as _build
from .tf_runs import State, read_flags_block
from .tf_segments import read_segment

__all__ = ["parse_tf_log"]

NAN = math.nan
_DASHES = "-" * 80
_HERE = "Here are 10 architectures\n"


def parse_tf_log(text: str, fmt: str, epoch_offset: int = 0) -> SearchLog:
    """Read an authors'-style TF log (CIFAR-10, PTB, MINGUKKANG, CODEBRIM) from its text.

    The text is cut at each "Here are 10 architectures" block: the lines between blocks
    go through :func:`_read_lines`; a block is read in bulk when it has the usual shape
    and line by line otherwise.
    """
    st = State(epoch_offset)
    pos, lineno, size = 0, 1, len(text)
    while pos < size:
        here = text.find(_HERE, pos)
        while here > 0 and text[here - 1] != "\n":
            here = text.find(_HERE, here + 1)
        if here < 0:
            lines = text[pos:].split("\n")
            if lines[-1] == "":
                lines.pop()
            _read_lines(st, lines, lineno)
            lineno += len(lines)
            pos = size
        else:
            lineno = read_segment(st, text, pos, here, lineno, _read_lines)
            if st.pending or st.open_array is not None:
                _read_lines(st, [_HERE[:-1]], lineno)
            else:  # what _read_lines does with this line when nothing is pending
                st.sample, st.run_has_content = 0, True
            lineno += 1
            pos = here + len(_HERE)
        if here >= 0 and st.fast_k and st.open_array is None:
            # a block of the usual line count is set aside and read in bulk at the end
            m = st.fast_k + 2
            end = text.find("\nEpoch ", pos)
            if end >= 0 and text.count("\n", pos, end + 1) == 10 * m:
                _drop_pending(st, "architecture without val_acc before the next block")
                st.blocks.append((pos, end + 1, lineno, st.run, st.epoch, st.layout, st.fast_k))
                st.sample = 10
                lineno += 10 * m
                pos = end + 1
    if st.open_array is not None:
        st.problem(st.open_array[0], "truncated", "numpy array cut off at the end of the file")
    _drop_pending(st, "architecture without val_acc at the end of the file (cut off?)")
    read_blocks(st, text, lambda block: _slow_block(st, text, block))
    return _build(st, fmt)


def _slow_block(st: State, text: str, block: tuple) -> None:
    """Read one set-aside block line by line, in the run and epoch it was printed in."""
    start, end, first, run, epoch, layout, _ = block
    saved = (st.run, st.epoch, st.layout, st.pending, st.open_array, st.sample)
    st.run, st.epoch, st.layout, st.pending, st.open_array, st.sample = run, epoch, layout, [], None, 0
    _read_lines(st, text[start:end].split("\n")[:-1], first)
    if st.open_array is not None:
        st.problem(st.open_array[0], "truncated", "numpy array cut off before its closing ']'")
    _drop_pending(st, "architecture without val_acc before the next 'Epoch' header")
    st.run, st.epoch, st.layout, st.pending, st.open_array, st.sample = saved


def _read_lines(st: State, lines: list[str], first: int) -> None:
    """Dispatch each line on its first character; ``lines[0]`` is line ``first`` of the file."""
    n = len(lines)
    i = 0
    while i < n:
        line = lines[i]
        i += 1
        c = line[:1]
        if st.open_array is not None:
            if c == " " and _continues_array(line):
                st.open_array[1].append(line)
                if "]" in line:
                    start, parts = st.open_array
                    st.open_array = None
                    _array_line(st, " ".join(parts), start)
                continue
            st.problem(st.open_array[0], "truncated", "numpy array cut off before its closing ']'")
            st.open_array = None
        if c == "[":
            _array_line(st, line, first + i - 1)
        elif c == "c" and line.startswith("ctrl_step"):
            j = i
            while j < n and lines[j].startswith("ctrl_step"):
                j += 1
            st.ctrl.append(("\n".join(lines[i - 1 : j]) + "\n", j - i + 1, first + i - 1, st.run, st.epoch))
            st.run_has_content = True
            i = j
        elif c == "e" and line.startswith("epoch"):
            j = i
            while j < n and lines[j].startswith("epoch"):
                j += 1
            st.child.append(("\n".join(lines[i - 1 : j]) + "\n", j - i + 1, first + i - 1, st.run, st.epoch))
            st.run_has_content = True
            i = j
        elif c == "v":
            if line.startswith("val_acc"):
                _val_acc(st, line, first + i - 1)
            elif line.startswith("valid_"):
                _eval_line(st, line, first + i - 1)
            else:
                st.noise += 1
        elif c == "E":
            _epoch_header(st, line, first + i - 1)
        elif c == "H" and line.startswith("Here are 10 architectures"):
            _drop_pending(st, "architecture without val_acc before the next block")
            st.sample = 0
            st.run_has_content = True
        elif c == "t" and (line.startswith("test_") or line.startswith("train_accuracy")):
            _eval_line(st, line, first + i - 1)
        elif c == "-" and line.startswith(_DASHES):
            if i < n and lines[i][:1].islower() and (fl := parse_flag_line(lines[i])) and fl[0] in KNOWN_FLAGS:
                st.new_run(first + i - 1)  # the dashes above the flags
                i = read_flags_block(st, lines, i, first)
        elif c == "L" and line.startswith("Logging to "):
            st.new_run(first + i - 1)
            st.runs[-1]["logging_to"] = line[len("Logging to ") :].strip()
        elif c == "F" and line.startswith("FLOPS factor:"):
            _flops(st, line, first + i - 1)
        elif len(line) > MAX_LINE_CHARS:
            st.problem(first + i - 1, "too_long", f"line of {len(line)} characters skipped")
        else:
            st.noise += 1


# -- arcs ---------------------------------------------------------------------------------


def _continues_array(line: str) -> bool:
    """A numpy continuation line: `  5 6 7]` (digits, spaces, maybe the `]` and a PTB ` rw=`)."""
    body = line.partition("]")[0]
    return body.replace(" ", "").isdigit()


def _array_line(st: State, line: str, lineno: int) -> None:
    # "[0 0 1 1 2 0 0 0 0 4 1 2 4 0 4 3 3 0 1 0]"  or PTB "[ 0  0  0  1 ... 10  0] rw=0.553"
    if len(line) > MAX_LINE_CHARS:
        st.problem(lineno, "too_long", f"line of {len(line)} characters skipped")
        return
    body, bracket, rest = line[1:].partition("]")
    if not bracket:
        if body.replace(" ", "").isdigit():
            st.open_array = [lineno, [line]]
        else:
            st.noise += 1
        return
    tokens = body.split()
    if not tokens or not "".join(tokens).isdigit():
        st.noise += 1  # "[*] MODEL dir", "[W ...]": not an arc
        return
    rest = rest.strip()
    if rest.startswith("rw="):  # PTB: the whole arc and its reward on one line
        st.run_has_content = True
        reward = _float(rest[3:])
        if reward is None:
            st.problem(lineno, "bad_value", f"rw is {rest[3:]!r}, expected a number")
            return
        _drop_pending(st, "architecture without val_acc before a PTB arc")
        if st.layout is None:
            st.layout = ("rnn", infer_params("rnn", [tokens]))
            st.runs[-1]["layout"], st.runs[-1]["inferred"] = st.layout, True
        _emit(st, " ".join(tokens), NAN, reward, lineno)
        return
    if not st.pending:
        st.pending_line = lineno
    st.pending.append(tokens)


def _val_acc(st: State, line: str, lineno: int) -> None:
    # "val_acc=0.4141" (authors) or "val_acc = 0.1063" (MINGUKKANG)
    value = _float(line.partition("=")[2])
    if value is None:
        st.problem(lineno, "bad_value", f"cannot read {line.strip()!r}")
        st.pending = []
        return
    if not st.pending:
        st.problem(lineno, "orphan", "val_acc without an architecture above it")
        return
    arrays, first = st.pending, st.pending_line
    st.pending = []
    arc = _assemble(st, arrays, first)
    if arc is not None:
        _emit(st, arc, value, value, first)


def _assemble(st: State, arrays: list[list[str]], first: int) -> str | None:
    """The flat arc of one printed architecture, or None (and a problem) if its shape is wrong."""
    if st.layout is None:
        space = (
            "micro" if len(arrays) == 2 and len(arrays[0]) == len(arrays[1]) and len(arrays[0]) % 4 == 0 else "macro"
        )
        st.layout = (space, infer_params(space, arrays))
        st.runs[-1]["layout"], st.runs[-1]["inferred"] = st.layout, True
    space, params = st.layout
    lengths = [len(a) for a in arrays]
    if space == "micro":
        ok = len(arrays) == 2 and lengths[0] == lengths[1] == 4 * (params.get("num_cells") or lengths[0] // 4)
        expected = "a normal and a reduce line of 4*num_cells tokens"
    elif space == "macro":
        layers = params.get("num_layers") or len(arrays)
        width = 1 if params.get("whole_channels", True) else 2 * params["num_branches"]
        ok = lengths == [width + k for k in range(layers)]
        expected = f"{layers} layer lines of {width}, {width + 1}, ... tokens"
    else:
        ok = len(arrays) == 1
        expected = "one line"
    if not ok:
        st.problem(first, "bad_arc", f"{space} architecture printed as lines of {lengths} tokens; expected {expected}")
        return None
    if st.fast_k == 0 and space != "rnn":
        st.fast_k = len(arrays)
    return " ".join(" ".join(a) for a in arrays)


def _emit(st: State, arc: str, val_acc: float, reward: float, lineno: int) -> None:
    a = st.archs
    a["run"].append(st.run)
    a["epoch"].append(st.epoch)
    a["sample"].append(st.sample)
    a["arc"].append(arc)
    a["val_acc"].append(val_acc)
    a["reward"].append(reward)
    a["line"].append(lineno)
    st.sample += 1
    if st.pending_flops == st.pending_flops:  # a FLOPS line printed before its arch
        st.flops[len(a["arc"]) - 1] = st.pending_flops
        st.pending_flops = NAN


def _drop_pending(st: State, why: str) -> None:
    if st.pending:
        st.problem(st.pending_line, "truncated", why)
        st.pending = []


def _flops(st: State, line: str, lineno: int) -> None:
    # "FLOPS factor: 0.8312" (stanstarks fork): belongs to the arch printed just before, else the next
    value = _float(line.partition(":")[2])
    if value is None:
        st.problem(lineno, "bad_value", f"cannot read {line.strip()!r}")
        return
    last = len(st.archs["arc"]) - 1
    if last >= 0 and last not in st.flops and not st.pending and st.archs["run"][last] == st.run:
        st.flops[last] = value
    else:
        st.pending_flops = value


# -- headers and evals ---------------------------------------------------------------


def _epoch_header(st: State, line: str, lineno: int) -> None:
    if line.startswith("Epoch "):
        # "Epoch 12: Training controller" / "Epoch 12: Eval"
        head, colon, what = line[6:].partition(":")
        what = what.strip()
        try:
            n = int(head) + st.offset
        except ValueError:
            n = None
        if not colon or n is None or what not in ("Training controller", "Eval"):
            st.problem(lineno, "bad_header", f"cannot read epoch header {line.strip()!r}")
            return
        st.run_has_content = True
        _drop_pending(st, f"architecture without val_acc before 'Epoch {head}: {what}'")
        if what == "Eval":
            st.eval_epoch, st.eval_step = n, NAN
        else:
            st.epoch = n
    elif line.startswith("Eval at "):
        # "Eval at 352"
        try:
            st.eval_step = int(line[8:])
        except ValueError:
            st.problem(lineno, "bad_value", f"cannot read {line.strip()!r}")
    else:
        st.noise += 1


def _eval_line(st: State, line: str, lineno: int) -> None:
    # "valid_accuracy: 0.3708" / "test_accuracy: 0.3607"; PTB "valid_total_loss: 5.12",
    # "valid_log_ppl: 4.51", "valid_ppl: 91.23" (one eval row per split, written at the ppl line)
    name, colon, raw = line.partition(": ")
    split, _, what = name.partition("_")
    if not colon or split not in ("train", "valid", "test") or what not in ("accuracy", "total_loss", "log_ppl", "ppl"):
        st.noise += 1
        return
    value = _float(raw)
    if value is None:
        st.problem(lineno, "bad_value", f"cannot read {line.strip()!r}")
        return
    st.run_has_content = True
    if what in ("total_loss", "log_ppl"):
        st.ptb_eval[what] = value
        st.ptb_eval.setdefault("line", lineno)
        return
    e = st.evals
    e["run"].append(st.run)
    e["epoch"].append(st.eval_epoch)
    e["step"].append(st.eval_step)
    e["split"].append(split)
    if what == "accuracy":
        e["accuracy"].append(value)
        e["ppl"].append(NAN)
        e["loss"].append(NAN)
        e["line"].append(lineno)
    else:
        e["accuracy"].append(NAN)
        e["ppl"].append(value)
        e["loss"].append(st.ptb_eval.get("log_ppl", NAN))
        e["line"].append(st.ptb_eval.get("line", lineno))
        st.ptb_eval = {}


def _float(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None
