"""Reading JSON Lines files: one object per line, each bad line reported with its number."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from qa.errors import QAError


def read_jsonl(path: Path, what: str) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, object or None, what is wrong or None) for each non-blank line of ``path``;
    a file that cannot be read at all is a QAError naming it as ``what``."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise QAError(f"cannot read {what} {path}: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            yield number, None, f"not JSON ({error.msg})"
            continue
        if isinstance(row, dict):
            yield number, row, None
        else:
            yield number, None, "expected a JSON object"
