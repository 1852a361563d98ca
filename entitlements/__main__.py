"""Check content files from the command line: ``python -m entitlements validate``.

Exits 0 and prints a summary when every file is right; exits 1 and lists every
problem (file, field, what is wrong) otherwise.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from entitlements.loader import ContentError, load_content, load_topics

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    """Run the command line."""
    parser = argparse.ArgumentParser(prog="python -m entitlements")
    sub = parser.add_subparsers(dest="command", required=True)
    validate = sub.add_parser("validate", help="check every content file")
    validate.add_argument("--content-dir", type=Path, default=HERE / "content")
    validate.add_argument("--topics", type=Path, default=HERE / "topics.yaml")
    args = parser.parse_args(argv)

    try:
        topics = load_topics(args.topics)
        content = load_content(args.content_dir, topics)
    except ContentError as exc:
        print(exc, file=sys.stderr)
        return 1
    for warning in content.warnings:
        print(f"warning: {warning}")
    scopes = {s: sum(1 for e in content.entries if e.scope == s) for s in ("national", "local")}
    print(
        f"{len(content.entries)} entries are valid "
        f"({scopes['national']} national, {scopes['local']} local)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
