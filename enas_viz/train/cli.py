"""``enas-viz search`` and ``enas-viz final``; torch is imported only when a command runs."""

from __future__ import annotations

import argparse

__all__ = ["register"]


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", help="digits | pydoc | cifar10:DIR | folder:DIR | ptb:DIR | DIR (auto-detect)")
    p.add_argument("--epochs", type=int, help="number of epochs (default: the preset's)")
    p.add_argument("--out", required=True, help="run folder; the log is OUT/events.jsonl")
    p.add_argument("--device", default="auto", help="auto (cuda, then mps, then cpu) | cpu | cuda | mps")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--preset", default="paper", choices=["paper", "tiny"], help="the authors' settings or tiny")
    p.add_argument("--resume", action="store_true", help="continue the run in OUT from its last checkpoint")
    p.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bars")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="FIELD=VALUE",
                   help="override a Config field, e.g. --set batch_size=32 (repeatable)")  # fmt: skip


def register(subparsers) -> None:
    p = subparsers.add_parser("search", help="run an ENAS search (writes OUT/events.jsonl)")
    p.add_argument("--space", default="macro", choices=["macro", "micro", "rnn"])
    _common(p)
    p.set_defaults(func=_search)
    p = subparsers.add_parser("final", help="train a fixed architecture from scratch")
    p.add_argument("--arc", required=True, help="the arc's token string, or a file holding it")
    p.add_argument("--space", choices=["macro", "micro", "rnn"], help="the arc's space (if its length is ambiguous)")
    _common(p)
    p.set_defaults(func=_final)


def _parse_overrides(items: list[str]) -> dict:
    from dataclasses import fields

    from .config import Config

    types = {f.name: f.type for f in fields(Config)}
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        if not sep or name not in types:
            raise ValueError(f"--set {item!r}: expected FIELD=VALUE with FIELD one of {sorted(types)}")
        kind = str(types[name])
        try:
            out[name] = _parse_value(text, kind)
        except ValueError:
            raise ValueError(f"--set {item!r}: {name} takes {kind}, not {text!r}") from None
    return out


def _parse_value(text: str, kind: str):
    """``text`` as the annotated type ``kind``; range checks are the Config's (``check_config``)."""
    if text.lower() in ("none", "null"):
        return None
    if kind.startswith("bool"):
        if text.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
            raise ValueError(text)
        return text.lower() in ("1", "true", "yes", "on")
    if kind.startswith("int"):
        return int(text)
    if kind.startswith("float"):
        return float(text)
    return text


def _run_args(args) -> dict:
    return dict(dataset=args.dataset, epochs=args.epochs, out=args.out, device=args.device, seed=args.seed,
                preset=args.preset, progress=args.progress, resume=args.resume,
                **_parse_overrides(args.overrides))  # fmt: skip


def _search(args) -> int:
    from . import search

    result = search(space=args.space, **_run_args(args))
    print(f"log: {result.events}")
    print(f"derived arc (train this one with `enas-viz final`): {result.derived_arc}")
    return 0


def _final(args) -> int:
    from pathlib import Path

    from ..arcs import ArcError
    from . import train_final

    text = Path(args.arc).read_text() if Path(args.arc).is_file() else args.arc
    try:
        result = train_final(text, space=args.space, **_run_args(args))
    except ArcError as err:
        raise ValueError(f"--arc: {err}") from None
    print(f"log: {result.events}")
    for split, values in result.evals.items():
        print(f"{split}: " + " ".join(f"{k}={v:.4f}" for k, v in values.items() if v is not None))
    return 0
