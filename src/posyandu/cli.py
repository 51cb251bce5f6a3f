"""The ``posyandu`` command: ``zscore``, ``demo``, ``serve``, ``manage``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence


def _zscore(args: argparse.Namespace) -> int:
    from posyandu.zscore_csv import run

    return run(args.input, args.output)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="posyandu",
        description="Child growth monitoring for Posyandu, Puskesmas and Dinas Kesehatan.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    zscore = commands.add_parser(
        "zscore",
        help="compute WHO 2006 z-scores for a CSV file of children",
        description="Read children from a CSV file, write it back with WHO 2006 z-scores, "
        "flags and Permenkes 2/2020 categories appended.",
    )
    zscore.add_argument("input", help="input CSV file, or - for standard input")
    zscore.add_argument("-o", "--output", default="-", help="output CSV file (default: - = stdout)")
    zscore.set_defaults(handler=_zscore)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
