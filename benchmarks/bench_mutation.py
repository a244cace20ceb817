"""Mutation score of ``momentrnn check --quick``: does a one-line bug in the package fail it?

Each mutant replaces one line of the package (found by an exact search pattern, not a line
number, so that the corpus survives edits elsewhere in the file) in a temporary copy of
``momentrnn/`` and ``proofs_checks/``, runs ``python -m momentrnn check --quick --format json``
there with a time limit, and records which claims caught it:

- caught: at least one claim reports a clean FAIL, VACUOUS or PRECISION INSUFFICIENT verdict
  (other claims may also report ERROR: the table lists them);
- crash: no clean verdict, but a claim raised (ERROR, exit 3): noticed, not by a verdict;
- timeout: it ran past the limit (a hang);
- survived: every claim passed.

A mutant whose pattern no longer matches is reported as ``stale`` and left out of the score.
Equivalent mutants (changes that cannot alter any result) are listed separately with the
reason, and are not part of the corpus that is scored.

    python benchmarks/bench_mutation.py [--jobs 2] [--timeout 240] [--only D1,T3]
        [--markdown benchmarks/recorded/mutation.md]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Mutant:
    key: str
    path: str      # relative to momentrnn/
    pattern: str   # exact text to find (must occur exactly once)
    replacement: str
    kind: str      # sign flip, off-by-one, skipped certification, ...
    description: str
    alternatives: tuple = ()  # (pattern, replacement) pairs for other versions of the line


M = Mutant
MUTANTS = [
    # -- dynamics: the mpmath flow and its gradient
    M("D1", "dynamics/mp_flow.py", "out += [w[i] * du, c[i] * vu, b[i] * vu]",
      "out += [-w[i] * du, -c[i] * vu, -b[i] * vu]", "sign flip",
      "mpmath gradient (diagonal) with its overall sign flipped"),
    M("D2", "dynamics/mp_flow.py", "j * u[j] * powers[j - 1][i] for j in range(1, k)",
      "j * u[j] * powers[j][i] for j in range(1, k)", "off-by-one",
      "mpmath dL/da_i with a wrong lag index"),
    M("D3", "dynamics/mp_flow.py", "new.append([-v for v in mp_gradient(problem, arg, ctx)])",
      "new.append([v for v in mp_gradient(problem, arg, ctx)])", "sign flip",
      "Gauss-Legendre flow integrates the ascent"),
    M("D4", "dynamics/mp_flow.py", "gA += coef * (Y[p] * X[q].T)",
      "gA += coef * (X[q] * Y[p].T)", "wrong outer product",
      "mpmath gradient of A transposed (full model)"),
    M("D5", "dynamics/mp_flow.py", "+ B[i] * B[j] - C[i] * C[j] for i in range(d)",
      "+ B[i] * B[j] - C[j] * C[j] for i in range(d)", "wrong outer product",
      "mpmath invariant Q with a wrong C C^T term"),
    M("D6", "dynamics/mp_flow.py", "gB = sum((u[j] * Y[j] for j in range(k)), ctx.matrix(d, 1))",
      "gB = sum((u[j] * X[j] for j in range(k)), ctx.matrix(d, 1))", "swapped terms",
      "mpmath gradient of B uses the controllability vectors"),
    # -- dynamics: the double-precision flow
    M("D7", "dynamics/_problem.py", "Du = (self._lags[1:] * u[1:]) @ V[: k - 1]",
      "Du = (self._lags[1:] * u[1:]) @ V[1:]", "off-by-one",
      "numpy dL/da with a wrong lag index",
      (("U[1, :-1] = (lags * u)[1:]", "U[1, :-1] = (lags * u)[:-1]"),)),
    M("D8", "dynamics/_problem.py", "g[:, 1] = c * Vu", "g[:, 1] = b * Vu", "swapped terms",
      "numpy dL/db uses b instead of c",
      (("            g[:, 1] = c * sV\n", "            g[:, 1] = b * sV\n"),)),
    M("D9", "dynamics/_problem.py", "u = 2.0 * self.rho * r", "u = self.rho * r",
      "dropped term", "numpy gradient without its factor 2"),
    M("D10", "dynamics/_problem.py", "np.outer(B, B) - np.outer(C, C)",
      "np.outer(B, B) - np.outer(C, B)", "wrong outer product",
      "trajectory invariant Q with a wrong outer product"),
    M("D11", "dynamics/_problem.py", "return float(np.sum(np.maximum(-w, 0.0)))\n        w =",
      "return float(np.sum(np.maximum(w, 0.0)))\n        w =", "sign flip",
      "negative mass reports the positive mass (diagonal)"),
    M("D12", "dynamics/_problem.py", "denom = np.linalg.norm(b + c)",
      "denom = np.linalg.norm(b)", "wrong formula", "imbalance divides by |b|, not |b + c|"),
    M("D13", "dynamics/integrators/scipy_ivp.py", "rtol=rtol, atol=atol,",
      "rtol=1e-3, atol=atol,",
      "ignored tolerance", "scipy's integrator ignores rtol"),
    M("D14", "dynamics/integrators/scipy_ivp.py", "rtol=rtol, atol=atol,",
      "rtol=rtol, atol=1e-6,", "ignored tolerance",
      "scipy's integrator ignores atol"),
    M("D15", "dynamics/integrators/controller.py",
      "scale = atol + rtol * np.maximum(np.abs(theta), np.abs(new))",
      "scale = atol + 1e-3 * np.maximum(np.abs(theta), np.abs(new))", "ignored tolerance",
      "Rosenbrock error control ignores rtol"),
    M("D16", "dynamics/integrators/rosenbrock.py", "(c / h) * uj", "(c * h) * uj",
      "wrong formula", "RODAS4 stages scale c_ij by h, not 1/h (a mistyped table entry is "
      "refused at import by the table's order-condition check)"),
    M("D17", "rnn/analysis.py",
      "return max(ACCURACY_FACTOR * math.sqrt(abs(loss)), ACCURACY_FLOOR)",
      "return ACCURACY_FLOOR", "ignored tolerance",
      "effective dimension judged at 1e-12 whatever the training residual"),
    M("D18", "dynamics/gd.py", "a, b, c = a - lr * ga, b - lr * gb, c - lr * gc",
      "a, b, c = a + lr * ga, b - lr * gb, c - lr * gc", "sign flip",
      "gradient descent climbs in a"),
    M("D19", "dynamics/gd.py", "du = du * a + j * u[:, j : j + 1]",
      "du = du * a + (j + 1) * u[:, j : j + 1]", "off-by-one",
      "gradient descent's Horner rule for dL/da off by one"),
    M("D20", "dynamics/gd.py", "return loss, w * du, c * vu, b * vu",
      "return loss, w * du, b * vu, c * vu", "swapped terms",
      "gradient descent swaps dL/db and dL/dc"),
    # -- rnn
    M("N1", "rnn/losses.py", "return float(rho @ (h - target) ** 2)",
      "return float(rho @ np.abs(h - target))", "wrong formula",
      "moment loss with absolute instead of squared errors"),
    M("N2", "rnn/losses.py", "return float(rho @ (r * r)), Y @ T @ X.T, Y @ u, X @ u",
      "return float(rho @ (r * r)), X @ T @ Y.T, Y @ u, X @ u", "wrong outer product",
      "full-model gradient of A transposed"),
    M("N3", "rnn/losses.py", "return loss, w * Du, c * Vu, b * Vu",
      "return loss, w * Du, b * Vu, c * Vu", "swapped terms",
      "moment_loss_gradient swaps dL/db and dL/dc"),
    M("N4", "rnn/losses.py", "T = np.zeros((k, k))\n    for p in range(k):\n        "
      "T[p, : k - p - 1] = u[p + 1 :]",
      "T = np.zeros((k, k))\n    for p in range(k):\n        T[p, : k - p] = u[p:]",
      "off-by-one", "full-model gradient's Hankel matrix shifted"),
    M("N5", "rnn/losses.py", "        return np.ones(int(k))",
      "        return np.arange(k, 0, -1, dtype=float)", "wrong default",
      "default lag weights k - j instead of 1"),
    M("N6", "rnn/losses.py", "t = np.asarray(teacher.impulse_response(length))",
      "t = np.asarray(teacher.impulse_response(length + 1))[1:]", "off-by-one",
      "extrapolation error against the teacher shifted by one lag"),
    M("N7", "rnn/models.py", "powers = np.vander(self.a, count, increasing=True)",
      "powers = np.vander(self.a, count, increasing=False)", "swapped ends",
      "diagonal impulse response with the powers reversed"),
    M("N8", "rnn/models.py", "            x = self.B.copy()",
      "            x = self.A @ self.B", "off-by-one",
      "full impulse response starts at lag 1"),
    M("N9", "rnn/models.py", "w = (self.C @ V) * np.linalg.solve(V, self.B)",
      "w = (self.C @ V) * (V.T @ self.B)", "wrong formula",
      "measure of a full model with V^T instead of V^-1"),
    M("N10", "rnn/analysis.py", "s = min(dim, 30) + 1 if size is None else size",
      "s = min(dim, 30) if size is None else size", "off-by-one",
      "effective dimension's Hankel size one too small"),
    # -- moments: truncated problems, Hankel, recovery, realisation
    M("T1", "moments/truncated.py", "        if not inertia.psd:",
      "        if not inertia.pd:", "tolerance",
      "feasibility demands positive definiteness (singular PSD sequences refused)"),
    M("T2", "moments/truncated.py", "return to_fraction((quad - beta) / alpha)",
      "return to_fraction((beta - quad) / alpha)", "sign flip",
      "Schur-complement bound with the wrong sign"),
    M("T3", "moments/truncated.py",
      'lower, upper = ends.get("lower", -INF), ends.get("upper", INF)',
      'upper, lower = ends.get("lower", -INF), ends.get("upper", INF)', "swapped ends",
      "next-moment range with its ends swapped"),
    M("T4", "moments/truncated.py", 'candidates.append(("upper", _q(b) - x, n + 1))',
      'candidates.append(("upper", _q(b) - x, n))', "off-by-one",
      "localising matrix of b - x one size too small"),
    M("T5", "moments/truncated.py",
      "zero = next(k for k, c in enumerate(coeffs) if c != 0)", "zero = 0", "dropped term",
      "exact inertia ignores zero eigenvalues (singular read as definite)"),
    M("P1", "moments/recovery.py",
      "    else:\n        got, atom_d, weight_d = _agreement(atoms_l, weights_l, cert)",
      "    else:\n        got, atom_d, weight_d = cert.digits, [cert.digits] * n, "
      "[cert.digits] * n", "skipped certification",
      "fixed-precision digits vouched without the comparison with the certified result"),
    M("P2", "moments/recovery.py",
      "status, msg = _status(data, cert, got, target, loss, used, problem.requested)",
      'status, msg = "ok", "forced"', "forced status",
      "certified recovery's status forced to 'ok'"),
    M("P3", "moments/recovery.py", "    if target is not None and got < target:",
      "    if False:", "forced status",
      "fixed-precision recovery never reports a missed target"),
    M("P4", "moments/_ball.py",
      "N = [sum((c[j + e + 1] * m[j] for j in range(n - e)), fmpq(0)) for e in range(n)]",
      "N = [sum((c[j + e] * m[j] for j in range(n - e)), fmpq(0)) for e in range(n)]",
      "off-by-one", "Lagrange weight numerator with a wrong coefficient index"),
    M("P5", "moments/_ball.py", "- beta[k - 1] * sig_prev[l]", "+ beta[k - 1] * sig_prev[l]",
      "sign flip", "Chebyshev algorithm with a sign error"),
    M("R1", "moments/realization.py",
      "H1 = hankel(ar, h, size, size, shift=1)",
      "H1 = hankel(ar, h, size, size, shift=0)", "off-by-one",
      "Ho-Kalman shifted Hankel matrix not shifted (double precision)"),
    M("X1", "precision.py", "ctx.dps = self.dps + extra_dps", "ctx.dps = self.dps",
      "dropped term", "mpmath contexts ignore the requested guard digits"),
]

EQUIVALENT = [
    ("moments/truncated.py: Inertia.psd `negative == 0` -> `negative <= 1`",
     "moment_feasible's verdict does not change: a sequence with one negative eigenvalue then "
     "fails the positive-definite test (Inertia.pd is separate) and, when singular, its flat "
     "candidate has a negative weight and is refused by _measure_on_zeros; only the message "
     "differs"),
    ("moments/truncated.py: _measure_on_zeros `w < 0` -> `w < -1`",
     "reached only for sequences whose Hankel and localising matrices are PSD, whose unique "
     "flat representing measure has non-negative weights (M2); the guard cannot fire"),
    ("moments/truncated.py: Descartes count `c * (-1) ** k` -> `c * (-1) ** (k + 1)`",
     "multiplying every coefficient by -1 does not change the number of sign changes"),
    ("dynamics/mp_flow.py: K = [[-v for v in f] ...] -> [[v for v in f] ...]",
     "only the starting guess of the fixed-point iteration for the Gauss stages; the iteration "
     "converges to the same stage values (to the tolerance) from either guess"),
    ("rnn/teachers.py: c = b.copy() -> c = b (balanced mode)",
     "DiagonalRNN converts its arguments with astype, which copies: no aliasing results"),
    ("dynamics/flow.py: drift over inv - inv[0] -> inv - inv[-1]",
     "max |I(t) - I(T)| and max |I(t) - I(0)| differ by at most a factor 2; no claim's "
     "threshold is within a factor 2 of the measured drift, by design (the drift is not a "
     "semantic quantity, only an indicator)"),
]


def _copy_tree(dest: Path) -> None:
    for name in ("momentrnn", "proofs_checks"):
        shutil.copytree(ROOT / name, dest / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


def _apply(dest: Path, m: Mutant) -> bool:
    """Apply the first of the mutant's patterns that occurs exactly once; False if none."""
    path = dest / "momentrnn" / m.path
    text = path.read_text()
    for pattern, replacement in ((m.pattern, m.replacement), *m.alternatives):
        if text.count(pattern) == 1:
            path.write_text(text.replace(pattern, replacement))
            return True
    return False


