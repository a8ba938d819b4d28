"""Turn what :mod:`extract.tf_logs` collected into a validated SearchLog."""

from __future__ import annotations

import re

import numpy as np

from enas_viz.arcs import ArcError, parse_arc
from enas_viz.schema import COLUMNS
from enas_viz.spaces import op_table

from .arcs import validate_arcs
from .searchlog import SearchLog
from .source import MAX_LINE_CHARS
from .tables import frame, parse_kv_text, problems_frame

__all__ = ["build"]

_NUM = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?|nan|-?inf)"
# "epoch=0     ch_step=50     loss=1.910874 lr=0.0500   |g|=0.5253   tr_acc=39 /128 mins=5.62      "
# "epoch = 0     ch_step = 50     loss = 2.324004   lr = 0.0500   |g| = 1.0796   tr_acc = 19 /160   mins = 3.64"
# "epoch=0      ch_step=50     loss=160.1234 lr=0.2500   |g|=3.14       tr_ppl=912.35   mins=1.50      "
_CHILD = re.compile(
    rf"^epoch\s*=\s*(\d+)\s*ch_step\s*=\s*(\d+)\s+loss\s*=\s*{_NUM}\s+lr\s*=\s*{_NUM}\s+\|g\|\s*=\s*{_NUM}\s+"
    rf"tr_(?:acc\s*=\s*(\d+)\s*/\s*(\d+)|ppl\s*=\s*{_NUM})\s+mins\s*=\s*{_NUM}\s*$"
)
# "ctrl_step=0      loss=23.682  ent=26.46 lr=0.0010 |g|=0.2824   acc=0.3516 bl=0.00  mins=6.16"
# "ctrl_step=0      loss=-1.234  ent=20.12 lr=0.0010 |g|=0.0123456  rw=0.553   bl=0.512   mins=3.20"
_CTRL = re.compile(
    rf"^ctrl_step\s*=\s*(\d+)\s+loss\s*=\s*{_NUM}\s+ent\s*=\s*{_NUM}\s+lr\s*=\s*{_NUM}\s+\|g\|\s*=\s*{_NUM}\s+"
    rf"(?:acc|rw)\s*=\s*{_NUM}\s+bl\s*=\s*{_NUM}\s+mins\s*=\s*{_NUM}\s*$"
)


def build(st, fmt: str) -> SearchLog:
    """The SearchLog of a finished pass ``st`` over ``lines``."""
    problems = list(st.problems)
    child = _child_table(st.child, problems)
    controller = _ctrl_table(st.ctrl, problems)
    archs = _archs_table(st, problems)
    meta = _meta(st, fmt, problems)  # after the archs: it drops each run's working layout
    evals = frame("evals", st.evals)
    return SearchLog(
        meta=meta, archs=archs, child=child, controller=controller, evals=evals, problems=problems_frame(problems)
    )


# -- metric lines ---------------------------------------------------------------------------


def _flatten(chunks):
    """(joined text, line count, line numbers, runs, header epochs) of the runs of consecutive lines."""
    text = "".join([c[0] for c in chunks])
    counts = np.array([c[1] for c in chunks], dtype=np.int64)
    starts = np.cumsum(counts) - counts
    n = int(counts.sum())
    lines = np.arange(n, dtype=np.int64) + np.repeat(np.array([c[2] for c in chunks], dtype=np.int64) - starts, counts)
    runs = np.repeat(np.array([c[3] for c in chunks], dtype=np.int64), counts)
    epochs = np.repeat(np.array([c[4] for c in chunks], dtype=np.float64), counts)
    chunks.clear()  # the joined text replaces them (memory)
    return text, n, lines, runs, epochs


def _first_line(text: str) -> str:
    return text[: text.find("\n")]


def _child_table(chunks, problems):
    text, n, lines, runs, _ = _flatten(chunks)
    ppl = "tr_ppl" in _first_line(text)
    values = parse_kv_text(text, n, 7 if ppl else 8)
    if values is None:
        return frame("child", _child_slow(text.split("\n")[:n], lines.tolist(), runs.tolist(), problems))
    nan = np.full(n, np.nan)
    data = {"run": runs, "epoch": values[:, 0], "step": values[:, 1], "loss": values[:, 2], "lr": values[:, 3]}
    data["grad_norm"] = values[:, 4]
    if ppl:
        data.update(train_acc=nan, train_ppl=values[:, 5], minutes=values[:, 6])
    else:
        with np.errstate(divide="ignore", invalid="ignore"):
            data.update(train_acc=values[:, 5] / values[:, 6], train_ppl=nan, minutes=values[:, 7])
    data["line"] = lines
    return frame("child", data)


def _child_slow(texts, lines, runs, problems):
    data = {
        k: [] for k in ("run", "epoch", "step", "loss", "lr", "grad_norm", "train_acc", "train_ppl", "minutes", "line")
    }
    for text, line, run in zip(texts, lines, runs, strict=True):
        m = _CHILD.match(text) if len(text) < MAX_LINE_CHARS else None
        if m is None:
            problems.append(_bad_record(line, "child", text))
            continue
        g = m.groups()
        acc = int(g[5]) / int(g[6]) if g[5] is not None and int(g[6]) else np.nan
        values = (run, int(g[0]), int(g[1]), float(g[2]), float(g[3]), float(g[4]), acc)
        values += (float(g[7]) if g[7] is not None else np.nan, float(g[8]), line)
        for k, v in zip(data, values, strict=True):
            data[k].append(v)
    return data


