"""Figures shared by the benchmark scripts: percentiles, memory, the machine."""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path


def fresh_process_env(bytecode: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh process measured from launch: bytecode cached (in ``bytecode``, not beside
    the sources) as Python caches it on a user's machine. A machine that says PYTHONDONTWRITEBYTECODE would
    otherwise compile every module on every run, the project's many more than an anchor's few."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra, PYTHONPYCACHEPREFIX=str(bytecode))
    return env


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile, so p99 of 200 samples is the second-worst one."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), -(-len(ordered) * p // 100)))
    return ordered[int(rank) - 1]


def median(values: list[float]) -> float:
    return percentile(values, 50)


def rss_mb(pid: int) -> float:
    """Resident memory of a running process, from /proc (ru_maxrss would carry over the parent's peak across exec)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def dir_size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in Path(path).rglob("*") if f.is_file()) / 1e6


def machine() -> dict:
    """What the figures were measured on."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=Path(__file__).parent
        ).stdout.strip()
    except OSError:
        commit = ""
    return {
        "nproc": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "python": platform.python_version(),
        "cpu": cpu,
        "system": platform.platform(),
        "commit": commit,
    }


def ms(seconds: float) -> str:
    """Milliseconds, with as many digits as matter."""
    value = seconds * 1000
    return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