def run_mutant(m: Mutant, timeout: float, only: str | None) -> dict:
    with tempfile.TemporaryDirectory(prefix="momentrnn-mutant-") as tmp:
        dest = Path(tmp)
        _copy_tree(dest)
        if not _apply(dest, m):
            return {"key": m.key, "result": "stale", "caught_by": [], "seconds": 0.0}
        cmd = [sys.executable, "-m", "momentrnn", "check", "--quick", "--format", "json"]
        if only:
            cmd += ["--only", only]
        env = dict(os.environ, PYTHONPATH=str(dest), PYTHONDONTWRITEBYTECODE="1")
        start = time.perf_counter()
        try:
            proc = subprocess.run(cmd, cwd=dest, env=env, capture_output=True, text=True,
                                  timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"key": m.key, "result": "timeout", "caught_by": [],
                    "seconds": time.perf_counter() - start}
        seconds = time.perf_counter() - start
        try:
            claims = json.loads(proc.stdout)["claims"]
        except (ValueError, KeyError):
            return {"key": m.key, "result": "crash", "caught_by": [], "seconds": seconds,
                    "detail": proc.stderr[-300:]}
        caught = [f"{c['label']} ({c['verdict']})" for c in claims if c["verdict"] != "PASS"]
        clean = [c for c in claims if c["verdict"] in ("FAIL", "VACUOUS",
                                                       "PRECISION INSUFFICIENT")]
        if clean:
            result = "caught"
        elif proc.returncode == 0:
            result = "survived"
        else:
            result = "crash"
        errors = [c["message"][:160] for c in claims if c["verdict"] == "ERROR"]
        return {"key": m.key, "result": result, "caught_by": caught, "seconds": seconds,
                "detail": "; ".join(errors)}


