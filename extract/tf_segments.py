"""Set aside the runs of child and controller lines of a TF log as text, without splitting them into lines.

Between two "Here are 10 architectures" blocks the authors' code prints an eval, a run
of child lines, an ``Epoch N: Training controller`` header and a run of controller lines:

    Epoch 12: Eval
    Eval at 352
    valid_accuracy: 0.3708
    epoch=12     ch_step=400   loss=1.123456 lr=0.0500   |g|=0.5253   tr_acc=39 /128 mins=5.62
    Epoch 13: Training controller
    ctrl_step=0      loss=23.682  ent=26.46 lr=0.0010 |g|=0.2824   acc=0.3516 bl=0.00  mins=6.16
    Here are 10 architectures

Most of the bytes are in the two runs, so they are found with a few ``str.find`` and
``str.count`` and kept as one string each (the metric lines are parsed in bulk later,
:mod:`extract.tf_build`); only the few other lines go through the line reader. A run is
set aside only when every one of its lines starts as the line reader would group it
(``epoch`` / ``ctrl_step``), so both ways give the same records.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

__all__ = ["read_segment", "CHILD", "CTRL"]

CHILD = "epoch"
CTRL = "ctrl_step"
NAN = math.nan


def read_segment(st, text: str, lo: int, hi: int, lineno: int, read_lines: Callable) -> int:
    """Read the whole lines ``text[lo:hi]`` (line ``lineno`` first); return the number of the next line.

    ``read_lines(st, lines, first)`` reads the lines that are not in a run of metric lines.
    """
    if not st.pending and st.open_array is None:
        usual = _SEGMENT.fullmatch(text, lo, hi)
        if usual is not None:
            return _read_usual(st, text, usual, lineno)
        lo, lineno = _read_eval(st, text, lo, hi, lineno)
    ctrl = _run_start(text, lo, hi, CTRL)
    # the line before the controller run: "Epoch 13: Training controller"
    header = max(lo, text.rfind("\n", lo, ctrl - 1) + 1) if lo < ctrl < hi else ctrl
    m = _TRAIN_HEADER.fullmatch(text, header, ctrl)
    if m is None:  # something else before the controller lines (a flags block?): read it all line by line
        header = ctrl
    child = _run_start(text, lo, header, CHILD)
    lineno = _read_text(st, text, lo, child, lineno, read_lines)
    lineno = _add_run(st, st.child, text, child, header, lineno, read_lines)
    if m and not st.pending and st.open_array is None:
        st.epoch, st.run_has_content = int(m[1]) + st.offset, True
        lineno += 1
    else:
        lineno = _read_text(st, text, header, ctrl, lineno, read_lines)
    return _add_run(st, st.ctrl, text, ctrl, hi, lineno, read_lines)


# "Epoch 13: Training controller"
_TRAIN_HEADER = re.compile(r"Epoch (\d+): Training controller\n")
# "Epoch 12: Eval", "Eval at 352", "valid_accuracy: 0.3708", "Eval at 352", "test_accuracy: 0.3607"
_EVAL = re.compile(
    r"Epoch (\d+): Eval\n(Eval at (\d+)\n)?valid_accuracy: (\d+\.\d+)\n(Eval at (\d+)\n)?(?:test_accuracy: (\d+\.\d+)\n)?"
)

# the usual segment in one match: the eval lines, a run of child lines, the controller header and a run of
# controller lines (groups 1-7 are _EVAL's, then the child run, the header's epoch and the controller run)
_SEGMENT = re.compile(_EVAL.pattern + r"((?:epoch.*\n)*)Epoch (\d+): Training controller\n((?:ctrl_step.*\n)+)")


def _read_usual(st, text: str, m: re.Match, lineno: int) -> int:
    """Record a segment that :data:`_SEGMENT` matched whole, as the steps of :func:`read_segment` would."""
    lineno = _add_evals(st, m, lineno)
    lo, hi = m.span(8)
    if lo < hi:
        n = text.count("\n", lo, hi)
        st.child.append((text[lo:hi], n, lineno, st.run, st.epoch))
        lineno += n
    st.epoch = int(m[9]) + st.offset
    lineno += 1
    lo, hi = m.span(10)
    n = text.count("\n", lo, hi)
    st.ctrl.append((text[lo:hi], n, lineno, st.run, st.epoch))
    return lineno + n


def _read_eval(st, text: str, lo: int, hi: int, lineno: int) -> tuple[int, int]:
    """The usual eval lines at ``text[lo:hi]``'s start, as the line reader would record them; (next offset, line)."""
    m = _EVAL.match(text, lo, hi)
    if m is None:
        return lo, lineno
    return m.end(), _add_evals(st, m, lineno)


def _add_evals(st, m: re.Match, lineno: int) -> int:
    """Record the eval lines that ``m`` (of :data:`_EVAL`) matched from line ``lineno``; return the next line."""
    epoch, at1, step1, valid, at2, step2, test = m.groups()[:7]
    st.run_has_content = True
    st.eval_epoch = int(epoch) + st.offset
    st.eval_step = int(step1) if at1 else NAN
    lineno += 2 if at1 else 1
    _add_eval(st, "valid", float(valid), lineno)
    lineno += 1
    if at2:
        st.eval_step = int(step2)
        lineno += 1
    if test is not None:
        _add_eval(st, "test", float(test), lineno)
        lineno += 1
    return lineno


def _add_eval(st, split: str, accuracy: float, lineno: int) -> None:
    e = st.evals
    e["run"].append(st.run)
    e["epoch"].append(st.eval_epoch)
    e["step"].append(st.eval_step)
    e["split"].append(split)
    e["accuracy"].append(accuracy)
    e["ppl"].append(NAN)
    e["loss"].append(NAN)
    e["line"].append(lineno)


def _run_start(text: str, lo: int, hi: int, prefix: str) -> int:
    """Where the run of lines starting with ``prefix`` that ends ``text[lo:hi]`` begins; ``hi`` if there is none."""
    if lo >= hi:
        return hi
    start = lo if text.startswith(prefix, lo, hi) else text.find("\n" + prefix, lo, hi) + 1
    if start <= 0 or text.count("\n" + prefix, start, hi) != text.count("\n", start, hi) - 1:
        return hi  # no such line, or other lines follow the first: the line reader sorts them out
    return start


def _read_text(st, text: str, lo: int, hi: int, lineno: int, read_lines: Callable) -> int:
    if lo >= hi:
        return lineno
    lines = text[lo:hi].split("\n")
    lines.pop()  # text[lo:hi] ends with "\n"
    read_lines(st, lines, lineno)
    return lineno + len(lines)


def _add_run(st, chunks: list, text: str, lo: int, hi: int, lineno: int, read_lines: Callable) -> int:
    """Keep ``text[lo:hi]`` as one chunk: (text, line count, first line, run, epoch of the last header)."""
    if lo >= hi:
        return lineno
    if st.open_array is not None:  # a wrapped numpy array left open: the line reader reports it
        return _read_text(st, text, lo, hi, lineno, read_lines)
    n = text.count("\n", lo, hi)
    chunks.append((text[lo:hi], n, lineno, st.run, st.epoch))
    st.run_has_content = True
    return lineno + n
