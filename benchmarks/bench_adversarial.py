"""Adversarial property search over the moment engine, with a long budget.

    nice -n 10 python benchmarks/bench_adversarial.py --minutes 30 [--only recover_measure,...]
        [--examples 100] [--seed N] [--markdown benchmarks/recorded/adversarial.md]

Runs the properties of ``tests/_adversarial.py`` (the ones ``tests/test_adversarial.py`` runs
with a pinned seed and a small budget) round-robin, each round with a fresh random seed and
``--examples`` examples, until the time is up. A round that falsifies a claim does not stop the
search: hypothesis shrinks the failing example, its category and one-line reproducer are recorded
and the next round starts with another seed. Writes a markdown table of property / cases /
failures / refusals / slowest call / time, then every distinct failure grouped by cause with its
reproducers. Run from the repository root (``PYTHONPATH=.``). Exit status 1 when anything was
falsified.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import traceback
from pathlib import Path

from hypothesis import HealthCheck, given, reject, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import FlakyStrategyDefinition, Unsatisfiable

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests._adversarial import PROPERTIES, Falsified, Tally  # noqa: E402


def _leaves(exc: BaseException) -> list[BaseException]:
    """The failures inside a hypothesis report (an exception group when several were found)."""
    subs = getattr(exc, "exceptions", None)
    if subs:
        return [leaf for e in subs for leaf in _leaves(e)]
    return [exc]


def one_round(name: str, tally: Tally, examples: int, round_seed: int,
              stop_at: float = float("inf")) -> list[tuple]:
    prop = PROPERTIES[name]

    @seed(round_seed)
    @settings(max_examples=examples, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(st.data())
    def run(data):
        if time.perf_counter() > stop_at:  # out of time: the rest of the round is skipped
            reject()
        prop(data, tally)

    found = []
    try:
        run()
    except Exception as exc:  # noqa: BLE001 - every failure is recorded, none stops the search
        for leaf in _leaves(exc):
            if isinstance(leaf, (Unsatisfiable, FlakyStrategyDefinition)) and \
                    time.perf_counter() > stop_at:
                continue  # the round was cut short at the deadline
            if isinstance(leaf, Falsified):
                found.append((leaf.category, leaf.detail, leaf.reproducer))
            else:
                tb = traceback.extract_tb(leaf.__traceback__)
                ours = [f for f in tb if "_adversarial" in f.filename]
                frames = ([ours[-1]] if ours else []) + tb[-1:]
                where = " / ".join(f"{f.filename.split('/')[-1]}:{f.lineno}" for f in frames)
                found.append((f"unexpected {type(leaf).__name__}", f"{leaf} at {where}"[:400],
                              f"(seed {round_seed}: python benchmarks/bench_adversarial.py "
                              f"--only {name} --seed {round_seed} --examples {examples})"))
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--examples", type=int, default=60, help="examples per round")
    ap.add_argument("--only", default="", help="comma-separated property names")
    ap.add_argument("--seed", type=int, default=None, help="seed of the first round")
    ap.add_argument("--markdown", default=str(ROOT / "benchmarks/recorded/adversarial.md"))
    args = ap.parse_args(argv)
    names = [n for n in (args.only.split(",") if args.only else PROPERTIES) if n]
    unknown = [n for n in names if n not in PROPERTIES]
    if unknown:
        ap.error(f"unknown properties {unknown}; known: {sorted(PROPERTIES)}")
    rng = random.Random(args.seed)
    tallies = {n: Tally(record_slow=True) for n in names}
    spent = {n: 0.0 for n in names}
    rounds = {n: 0 for n in names}
    failures: dict[tuple, list] = {}
    deadline = time.perf_counter() + 60 * args.minutes
    first = True
    while time.perf_counter() < deadline:
        for name in names:
            if time.perf_counter() >= deadline:
                break
            s = args.seed if (first and args.seed is not None) else rng.randrange(2**32)
            start = time.perf_counter()
            for category, detail, repro in one_round(name, tallies[name], args.examples, s,
                                                     deadline + 60):
                key = (name, category)
                if repro not in [r for _, r in failures.get(key, [])]:
                    failures.setdefault(key, []).append((detail, repro))
                    print(f"FALSIFIED {name} [{category}] {detail[:200]}\n  {repro}", flush=True)
            for dt, repro in tallies[name].slow_calls:
                key = (name, "slow")
                if repro not in [r for _, r in failures.get(key, [])]:
                    failures.setdefault(key, []).append(
                        (f"{dt:.1f} s on a small input (limit 10 s; not shrunk)", repro))
                    print(f"FALSIFIED {name} [slow] {dt:.1f} s\n  {repro}", flush=True)
            tallies[name].slow_calls.clear()
            spent[name] += time.perf_counter() - start
            rounds[name] += 1
        first = False
    lines = [
        f"`python benchmarks/bench_adversarial.py --minutes {args.minutes:g} --examples "
        f"{args.examples}` on {os.cpu_count()} visible cores (python {sys.version.split()[0]}), "
        f"first seed {args.seed}.",
        "",
        "Cases count every call, shrinking included; refusals are raised errors or non-ok "
        "statuses (honest, but counted), easy refusals those of exact or double data of a "
        "well-separated measure with at most three atoms; failures are distinct reproducers.",
        "",
        "| property | rounds | cases | failures | refusals (easy) | slowest call (s) | time (s) |",
        "|---|---|---|---|---|---|---|",
    ]
    for n in names:
        t = tallies[n]
        nfail = sum(len(v) for (p, _), v in failures.items() if p == n)
        lines.append(f"| {n} | {rounds[n]} | {t.cases} | {nfail} | {t.refusals} "
                     f"({t.easy_refusals}) | {t.slowest:.2f} | {spent[n]:.0f} |")
    lines += ["", "## Failures by cause", ""]
    if not failures:
        lines.append("None found.")
    for (n, category), items in sorted(failures.items()):
        lines.append(f"### {n}: {category} ({len(items)})")
        lines.append("")
        for detail, repro in items[:5]:
            lines.append(f"- {detail[:300]}".replace("\n", " "))
            lines.append(f"  `{repro}`")
        lines.append("")
    lines += ["## Slowest calls", ""]
    for n in names:
        if tallies[n].slowest_call:
            lines.append(f"- {n}: {tallies[n].slowest:.2f} s `{tallies[n].slowest_call[:400]}`")
    lines += ["", "## Refusals by kind", ""]
    for n in names:
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(tallies[n].refusal_kinds.items(),
                                                         key=lambda kv: -kv[1]))
        lines.append(f"- {n}: {kinds or 'none'}")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.markdown:
        Path(args.markdown).write_text("# Adversarial property search\n\n" + text)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
