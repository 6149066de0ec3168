"""One content fingerprint for a folder of course files: what the self-check vouches for
(an exercise) and what a sync compares (a course)."""

from __future__ import annotations

import hashlib
from pathlib import Path

# Bytecode caches are not content: importing checks.py must not make a folder "changed".
_NOT_CONTENT = ("__pycache__",)


def fingerprint(root: Path, *, skip: tuple[str, ...] = ()) -> str:
    """SHA-256 over every file's relative path and bytes, in path order. ``skip`` names
    top-level folders left out: an exercise's ``tests/`` corpus is not what its
    self-check vouches for."""
    root = Path(root)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        relative = path.relative_to(root)
        if any(part in _NOT_CONTENT for part in relative.parts) or path.suffix == ".pyc":
            continue
        if relative.parts[0] in skip:
            continue
        digest.update(str(relative).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
