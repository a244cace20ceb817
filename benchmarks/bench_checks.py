"""Wall time of ``momentrnn check`` (quick and full) with ``--jobs N``, per claim.

    python benchmarks/bench_checks.py [--jobs 2] [--modes quick,full] [--only M1,R8]
        [--search-seconds S] [--markdown FILE]

Targets: ``--quick`` within 45 s and the full mode within 3 minutes on 2 cores with
``--jobs 2``. The per-claim seconds are each claim's own time inside its worker process; the
full mode's falsification search is reported per claim (cases, seconds, worst margin).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"quick": 45.0, "full": 180.0}


def run(mode: str, jobs: int, only: str | None = None,
        search_seconds: float | None = None) -> tuple[float, int, list[dict]]:
    cmd = [sys.executable, "-m", "momentrnn", "check", "--format", "json", "--jobs", str(jobs)]
    if only:
        cmd += ["--only", only]
    if search_seconds is not None:
        cmd += ["--search-seconds", str(search_seconds)]
    if mode == "quick":
        cmd.append("--quick")
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    claims = json.loads(proc.stdout)["claims"] if proc.stdout.strip() else []
    return wall, proc.returncode, claims


def _margin(value, unit: str) -> str:
    if value is None:
        return "-"
    if unit == "exact":
        return "exact" if value > 0 else "exact (fails)"
    return f"{value:.3g} {unit}".strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--modes", default="quick,full")
    ap.add_argument("--only", help="these claims only (e.g. M1,R8); the targets are for all")
    ap.add_argument("--search-seconds", type=float, help="every claim's search budget")
    ap.add_argument("--markdown", help="write the tables to this file")
    args = ap.parse_args(argv)
    out = [f"`momentrnn check --jobs {args.jobs}` on {os.cpu_count()} visible cores "
           f"(python {sys.version.split()[0]}).", ""]
    for mode in args.modes.split(","):
        wall, code, claims = run(mode, args.jobs, args.only, args.search_seconds)
        verdicts = {c["verdict"] for c in claims}
        out += [f"## {mode}: {wall:.1f} s wall (target {TARGETS[mode]:.0f} s: "
                f"{'met' if wall <= TARGETS[mode] else 'NOT met'}), exit {code}, verdicts "
                f"{', '.join(sorted(verdicts))}", "",
                "| claim | verdict | cases | searched | search seconds | worst searched margin "
                "| seconds |", "|---|---|---|---|---|---|---|"]
        for c in sorted(claims, key=lambda c: -c["seconds"]):
            search = c.get("search")
            searched = (f"{search['cases']} | {search['seconds']:.1f} | "
                        f"{_margin(search['worst_margin'], c.get('unit', ''))}"
                        if search else "no search | - | -")
            out.append(f"| {c['label']} | {c['verdict']} | {c['cases']} | {searched} | "
                       f"{c['seconds']:.1f} |")
        out.append("")
    text = "\n".join(out)
    print(text)
    if args.markdown:
        Path(args.markdown).write_text("# Time of `momentrnn check`\n\n"
                                       "`python benchmarks/bench_checks.py`\n\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
