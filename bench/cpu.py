"""CPU seconds spent by the server, the database and the driver, read from /proc (Linux).

On a machine shared with other work, requests/s depends on what else runs; CPU time per request
does not (much). Dividing each side's CPU seconds by the requests served during the measured
window shows where the work goes and what a quiet machine could sustain.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat_cpu(pid: int) -> float:
    """utime + stime of one process, in seconds (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # fields 14 and 15 of proc(5)


def _children(pid: int) -> list[int]:
    out: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return out


def process_tree_cpu(pid: int) -> float:
    """CPU seconds of a process and all its descendants (uvicorn's supervisor and workers)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        total += _stat_cpu(current)
        pending.extend(_children(current))
    return total


def postgres_backends_cpu(database: str) -> float:
    """CPU seconds of the PostgreSQL backends connected to ``database`` (found by their titles,
    e.g. ``postgres: postgres reef_bench 127.0.0.1(5123) idle``)."""
    total = 0.0
    marker = f" {database} "
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: ") and marker in title:
            total += _stat_cpu(int(entry.name))
    return total


class CpuSampler:
    """Call it to snapshot cumulative CPU seconds of the server tree, the database backends and
    this (driver) process."""

    def __init__(self, server_pid: int, postgres_database: str | None = None) -> None:
        self.server_pid, self.postgres_database = server_pid, postgres_database

    def __call__(self) -> dict[str, float]:
        sample = {
            "server": process_tree_cpu(self.server_pid),
            "driver": time.process_time(),
        }
        if self.postgres_database:
            sample["database"] = postgres_backends_cpu(self.postgres_database)
        return sample
