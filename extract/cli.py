"""``enas-viz extract LOG [-o FILE] [--table T] [--summary]``: an ENAS log as a table.

Imports nothing heavy at import time: pandas and the readers load when the command runs.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["register"]

_TABLES = ("archs", "child", "controller", "evals", "problems")


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "extract",
        help="read an ENAS log (any known format) into tables",
        description="Read an ENAS log (authors' TF code, its forks, carpedm20, enas_lm or our events.jsonl; "
        "gzip is fine) and write one of its tables as CSV or Parquet, or print a summary.",
    )
    p.add_argument("log", metavar="LOG", help="the log file (stdout, nohup.out, slurm-*.out, events.jsonl, .gz)")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write the table to FILE (.csv or .parquet); default: CSV on stdout"
    )
    p.add_argument("--table", choices=_TABLES, default="archs", help="which table (default: archs)")
    p.add_argument(
        "--summary", action="store_true", help="print runs, epochs, archs, the best arc and the problems count"
    )
    p.add_argument("--format", dest="log_format", metavar="NAME", help="force a reader instead of detecting the format")
    p.set_defaults(func=_run)


def _run(args: argparse.Namespace) -> int:
    from .read import read_log

    log = read_log(args.log, format=args.log_format)
    if args.summary:
        print(log.format_summary())
        if not args.output:
            return 0
    table = getattr(log, args.table)
    if not args.output:
        try:
            table.to_csv(sys.stdout, index=False)
        except BrokenPipeError:  # `enas-viz extract LOG | head`
            sys.stderr.close()
        return 0
    if args.output.endswith(".parquet"):
        table.to_parquet(args.output, index=False)
    elif args.output.endswith(".csv"):
        table.to_csv(args.output, index=False)
    else:
        raise ValueError(f"cannot write {args.output!r}: use a .csv or .parquet file name")
    print(f"wrote {len(table)} {args.table} rows to {args.output}", file=sys.stderr)
    return 0