def _verify_copy_is_used() -> None:
    """The temporary copy, not the installed package, must be the one imported."""
    with tempfile.TemporaryDirectory(prefix="momentrnn-mutant-") as tmp:
        _copy_tree(Path(tmp))
        env = dict(os.environ, PYTHONPATH=tmp)
        out = subprocess.run([sys.executable, "-c", "import momentrnn; print(momentrnn.__file__)"],
                             cwd=tmp, env=env, capture_output=True, text=True, check=True).stdout
        if not out.strip().startswith(tmp):
            raise SystemExit(f"the copy is not imported (got {out.strip()}); aborting")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=2, help="mutants run at once")
    ap.add_argument("--timeout", type=float, default=240.0, help="seconds per mutant")
    ap.add_argument("--only", help="comma-separated mutant keys")
    ap.add_argument("--claims", help="run only these claims (exploration; not the score)")
    ap.add_argument("--markdown", help="write the table to this file")
    args = ap.parse_args(argv)
    _verify_copy_is_used()
    corpus = [m for m in MUTANTS if not args.only or m.key in args.only.split(",")]
    start = time.perf_counter()
    def one(m: Mutant) -> dict:
        row = run_mutant(m, args.timeout, args.claims)
        print(f"{m.key}: {row['result']} {', '.join(row['caught_by'])} ({row['seconds']:.0f} s)",
              file=sys.stderr, flush=True)
        return row

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        rows = list(pool.map(one, corpus))
    wall = time.perf_counter() - start
    by_key = {m.key: m for m in corpus}
    scored = [r for r in rows if r["result"] != "stale"]
    caught = [r for r in scored if r["result"] == "caught"]
    lines = ["| mutant | kind | file | change | result | caught by | s |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        m = by_key[r["key"]]
        lines.append(f"| {m.key} | {m.kind} | {m.path} | {m.description} | {r['result']} | "
                     f"{', '.join(r['caught_by']) or r.get('detail', '') or '-'} | "
                     f"{r['seconds']:.0f} |")
    stale = [r["key"] for r in rows if r["result"] == "stale"]
    score = 100.0 * len(caught) / len(scored) if scored else 0.0
    summary = [
        f"Mutation score: {len(caught)}/{len(scored)} = {score:.0f}% caught by a clean verdict "
        f"(FAIL, VACUOUS or PRECISION INSUFFICIENT) of `momentrnn check --quick`"
        + (f" (claims limited to {args.claims})" if args.claims else "") + ".",
        f"Crashes (only ERROR): {sum(r['result'] == 'crash' for r in scored)}; timeouts "
        f"(> {args.timeout:.0f} s): {sum(r['result'] == 'timeout' for r in scored)}; survived: "
        f"{sum(r['result'] == 'survived' for r in scored)}; stale patterns (not scored): "
        f"{', '.join(stale) or 'none'}. Wall time {wall:.0f} s with {args.jobs} at once.",
    ]
    eq = ["", "Equivalent mutants (not scored):", ""]
    eq += [f"- `{what}`: {why}." for what, why in EQUIVALENT]
    text = "\n".join(summary + [""] + lines + eq) + "\n"
    print(text)
    if args.markdown:
        Path(args.markdown).write_text("# Mutation score of `momentrnn check --quick`\n\n"
                                       "`python benchmarks/bench_mutation.py`\n\n" + text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