def _bad_record(line: int, what: str, text: str) -> tuple[int, str, str]:
    """The problem of a metric line that cannot be read: its first 100 characters, and its length if longer."""
    size = f" ({len(text)} characters)" if len(text) > 100 else ""
    return line, "bad_record", f"cannot read {what} line {text[:100]!r}{size}"


def _ctrl_table(chunks, problems):
    text, n, lines, runs, epochs = _flatten(chunks)
    rw = " rw" in _first_line(text)
    values = parse_kv_text(text, n, 8)
    if values is not None:
        reward = values[:, 5]
        data = {"run": runs, "epoch": epochs, "ctrl_step": values[:, 0], "loss": values[:, 1], "entropy": values[:, 2]}
        data.update(lr=values[:, 3], grad_norm=values[:, 4], acc=np.full(n, np.nan) if rw else reward)
        data.update(reward=reward, baseline=values[:, 6], minutes=values[:, 7], line=lines)
        return frame("controller", data)
    texts, lines, runs, epochs = text.split("\n")[:n], lines.tolist(), runs.tolist(), epochs.tolist()
    data = {k: [] for k in COLUMNS["controller"]}
    for text, line, run, epoch in zip(texts, lines, runs, epochs, strict=True):
        m = _CTRL.match(text) if len(text) < MAX_LINE_CHARS else None
        if m is None:
            problems.append(_bad_record(line, "controller", text))
            continue
        g = [float(x) for x in m.groups()]
        acc = g[5] if " rw" not in text else np.nan
        for k, v in zip(data, (run, epoch, g[0], g[1], g[2], g[3], g[4], acc, g[5], g[6], g[7], line), strict=True):
            data[k].append(v)
    return frame("controller", data)


# -- archs and meta ---------------------------------------------------------------------------


def _archs_table(st, problems):
    a = st.archs
    if st.flops:
        a["flops"] = [st.flops.get(k, np.nan) for k in range(len(a["arc"]))]
    arcs = a["arc"]
    space_column = np.full(len(arcs), None, dtype=object)
    keep = np.ones(len(arcs), dtype=bool)
    runs = np.asarray(a["run"], dtype=np.int64)
    layouts: dict[tuple, list[int]] = {}  # runs with the same space are validated together (arcs repeat)
    for info in st.runs:
        if "layout" in info:
            space, params = info["layout"]
            layouts.setdefault((space, tuple(sorted(params.items()))), []).append(info["run"])
    for (space, params), run_ids in layouts.items():
        rows = np.flatnonzero(np.isin(runs, run_ids))
        space_column[rows] = space
        rows = rows.tolist()
        errors = validate_arcs([arcs[r] for r in rows], space, dict(params))
        for k, message in errors.items():
            keep[rows[k]] = False
            problems.append((a["line"][rows[k]], "bad_arc", message))
    a["space"] = space_column
    table = frame("archs", a)
    if not keep.all():
        table = table[keep]
    if not table["line"].is_monotonic_increasing:  # bulk-read blocks were added last
        table = table.sort_values("line", kind="stable")
    return table.reset_index(drop=True)


def _meta(st, fmt, problems) -> dict:
    meta: dict = {"format": fmt, "space": None, "space_params": {}, "ops": [], "flags": {}, "mode": "search"}
    for info in st.runs:
        if info["flags"] and not meta["flags"]:
            meta["flags"] = info["flags"]
        fixed = info["flags"].get("child_fixed_arc")
        if fixed not in (None, ""):  # first: a run whose flags do not give the space gets the fixed arc's
            info["fixed_arc"] = _fixed_arc(str(fixed), info, problems)
            if info["fixed_arc"] is not None and "fixed_arc" not in meta:
                meta["fixed_arc"], meta["mode"] = info["fixed_arc"], "final"
        if "layout" in info and meta["space"] is None:
            space, params = info["layout"]
            count = params.get("num_funcs" if space == "rnn" else "num_branches")
            meta.update(space=space, space_params=dict(params), ops=list(op_table(space, count)))
        info.pop("layout", None)
    meta["runs"] = st.runs
    meta["noise_lines"] = st.noise
    if st.offset:
        meta["epoch_offset"] = st.offset
        meta.setdefault("notes", []).append(
            f"'Epoch N:' headers are {1 - st.offset}-based in this format; {st.offset} was added so epoch counts completed child epochs"
        )
    if any("ambiguous_flags" in r for r in st.runs):
        meta.setdefault("notes", []).append(
            "flags listed in runs[i]['ambiguous_flags'] start with '/' and may have lost leading dots (./output)"
        )
    return meta


def _fixed_arc(raw: str, info: dict, problems) -> str | None:
    """The canonical flat form of a run's ``child_fixed_arc``, with its space and params in ``info``."""
    space, params = info.get("layout", (None, {}))
    try:
        arc = parse_arc(raw, space, **params) if space else parse_arc(raw)
    except ArcError:
        try:  # the flags may describe the search, not this arc's size
            arc = parse_arc(raw, space) if space else None
        except ArcError as err:
            problems.append((info.get("fixed_arc_line", info["line"]), "bad_arc", f"child_fixed_arc: {err}"))
            return None
    if arc is None:
        return None
    if "layout" not in info:
        info["layout"] = (arc.space, arc.params)
    return str(arc)
