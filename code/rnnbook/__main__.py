"""Command line of the companion package: ``python -m rnnbook fetch-data``.

``fetch-data`` obtains the corpus (*The Time Machine*) the way the pages do,
through :func:`rnnbook.data.corpus.fetch_verified` (``RNNBOOK_DATA_DIR``, then the
cache, then the download; explained on ``book/text_preprocessing.md``), and
prints where the verified copy is. ``make book`` runs it before the build, so a
machine without the corpus and without network stops at once with a short
message instead of a notebook traceback. Readers can run it by hand.
"""

from __future__ import annotations

import argparse
import sys

from .data.corpus import DATA_DIR_ENV, TIME_MACHINE_URL, CorpusError, fetch_verified


def fetch_data(timeout: float = 15.0) -> int:
    """Make sure a verified copy of the corpus is at hand; return the exit status."""
    try:
        path = fetch_verified(timeout=timeout)
    except CorpusError as err:
        cause = err.__cause__
        if cause is None:  # a copy was found or downloaded but failed its checksum
            print(f"rnnbook fetch-data: {err}", file=sys.stderr)
        else:
            reason = getattr(cause, "reason", cause)
            print(
                "rnnbook fetch-data: the corpus is not here and could not be "
                f"downloaded ({reason}).\n"
                f"Download {TIME_MACHINE_URL} into a folder and set {DATA_DIR_ENV} "
                "to that folder (for example: RNNBOOK_DATA_DIR=~/data make book).",
                file=sys.stderr,
            )
        return 1
    print(f"corpus: {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rnnbook", description="Companion package of the RNN book."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    fetch = commands.add_parser(
        "fetch-data",
        help=f"obtain and verify the corpus (from ${DATA_DIR_ENV}, the "
        "cache or the internet) and print its path",
    )
    fetch.add_argument(
        "--timeout",
        type=float,
        default=15.0,
        help="seconds to wait for the download (default 15)",
    )
    args = parser.parse_args(argv)
    if args.command == "fetch-data":
        return fetch_data(args.timeout)
    return 2  # argparse has already refused anything else


if __name__ == "__main__":
    sys.exit(main())
