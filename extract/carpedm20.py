"""carpedm20/ENAS-pytorch: its logger lines (stderr, ``%(asctime)s:%(levelname)s::%(message)s``).

    2018-02-15 11:20:02,123:INFO::| epoch   0 | lr 20.00 | raw loss 6.85 | loss 6.85 | ppl   948.21
    2018-02-15 11:24:40,517:INFO::| epoch   0 | lr 0.00035 | R 0.12345 | entropy 1.2345 | loss 0.12345
    2018-02-15 11:31:07,890:INFO::eval | loss:   5.63 | ppl:   279.43

No architecture is printed (they exist only as PNGs), so ``archs`` stays empty. The
printed epoch is the one in progress: child rows keep it; controller steps and evals
come after that epoch's shared training, so they get epoch + 1 (completed epochs).
"""

from __future__ import annotations

import math
import re

from enas_viz.spaces import SPACES, op_table

from .errors import NotApplicable
from .searchlog import SearchLog
from .source import MAX_LINE_CHARS
from .tables import add_row, frame, problems_frame

__all__ = ["detect_carpedm20", "parse_carpedm20"]

# "2018-02-15 11:20:02,123:INFO::"
_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}:[A-Z]+::")


def detect_carpedm20(head: list[str]) -> None:
    if not any(_PREFIX.match(line) for line in head[:2000]):
        raise NotApplicable("no 'YYYY-MM-DD hh:mm:ss,mmm:LEVEL::' logger line")


def _pipe_fields(message: str) -> dict[str, str]:
    # "| epoch   0 | lr 20.00 | raw loss 6.85 | loss 6.85 | ppl   948.21" -> {"epoch": "0", ...}
    out = {}
    for part in message.strip().strip("|").split("|"):
        words = part.replace(":", " ").split()
        if len(words) >= 2:
            out[" ".join(words[:-1])] = words[-1]
    return out


def parse_carpedm20(text: str) -> SearchLog:
    child = {c: [] for c in ("run", "epoch", "loss", "lr", "train_ppl", "line")}
    ctrl = {c: [] for c in ("run", "epoch", "loss", "entropy", "lr", "reward", "line")}
    evals = {c: [] for c in ("run", "epoch", "split", "ppl", "loss", "line")}
    problems, derive = [], []
    epoch = math.nan
    for lineno, line in enumerate(text.split("\n"), start=1):
        m = _PREFIX.match(line)
        if m is None:
            if len(line) > MAX_LINE_CHARS:
                problems.append((lineno, "too_long", f"line of {len(line)} characters skipped"))
            continue
        message = line[m.end() :]
        try:
            if message.startswith("| epoch"):
                f = _pipe_fields(message)
                epoch = int(f["epoch"])
                if "R" in f:
                    row = (0, epoch + 1, float(f["loss"]), float(f["entropy"]), float(f["lr"]), float(f["R"]), lineno)
                    add_row(ctrl, row)
                else:
                    add_row(child, (0, epoch, float(f["loss"]), float(f["lr"]), float(f["ppl"]), lineno))
            elif message.startswith("eval |"):
                f = _pipe_fields(message[6:])
                add_row(evals, (0, epoch + 1, "valid", float(f["ppl"]), float(f["loss"]), lineno))
            elif message.startswith("derive |"):
                derive.append({"epoch": epoch + 1, "max_R": float(_pipe_fields(message[8:])["max_R"]), "line": lineno})
        except (KeyError, ValueError) as err:
            problems.append((lineno, "bad_record", f"cannot read {message[:100]!r}: {err}"))
    params = {"num_nodes": 12, "num_funcs": 4, "encoding": "enas"}
    meta = {
        "format": "carpedm20",
        "space": "rnn",
        "space_params": params,
        "ops": list(op_table("rnn", SPACES["rnn"].defaults["num_funcs"])),
        "flags": {},
        "runs": [{"run": 0, "line": 1, "flags": {}}],
        "derive": derive,
        "notes": ["num_nodes is carpedm20's default num_blocks=12: the log does not print it"],
    }
    return SearchLog(
        meta=meta,
        child=frame("child", child),
        controller=frame("controller", ctrl),
        evals=frame("evals", evals),
        problems=problems_frame(problems),
    )
