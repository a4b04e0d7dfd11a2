"""Sample the server with py-spy while the driver runs, and summarise where its CPU goes.

``python -m bench.heartbeat --profile`` records the server's main process (the one worker) with
``py-spy record --gil`` (only the thread holding the GIL, i.e. Python CPU work, not idle waits)
and prints the functions with the most samples: by themselves ("self") and with what they call
("inclusive", Reef's own functions and a few library entry points). py-spy is a separate install
(``pip install py-spy``); it needs permission to read the server's memory (root, or ptrace
allowed).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

# Library entry points worth seeing inclusively, next to Reef's own functions.
LIBRARY_MARKERS = (
    "sqlalchemy/orm/session.py",
    "sqlalchemy/engine/base.py",
    "pydantic/main.py",
    "fastapi/routing.py",
    "fastapi/encoders.py",
    "starlette/responses.py",
    "aiosqlite/core.py",
    "asyncpg/",
    "uvicorn/protocols",
)


def py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(found).exists():
        raise SystemExit("--profile needs py-spy: pip install py-spy")
    return found


def start(pid: int, seconds: float, output: Path) -> subprocess.Popen[bytes]:
    command = [py_spy(), "record", "--pid", str(pid), "--duration", str(int(seconds)), "--rate", "250", "--gil"]
    command += ["--nonblocking", "--subprocesses", "--format", "raw", "--output", str(output)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def summarise(raw: Path, top: int = 25) -> str:
    """Top functions by self and inclusive samples, from py-spy's collapsed-stack output."""
    own, inclusive, total = Counter[str](), Counter[str](), 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n, frames = int(count), stack.split(";")
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return "no samples (is py-spy allowed to attach?)"
    lines = [f"{total} samples with the GIL held", "self:"]
    lines += [f"  {n * 100 / total:5.1f}%  {frame[:140]}" for frame, n in own.most_common(top)]
    lines.append("inclusive (Reef and library entry points):")
    wanted = [
        (frame, n)
        for frame, n in inclusive.most_common()
        if "reef/" in frame or any(marker in frame for marker in LIBRARY_MARKERS)
    ]
    lines += [f"  {n * 100 / total:5.1f}%  {frame[:140]}" for frame, n in wanted[:top]]
    return "\n".join(lines)


if __name__ == "__main__":
    print(summarise(Path(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 25))
