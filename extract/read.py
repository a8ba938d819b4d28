"""``read_log``: try each format's reader in order, the first that applies reads the file.

Each :class:`Reader` has a ``detect(head_lines)`` that raises :class:`NotApplicable`
fast (with the reason) and a ``parse(text)`` that returns a :class:`SearchLog`. The
order goes from the most specific format to the most general; ``format=`` skips the
detection. When nothing applies, :class:`LogFormatError` lists every reader and why.
"""

from __future__ import annotations

import glob as _glob
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .carpedm20 import detect_carpedm20, parse_carpedm20
from .enas_lm import detect_enas_lm, parse_enas_lm
from .errors import LogFormatError, NotApplicable
from .jsonl import detect_jsonl, parse_jsonl
from .searchlog import SearchLog
from .source import head_lines, looks_binary, read_text
from .tf_logs import parse_tf_log

__all__ = ["Reader", "FORMATS", "read_log", "read_logs", "detect_format"]


@dataclass(frozen=True)
class Reader:
    """One log format: its name, what it is, a fast ``detect`` and the ``parse``."""

    name: str
    description: str
    detect: Callable[[list[str]], None]
    parse: Callable[[str], SearchLog]


def _needs(head: list[str], what: str, *tests: Callable[[str], bool]) -> None:
    if not any(test(line) for line in head for test in tests):
        raise NotApplicable(f"no {what} in the first {len(head)} lines")


# "Epoch 3: Training controller" / "Epoch 3: Eval"
_EPOCH_HEADER = re.compile(r"^Epoch -?\d+: (?:Training controller|Eval)\s*$")


def _detect_mingukkang(head):
    # "epoch = 0     ch_step = 50 ..." / "ctrl_step = 0 ..." / "val_acc = 0.1063" / its extra flags
    _needs(
        head,
        "spaced 'ch_step = ' / 'ctrl_step = ' / 'val_acc = ' line or MINGUKKANG flag",
        lambda s: s.startswith(("ctrl_step = ", "val_acc = ", "train_data_dir.", "n_aug_img.")),
        lambda s: s.startswith("epoch = ") and "ch_step = " in s,
    )


def _detect_codebrim(head):
    # "TensorFlow version:  1.4.0" after "Starting session", or a 0-based "Epoch 0: ..." header
    _needs(
        head,
        "'TensorFlow version:' line or 0-based 'Epoch 0:' header",
        lambda s: s.startswith("TensorFlow version:"),
        lambda s: s.startswith("Epoch 0: "),
    )


def _detect_ptb(head):
    # "[ 0  0  0  1 ... 10  0] rw=0.553", "epoch=0      ch_step=50 ... tr_ppl=912.35", PTB flags
    _needs(
        head,
        "PTB line (' rw=' arc, 'tr_ppl=', 'child_rhn_depth' flag, 'Building PTBEnasController')",
        lambda s: s.startswith("[") and "] rw=" in s,
        lambda s: s.startswith("epoch=") and "tr_ppl=" in s,
        lambda s: s.startswith(("child_rhn_depth.", "child_bptt_steps.", "Building PTBEnasController")),
    )


def _detect_cifar10(head):
    _needs(
        head,
        "flags block, 'ch_step=', 'ctrl_step=', 'val_acc=', 'Here are 10 architectures' or 'Epoch N:' line",
        lambda s: s.startswith(
            ("search_for.", "child_num_cells.", "ctrl_step=", "val_acc=", "Here are 10 architectures")
        ),
        lambda s: s.startswith("epoch=") and "ch_step=" in s,
        lambda s: s.startswith(("valid_accuracy: ", "test_accuracy: ")),
        lambda s: s.startswith("Epoch ") and _EPOCH_HEADER.match(s) is not None,
    )


FORMATS: dict[str, Reader] = {
    r.name: r
    for r in (
        Reader("enas-viz-jsonl", "this project's events.jsonl (enas_viz.train)", detect_jsonl, parse_jsonl),
        Reader(
            "enas-lm",
            "google-research enas_lm search (arc inline on the controller line)",
            detect_enas_lm,
            parse_enas_lm,
        ),
        Reader("carpedm20", "carpedm20/ENAS-pytorch logger lines", detect_carpedm20, parse_carpedm20),
        Reader(
            "mingukkang",
            "MINGUKKANG/ENAS-Tensorflow, spaced 'key = value' lines",
            _detect_mingukkang,
            lambda text: parse_tf_log(text, "mingukkang"),
        ),
        Reader(
            "codebrim",
            "CODEBRIM fork of the authors' code (0-based epoch headers, valid+test always)",
            _detect_codebrim,
            lambda text: parse_tf_log(text, "codebrim", epoch_offset=1),
        ),
        Reader(
            "enas-ptb",
            "the authors' PTB code (melodyguan/enas src/ptb)",
            _detect_ptb,
            lambda text: parse_tf_log(text, "enas-ptb"),
        ),
        Reader(
            "enas-cifar10",
            "the authors' CIFAR-10 code (melodyguan/enas src/cifar10), macro or micro, search or final",
            _detect_cifar10,
            lambda text: parse_tf_log(text, "enas-cifar10"),
        ),
    )
}


def detect_format(text: str) -> tuple[Reader | None, list[str]]:
    """The first reader whose ``detect`` accepts ``text``, and why each one before it refused."""
    head = head_lines(text)
    tried = []
    for reader in FORMATS.values():
        try:
            reader.detect(head)
        except NotApplicable as why:
            tried.append(f"{reader.name}: {why}")
            continue
        return reader, tried
    return None, tried


def read_log(path: str | Path, format: str | None = None) -> SearchLog:  # noqa: A002 (the public name)
    """Read one ENAS log (any known format, gzip or not) into a :class:`SearchLog`.

    ``format`` forces a reader (a key of :data:`FORMATS`); otherwise the first lines decide.
    Raises :class:`LogFormatError` listing what was tried when no reader applies.
    """
    text = read_text(path)
    if format is not None:
        if format not in FORMATS:
            raise LogFormatError(f"unknown format {format!r}; expected one of {', '.join(FORMATS)}")
        reader = FORMATS[format]
    elif not text or text.isspace():  # not text.strip(): that copies the whole text
        raise LogFormatError(f"{path}: the file is empty; there is nothing to read (pass format= to get empty tables)")
    else:
        reader, tried = detect_format(text)
        if reader is None:
            what = " (it looks binary: NUL bytes or undecodable data at the start)" if looks_binary(text) else ""
            raise LogFormatError(
                f"{path}: no reader applies{what}. Tried:\n  "
                + "\n  ".join(tried)
                + f"\nPass format= (one of {', '.join(FORMATS)}) to force one."
            )
    log = reader.parse(text)
    log.meta["source"] = str(path)
    log.meta.setdefault("format", reader.name)
    return log


def read_logs(paths: str | Path | Iterable[str | Path], format: str | None = None) -> SearchLog:
    """Several logs (paths or one glob pattern) stacked into one SearchLog with a ``source`` column."""
    if isinstance(paths, (str, Path)):
        pattern = str(paths)
        paths = sorted(_glob.glob(pattern)) if _glob.has_magic(pattern) else [pattern]
    paths = [str(p) for p in paths]
    if not paths:
        raise FileNotFoundError("read_logs: no file matches")
    logs = [read_log(p, format=format) for p in paths]
    return SearchLog.concat(logs, sources=paths)
