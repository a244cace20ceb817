"""Adversarial property search: exact truths, every presentation, and the claims checked.

Each property draws a TRUE object whose answer is known exactly (a discrete measure with
rational atoms, conjugate pairs p +- q sqrt(D) with D > 0 (real algebraic) or D < 0 (complex),
its exact power or Chebyshev moments as Fractions), presents its moments in one of the number
kinds the package reads (exact kinds, doubles, mpmath numbers at their own precision, balls,
``data_digits``/``data_error`` boxes, or a mix, each number carrying its own accuracy), calls one
public function, and checks what the result claims against the truth:

* a verdict (``ok``, ``inconsistent``, infeasible, ``rank r``, a proved end) must be true;
* a vouched digit must be correct: ``|computed - true| <= 10**-digits * scale`` with the scale of
  the docstring (normwise: the largest atom / weight; per component: its own magnitude);
* a proved enclosure (``Recovery.enclosure``, ``certified_lower``/``upper``, certificate bounds)
  must contain the truth;
* no call on these small inputs takes over ``SLOW_SECONDS`` of CPU time.

A refusal (a raised :class:`MomentRNNError` or a non-ok status) is honest and allowed, but it is
counted; a refusal of an easy input (exact or double data of a well-separated measure with at
most three atoms) is a failure of its own kind, ``easy refusal``.

A failed claim raises :class:`Falsified` with its category and a one-line reproducer. The
functions ``prop_*`` take hypothesis's ``data`` object and an optional :class:`Tally`;
``tests/test_adversarial.py`` runs them with a pinned seed and a small budget,
``benchmarks/bench_adversarial.py`` with random seeds and a long one.

Exact truth is computed over Q(sqrt D); decimal values of irrational atoms at 600 bits in a
private mpmath context (the global ``mpmath.mp`` is never touched), so a comparison is decided
up to 2**-550, far below any digit the package vouches for.
"""

from __future__ import annotations

import itertools
import math
import signal
import time
from dataclasses import dataclass, field
from fractions import Fraction

import flint
import mpmath
from hypothesis import strategies as st

from momentrnn import (
    MP,
    Ball,
    Exact,
    Float64,
    MomentRNNError,
    extrapolation_range,
    gauss_rule,
    hankel_rank,
    minimal_realization,
    moment_feasible,
    next_moment_range,
    recover_measure,
)
from momentrnn.errors import InputError, NotPositiveError
from momentrnn.moments import certify_extrapolation

F = Fraction
SLOW_SECONDS = 10.0
BITS = 600


def _ctx(bits: int = BITS) -> mpmath.ctx_mp.MPContext:
    ctx = mpmath.MPContext()
    ctx.prec = bits
    return ctx


class Falsified(AssertionError):
    """A claim of the package is false for an input with a known exact answer."""

    def __init__(self, category: str, detail: str, reproducer: str):
        self.category = category
        self.detail = detail
        self.reproducer = reproducer
        super().__init__(f"[{category}] {detail}\n  reproducer: {reproducer}")


@dataclass
class Tally:
    """Counts of one property's calls (the benchmark keeps one per property)."""

    cases: int = 0
    refusals: int = 0
    easy_refusals: int = 0
    slowest: float = 0.0
    slowest_call: str = ""
    refusal_kinds: dict = field(default_factory=dict)
    # the benchmark records slow calls here instead of raising (shrinking them would spend the
    # whole budget re-running slow calls); the tests raise
    record_slow: bool = False
    slow_calls: list = field(default_factory=list)

    def refused(self, why: str) -> None:
        self.refusals += 1
        self.refusal_kinds[why] = self.refusal_kinds.get(why, 0) + 1


# ---------------------------------------------------------------------------- Q(sqrt D)


def _mul(a, b, D):
    return (a[0] * b[0] + D * a[1] * b[1], a[0] * b[1] + a[1] * b[0])


def _add(a, b):
    return (a[0] + b[0], a[1] + b[1])


@dataclass(frozen=True)
class Truth:
    """A measure sum_i w_i delta_{x_i}; x_i = p + q sqrt(D), w_i = r + s sqrt(D), closed under
    conjugation (q -> -q together with s -> -s), so every moment is rational."""

    D: Fraction
    atoms: tuple  # of (p, q)
    weights: tuple  # of (r, s)
    kind: str
    easy: bool = False

    @property
    def size(self) -> int:
        return len(self.atoms)

    @property
    def is_real(self) -> bool:
        return self.D >= 0 or all(q == 0 for _, q in self.atoms)

    @property
    def positive(self) -> bool:
        if not self.is_real:
            return False
        for r, s in self.weights:
            if s == 0:
                if r <= 0:
                    return False
            elif not (r > 0 and r * r > s * s * self.D):
                return False
        return True

    @property
    def rational(self) -> bool:
        return all(q == 0 for _, q in self.atoms) and all(s == 0 for _, s in self.weights)

    def moment_list(self, count: int, basis: str = "monomial") -> list[Fraction]:
        D = self.D
        out = [F(0)] * count
        for x, w in zip(self.atoms, self.weights):
            if basis == "monomial":
                p = (F(1), F(0))
                for j in range(count):
                    out[j] += _mul(w, p, D)[0]
                    p = _mul(p, x, D)
            else:  # Chebyshev T_k(x): T_{k+1} = 2 x T_k - T_{k-1}
                t0, t1 = (F(1), F(0)), x
                for j in range(count):
                    out[j] += _mul(w, t0, D)[0]
                    t2 = _mul((2 * t1[0], 2 * t1[1]), x, D)
                    t0, t1 = t1, (t2[0] - t0[0], t2[1] - t0[1])
        return out

    def moment(self, j: int) -> Fraction:
        return self.moment_list(j + 1)[j]

    def mp(self, ctx) -> tuple[list, list]:
        """Atoms and weights at the context's precision."""
        if self.D >= 0:
            root = ctx.sqrt(ctx.mpf(self.D.numerator) / self.D.denominator)
        else:
            root = ctx.mpc(0, ctx.sqrt(ctx.mpf(-self.D.numerator) / self.D.denominator))

        def val(v):
            return _q(ctx, v[0]) + (_q(ctx, v[1]) * root if v[1] else 0)

        return [val(x) for x in self.atoms], [val(w) for w in self.weights]

    def exact_atoms(self) -> list[Fraction] | None:
        return [p for p, _ in self.atoms] if self.rational else None

    def text(self) -> str:
        def one(v):
            if v[1] == 0:
                return _fr(v[0])
            return f"{_fr(v[0])}{'+' if v[1] > 0 else '-'}{_fr(abs(v[1]))}*sqrt({_fr(self.D)})"
        pairs = zip(self.atoms, self.weights)
        return "{" + ", ".join(f"{one(x)}: {one(w)}" for x, w in pairs) + "}"


def _q(ctx, v: Fraction):
    return ctx.mpf(v.numerator) / v.denominator


def _frac(v) -> Fraction:
    """An exact returned number (Fraction, int, float, flint.fmpq/fmpz) as a Fraction."""
    if isinstance(v, flint.fmpq):
        return F(int(v.p), int(v.q))
    if isinstance(v, flint.fmpz):
        return F(int(v))
    return F(v)


def _dyadic(man_exp) -> Fraction:
    man, exp = (int(t) for t in man_exp)
    return F(man) * F(2) ** exp


def _interval(v) -> tuple:
    """(low, high) exact Fractions around a returned end: a ball's ends, else the value twice
    (infinite ends kept as floats)."""
    if isinstance(v, flint.arb):
        mid, rad = _dyadic(v.mid().man_exp()), _dyadic(v.rad().man_exp())
        return mid - rad, mid + rad
    if isinstance(v, float) and math.isinf(v):
        return v, v
    x = _frac(v)
    return x, x


def _fr(v) -> str:
    v = _frac(v)
    return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"


# ---------------------------------------------------------------------------- truth strategies

ONE, MINUS_ONE = F(1), F(-1)
DENOMS = [1, 2, 3, 7, 10, 12, 100, 243, 997]
ROOTS = [F(2), F(3), F(5), F(7), F(1, 3), F(6, 5)]
COMPLEX_ROOTS = [F(-1), F(-3), F(-2, 7)]


@st.composite
def _rational_in(draw, lo: Fraction, hi: Fraction) -> Fraction:
    d = draw(st.sampled_from(DENOMS))
    a, b = math.ceil(lo * d), math.floor(hi * d)
    return F(draw(st.integers(a, b)), d) if a <= b else lo


@st.composite
def _weight(draw, signed: bool, wide: bool) -> Fraction:
    w = F(draw(st.integers(1, 999)), draw(st.sampled_from(DENOMS)))
    if wide:
        w *= F(1, 10 ** draw(st.integers(0, 40)))
    if signed and draw(st.booleans()):
        w = -w
    return w


def _separation(atoms) -> Fraction:
    xs = sorted(atoms)
    return min((b - a for a, b in zip(xs, xs[1:])), default=F(1))


@st.composite
def truths(draw, *, positive: bool = False, lo: Fraction = MINUS_ONE, hi: Fraction = ONE,
           max_atoms: int = 4, kinds: tuple | None = None, real: bool = False) -> Truth:
    """A measure with its exact answer. ``positive``: non-negative weights, real atoms in
    [lo, hi]; otherwise any sign, and complex pairs unless ``real``."""
    all_kinds = ["rational", "rational", "near", "ends", "wide_weights", "algebraic"]
    if not positive and not real:
        all_kinds.append("complex")
    kind = draw(st.sampled_from(list(kinds or all_kinds)))
    signed = not positive and draw(st.booleans())
    n_rat = draw(st.integers(1 if kind in ("rational", "near", "ends", "wide_weights") else 0,
                             max_atoms))
    atoms: list[Fraction] = []
    if kind == "near":
        a = draw(_rational_in(lo, hi))
        delta = F(1, 10 ** draw(st.integers(1, 30)))
        b = a + delta if a + delta <= hi else a - delta
        atoms = [a, b]
    elif kind == "ends":
        k = draw(st.integers(1, 30))
        pool = [lo, hi, hi - F(1, 10 ** k), lo + F(1, 10 ** k)]
        atoms = list(dict.fromkeys(draw(st.lists(st.sampled_from(pool), min_size=1,
                                                 max_size=3, unique=True))))
    while len(atoms) < n_rat:
        a = draw(_rational_in(lo, hi))
        if a not in atoms:
            atoms.append(a)
        elif draw(st.booleans()):
            break
    atoms = atoms[:max(max_atoms, 2)]
    wide = kind == "wide_weights"
    pairs: list[tuple] = []
    D = F(0)
    if kind in ("algebraic", "complex"):
        D = draw(st.sampled_from(ROOTS if kind == "algebraic" else COMPLEX_ROOTS))
        for _ in range(draw(st.integers(1, 2))):
            p = draw(_rational_in(lo / 2, hi / 2)) if positive else draw(_rational_in(lo, hi))
            if kind == "complex" and draw(st.integers(0, 3)) == 0:
                p = F(0)  # a purely imaginary pair: real parts that are exact zeros
            q = F(draw(st.integers(1, 9)), draw(st.sampled_from([2, 3, 7, 10, 30])))
            if positive:  # both p +- q sqrt(D) in [lo, hi]
                for _ in range(80):
                    if (hi - p) ** 2 >= q * q * D and (p - lo) ** 2 >= q * q * D:
                        break
                    q /= 2
                else:
                    continue
            if p in atoms:
                continue
            if all((p, q) != (pp, qq) for pp, qq in pairs):
                pairs.append((p, q))
    weights: list[tuple] = []
    for _ in atoms:
        weights.append((draw(_weight(signed, wide)), F(0)))
    full_atoms, full_weights = [(a, F(0)) for a in atoms], weights
    for p, q in pairs:
        r = draw(_weight(signed, wide))
        s = F(draw(st.integers(-9, 9)), draw(st.sampled_from([3, 10])))
        if positive:
            while s != 0 and not (r > 0 and r * r > s * s * D):
                s /= 2
                if abs(s) < F(1, 10 ** 6):
                    s = F(0)
        full_atoms += [(p, q), (p, -q)]
        full_weights += [(r, s), (r, -s)]
    if not full_atoms:
        full_atoms, full_weights = [(F(0), F(0))], [(F(1), F(0))]
    easy = (kind == "rational" and len(atoms) <= 3 and _separation(atoms) >= F(1, 10)
            and max(abs(w[0]) for w in weights) <= 100 * min(abs(w[0]) for w in weights)
            and not pairs)
    return Truth(D if pairs else F(0), tuple(full_atoms), tuple(full_weights), kind, easy)


# ---------------------------------------------------------------------------- presentations


def _nearest_float(v: Fraction) -> float:
    return float(v)  # correctly rounded


def _round_bits(v: Fraction, bits: int) -> tuple[int, int]:
    """(man, exp) with man * 2**exp the nearest to v with ``bits`` significant bits."""
    if v == 0:
        return 0, 0
    e = (abs(v.numerator).bit_length() - v.denominator.bit_length()) - bits - 1
    while abs(v) / F(2) ** e >= 2 ** bits:
        e += 1
    while abs(v) / F(2) ** e < 2 ** (bits - 1):
        e -= 1
    man = round(v / F(2) ** e)
    return man, e


def mpf_at(man: int, exp: int, prec: int):
    """``man * 2**exp`` as an mpmath number of a private context at ``prec`` bits (exact)."""
    ctx = _ctx(prec)
    return ctx.ldexp(ctx.mpf(man), exp)


def _decimal_text(v: Fraction) -> str | None:
    d = v.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return None
    k = max(twos, fives)
    scaled = v * 10 ** k
    sign = "-" if scaled < 0 else ""
    digits = str(abs(scaled.numerator)).rjust(k + 1, "0")
    return f"{sign}{digits[:-k]}.{digits[-k:]}" if k else f"{sign}{digits}"


@dataclass
class Presented:
    values: list
    kwargs: dict
    radii: list  # Fraction bounds on |presented - true|, per moment
    label: str
    exact: bool
    code: list  # python source of each value
    declared: list = field(default_factory=list)  # upper bounds on the accuracy each states


EXACT_FORMS = ("fraction", "mixed_exact")
ALL_FORMS = ("fraction", "mixed_exact", "float", "mpf", "ball", "data_digits", "data_error",
             "mixed")


@st.composite
def presentations(draw, moments: list[Fraction], forms: tuple = ALL_FORMS) -> Presented:
    # exact and double data twice as often: the easy answers must not be refused
    form = draw(st.sampled_from(list(forms) + [f for f in forms if f in ("fraction", "float")]))
    values, radii, code, declared = [], [], [], []
    kwargs: dict = {}

    def exact_one(v, how):
        if how == "str" and _decimal_text(v) is not None:
            t = _decimal_text(v)
            return t, repr(t)
        if how == "str":
            t = f"{v.numerator}/{v.denominator}"
            return t, repr(t)
        if how == "fmpq":
            return (flint.fmpq(v.numerator, v.denominator),
                    f"flint.fmpq({v.numerator}, {v.denominator})")
        if how == "int" and v.denominator == 1:
            return int(v), str(int(v))
        return v, f"F({v.numerator}, {v.denominator})"

    def one(v, how):
        if how in ("fraction", "str", "fmpq", "int"):
            val, c = exact_one(v, how)
            return val, F(0), c
        if how == "float":
            f = _nearest_float(v)
            if f == 0 and v != 0 or math.isinf(f):
                val, c = exact_one(v, "fraction")
                return val, F(0), c
            return f, abs(F(f) - v), repr(f)
        if how.startswith("mpf"):
            prec = int(how[3:])
            man, e = _round_bits(v, prec)
            return mpf_at(man, e, prec), abs(F(man) * F(2) ** e - v), f"mpf_at({man}, {e}, {prec})"
        if how == "ball":
            f = _nearest_float(v)
            rad = abs(f) * 2.0 ** -48 + (2.0 ** -1074 if f == 0 else 0.0)
            if f == 0 and v != 0 or math.isinf(f):
                val, c = exact_one(v, "fraction")
                return val, F(0), c
            return flint.arb(f, rad), F(rad), f"flint.arb({f!r}, {rad!r})"
        raise AssertionError(how)

    if form in ("fraction", "mixed_exact", "float", "mpf", "ball", "mixed"):
        exact_kinds = ["fraction", "str", "fmpq", "int"]
        mp_kind = f"mpf{draw(st.sampled_from([64, 113, 200]))}"
        for v in moments:
            if form == "fraction":
                how = "fraction"
            elif form == "mixed_exact":
                how = draw(st.sampled_from(exact_kinds))
            elif form == "mpf":
                how = mp_kind
            elif form == "mixed":
                how = draw(st.sampled_from(exact_kinds[:1] + ["float", mp_kind, "ball"]))
            else:
                how = form
            val, rad, c = one(v, how)
            values.append(val)
            radii.append(rad)
            code.append(c)
            if isinstance(val, float):
                declared.append(abs(F(val)) / 2 ** 52 + F(2) ** -1074)
            elif how.startswith("mpf"):
                declared.append(abs(v) / 2 ** (int(how[3:]) - 2))
            elif isinstance(val, flint.arb):
                declared.append(rad * 2)
            else:
                declared.append(F(0))
    elif form == "data_digits":
        D = draw(st.sampled_from([6, 10, 14, 20, 30, 45]))
        scale = max(abs(v) for v in moments) or F(1)
        for v in moments:
            u = F(draw(st.integers(-500, 500)), 1000)
            p = v + u * scale / 10 ** D
            values.append(p)
            radii.append(abs(p - v))
            code.append(f"F({p.numerator}, {p.denominator})")
        top = max(abs(p) for p in values)
        declared = [top / 10 ** D * F(101, 100)] * len(values)
        kwargs["data_digits"] = D
    elif form == "data_error":
        errs = []
        for v in moments:
            E = draw(st.integers(3, 40))
            e = F(1, 10 ** E)
            u = F(draw(st.integers(-499, 499)), 1000)
            p = v + u * e
            values.append(p)
            radii.append(abs(p - v))
            code.append(f"F({p.numerator}, {p.denominator})")
            errs.append(float(e))
            declared.append(e * F(101, 100))
        kwargs["data_error"] = errs
    exact = form in EXACT_FORMS
    return Presented(values, kwargs, radii, form, exact, code, declared)


def call_text(fname: str, pres_code: list, **kw) -> str:
    args = ", ".join(f"{k}={v}" for k, v in kw.items() if v is not None)
    return f"{fname}([{', '.join(pres_code)}]{', ' if args else ''}{args})"


def _kwcode(kwargs: dict) -> dict:
    return {k: repr(v) for k, v in kwargs.items()}


# ---------------------------------------------------------------------------- conversions


def to_mp(ctx, v):
    """A returned number (any kind the package returns) at the context's precision."""
    if isinstance(v, Fraction):
        return _q(ctx, v)
    if isinstance(v, int):
        return ctx.mpf(v)
    if isinstance(v, (flint.fmpq, flint.fmpz)):
        f = F(int(v.p), int(v.q)) if isinstance(v, flint.fmpq) else F(int(v))
        return _q(ctx, f)
    if isinstance(v, flint.arb):
        return _arb_mid(ctx, v)
    if isinstance(v, flint.acb):
        return ctx.mpc(_arb_mid(ctx, v.real), _arb_mid(ctx, v.imag))
    if hasattr(v, "to_mp"):
        return v.to_mp(ctx)
    if type(v).__module__.startswith("sympy"):
        import sympy

        z = sympy.N(v, int(ctx.prec / 3.33) + 10)
        re, im = z.as_real_imag()
        re_v = ctx.mpf(str(re)) if re != 0 else ctx.mpf(0)
        return re_v if im == 0 else ctx.mpc(re_v, ctx.mpf(str(im)))
    if hasattr(v, "real") and hasattr(v, "imag") and not isinstance(v, (float, int)):
        try:
            return ctx.mpmathify(complex(v)) if type(v).__module__ == "numpy" else ctx.mpmathify(v)
        except (TypeError, ValueError):
            pass
    return ctx.mpmathify(v)


def _arb_mid(ctx, a):
    man, exp = a.mid().man_exp()
    return ctx.ldexp(ctx.mpf(int(man)), int(exp))


def _arb_rad(ctx, a):
    man, exp = a.rad().man_exp()
    return ctx.ldexp(ctx.mpf(int(man)), int(exp))


def _ball_contains(ctx, ball, value) -> bool:
    slack = ctx.ldexp(1, -(BITS - 50)) * (1 + abs(value))
    if isinstance(ball, flint.arb):
        return abs(ctx.re(value) - _arb_mid(ctx, ball)) <= _arb_rad(ctx, ball) + slack and abs(
            ctx.im(value)) <= slack
    if isinstance(ball, flint.acb):
        return (abs(ctx.re(value) - _arb_mid(ctx, ball.real)) <= _arb_rad(ctx, ball.real) + slack
                and abs(ctx.im(value) - _arb_mid(ctx, ball.imag))
                <= _arb_rad(ctx, ball.imag) + slack)
    return True  # not a ball: nothing enclosed is claimed


def _digits_ok(ctx, err, digits, scale) -> bool:
    if digits is None or digits <= 0:
        return True
    if math.isinf(digits):
        return err <= ctx.ldexp(1, -(BITS - 60)) * (1 + scale)
    return err <= ctx.mpf(10) ** (-ctx.mpf(digits)) * scale * (1 + ctx.mpf(10) ** -9)


# ---------------------------------------------------------------------------- timing


class _CallTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise _CallTimeout


def _timed(tally: Tally | None, repro: str, fn, *args, **kwargs):
    """Call ``fn``; in a test, a call that takes over ``SLOW_SECONDS`` of this process's CPU
    time (the work it did, whatever else loads the machine) falsifies the promise."""
    start, start_cpu = time.perf_counter(), time.process_time()
    guard = tally is not None and tally.record_slow and hasattr(signal, "setitimer")
    if guard:  # the benchmark stops a call at 3x the limit and records it as slow
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, 3 * SLOW_SECONDS)
    try:
        return fn(*args, **kwargs)
    except _CallTimeout:
        tally.slow_calls.append((time.perf_counter() - start, repro + "  # stopped"))
        raise MomentRNNError("stopped after 3x the time limit") from None
    finally:
        if guard:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        dt = time.perf_counter() - start
        if tally is not None and dt > tally.slowest:
            tally.slowest, tally.slowest_call = dt, repro
        if dt > SLOW_SECONDS and tally is not None and tally.record_slow:
            tally.slow_calls.append((dt, repro))
        elif time.process_time() - start_cpu > SLOW_SECONDS:
            cpu = time.process_time() - start_cpu
            raise Falsified("slow", f"{cpu:.1f} s of CPU ({dt:.1f} s wall) on a small input "
                            f"(limit {SLOW_SECONDS} s of CPU)", repro)


def _refusal(tally, easy: bool, why: str, repro: str, detail: str):
    if tally is not None:
        tally.refused(why)
    if easy:
        if tally is not None:
            tally.easy_refusals += 1
        raise Falsified("easy refusal", f"{why}: {detail[:300]}", repro)


# ---------------------------------------------------------------------------- recovery checks


def _best_match(ctx, ta, tw, ga, gw, a_scale, w_scale):
    """Permutation (returned index per true index, None when unmatched) minimising the worst
    normwise error; returns (perm, worst atom error, worst weight error)."""
    n, r = len(ta), len(ga)
    best = None
    for perm in itertools.permutations(range(max(n, r)), n):
        ea = ew = ctx.mpf(0)
        for i, j in enumerate(perm):
            if j < r:
                ea = max(ea, abs(ga[j] - ta[i]))
                ew = max(ew, abs(gw[j] - tw[i]))
            else:
                ew = max(ew, abs(tw[i]))
        used = set(perm)
        for j in range(r):
            if j not in used:
                ew = max(ew, abs(gw[j]))
        # ties of the worst error (a weight error dominating both pairings of two close
        # atoms) are broken by the total error, so close atoms are not paired crosswise
        total = ctx.fsum(abs(ga[j] - ta[i]) / a_scale + abs(gw[j] - tw[i]) / w_scale
                         for i, j in enumerate(perm) if j < r)
        key = (max(ea / a_scale, ew / w_scale), total)
        if best is None or key < best[0]:
            best = (key, perm, ea, ew)
    return best[1], best[2], best[3]


def check_recovery(r, truth: Truth, repro: str, *, exact_method: bool) -> None:
    """Every claim of a Recovery with status ok against the exact truth."""
    ctx = _ctx()
    ta, tw = truth.mp(ctx)
    if r.measure is None:
        return
    ga = [to_mp(ctx, a) for a in r.measure.atoms]
    gw = [to_mp(ctx, w) for w in r.measure.weights]
    a_scale = max([abs(a) for a in ta] + [abs(a) for a in ga])
    w_scale = max([abs(w) for w in tw] + [abs(w) for w in gw])
    if a_scale == 0:
        a_scale = ctx.mpf(1)
    perm, ea, ew = _best_match(ctx, ta, tw, ga, gw, a_scale, w_scale)
    d = r.digits
    if r.rank != truth.size and (exact_method or math.isinf(d)):
        raise Falsified("false rank", f"rank {r.rank} with status ok, the truth has "
                        f"{truth.size} atoms {truth.text()}", repro)
    if r.rank < truth.size:
        # rounded data: the rank is the number of atoms their accuracy resolves, and what is
        # vouched for is the r-atom measure of every sequence within that accuracy, the true
        # moments among them: the r-atom measure with the truth's first 2r moments
        reduced = _rank_reduction(ctx, ta, tw, r.rank)
        if reduced is None:
            raise Falsified("false rank", f"rank {r.rank} with status ok, but no {r.rank}-atom "
                            f"measure has the first {2 * r.rank} moments of the truth "
                            f"{truth.text()}", repro)
        ta, tw = reduced
        a_scale = max([abs(a) for a in ta] + [abs(a) for a in ga]) or ctx.mpf(1)
        w_scale = max([abs(w) for w in tw] + [abs(w) for w in gw])
        perm, ea, ew = _best_match(ctx, ta, tw, ga, gw, a_scale, w_scale)
    if not _digits_ok(ctx, ea, d, a_scale) or not _digits_ok(ctx, ew, d, w_scale):
        raise Falsified("wrong vouched digits",
                        f"digits={d:.4g} vouched, true normwise errors atoms "
                        f"{mpmath.nstr(ea / a_scale, 3)}, weights {mpmath.nstr(ew / w_scale, 3)}; "
                        f"truth {truth.text()}, got {r.measure}", repro)
    # a per-component claim is about one returned atom and its weight: some true atom must
    # meet both (whatever the normwise matching above chose)
    for j in range(len(ga)):
        da = r.atom_digits[j] if r.atom_digits is not None else 0
        dw = r.weight_digits[j] if r.weight_digits is not None else 0
        if not (da > 0 or dw > 0):
            continue
        if any(_digits_ok(ctx, abs(ga[j] - ta[i]), da, abs(ta[i]))
               and _digits_ok(ctx, abs(gw[j] - tw[i]), dw, abs(tw[i])) for i in range(len(ta))):
            continue
        i = min(range(len(ta)), key=lambda i: abs(ga[j] - ta[i]))
        ea_j, ew_j = abs(ga[j] - ta[i]), abs(gw[j] - tw[i])
        what = "atom" if not _digits_ok(ctx, ea_j, da, abs(ta[i])) else "weight"
        raise Falsified(
            f"wrong {what}_digits",
            f"returned atom {mpmath.nstr(ga[j], 20)} (vouched {da:.4g} digits) weight "
            f"{mpmath.nstr(gw[j], 20)} (vouched {dw:.4g} digits); nearest true atom "
            f"{mpmath.nstr(ta[i], 20)} weight {mpmath.nstr(tw[i], 20)}: relative errors "
            f"{mpmath.nstr(ea_j / abs(ta[i]) if ta[i] else ea_j, 3)}, "
            f"{mpmath.nstr(ew_j / abs(tw[i]), 3)}; truth {truth.text()}", repro)
    if r.enclosure is not None:
        enc_a, enc_w = r.enclosure.atoms, r.enclosure.weights
        for i in range(len(ta)):
            if len(enc_a) != len(ta):
                break  # another rank: the digits above judge it
            if not any(_ball_contains(ctx, enc_a[j], ta[i]) and _ball_contains(ctx, enc_w[j], tw[i])
                       for j in range(len(enc_a))):
                raise Falsified("enclosure misses the truth",
                                f"true atom {mpmath.nstr(ta[i], 20)} weight "
                                f"{mpmath.nstr(tw[i], 20)} in no enclosure of "
                                f"{list(zip(enc_a, enc_w))}; truth {truth.text()}", repro)


def _rank_reduction(ctx, ta, tw, r: int):
    """The measure with r atoms and the first 2r moments of sum_i tw_i delta_{ta_i} (Prony at
    the context's precision), or None when its r x r Hankel matrix is singular."""
    m = [ctx.fsum(w * a**j for a, w in zip(ta, tw)) for j in range(2 * r)]
    H = ctx.matrix([[m[i + j] for j in range(r)] for i in range(r)])
    if abs(ctx.det(H)) <= ctx.ldexp(1, -(ctx.prec // 2)) * max(abs(v) for v in m) ** r:
        return None
    c = ctx.lu_solve(H, ctx.matrix([-m[r + i] for i in range(r)]))
    atoms = ctx.polyroots([1] + [c[r - 1 - k] for k in range(r)], maxsteps=400,
                          extraprec=ctx.prec)
    V = ctx.matrix([[a**j for a in atoms] for j in range(r)])
    weights = ctx.lu_solve(V, ctx.matrix(m[:r]))
    return list(atoms), [weights[i] for i in range(r)]


def _precisions(draw, exact: bool):
    options = ["mp", "ball", "float64", "digits"] + (["exact"] * 2 if exact else [])
    which = draw(st.sampled_from(options))
    if which == "exact":
        return {"precision": Exact()}, {"precision": "Exact()"}
    if which == "mp":
        dps = draw(st.sampled_from([20, 40, 80]))
        return {"precision": MP(dps)}, {"precision": f"MP({dps})"}
    if which == "ball":
        dps = draw(st.sampled_from([20, 40, 80]))
        return {"precision": Ball(dps)}, {"precision": f"Ball({dps})"}
    if which == "float64":
        return {"precision": Float64()}, {"precision": "Float64()"}
    t = draw(st.sampled_from([8, 15, 30]))
    return {"digits": t}, {"digits": str(t)}


def _easy_call(truth: Truth, pres: Presented, kw: dict) -> bool:
    if not truth.easy:
        return False
    if pres.exact:
        return True
    return pres.label == "float" and ("digits" not in kw or kw["digits"] <= 8) and not isinstance(
        kw.get("precision"), Exact)


def prop_recover_measure(data, tally: Tally | None = None) -> None:
    draw = data.draw
    basis = draw(st.sampled_from(["monomial", "monomial", "chebyshev"]))
    method = draw(st.sampled_from(["auto", "prony", "pencil", "gauss"]))
    positive = method == "gauss" or draw(st.booleans())
    truth = draw(truths(positive=positive, real=basis == "chebyshev"))
    count = 2 * truth.size + draw(st.sampled_from([0, 0, 0, 2]))
    moments = truth.moment_list(count, basis)
    pres = draw(presentations(moments))
    kw, kwc = _precisions(draw, pres.exact)
    kw.update(pres.kwargs)
    kwc.update(_kwcode(pres.kwargs))
    extra = {"method": method, "basis": basis}
    repro = call_text("recover_measure", pres.code, **kwc,
                      **{k: repr(v) for k, v in extra.items() if v not in ("auto", "monomial")})
    if tally is not None:
        tally.cases += 1
    # a power-moment method asked for by name on rounded Chebyshev moments is refused by
    # design, with the fix in the message (their change to power moments is ill-conditioned)
    by_design = basis == "chebyshev" and method in ("prony", "pencil") and not pres.exact
    easy = _easy_call(truth, pres, kw) and count == 2 * truth.size and not by_design
    try:
        r = _timed(tally, repro, recover_measure, pres.values, throw=False, **extra, **kw)
    except NotPositiveError as e:
        if truth.positive:
            raise Falsified("false verdict: not positive",
                            f"{e} -- but the truth {truth.text()} is non-negative", repro) from e
        return _refusal(tally, False, "NotPositiveError", repro, str(e))
    except MomentRNNError as e:
        return _refusal(tally, easy, type(e).__name__, repro, str(e))
    if r.status == "inconsistent":
        raise Falsified("false verdict: inconsistent",
                        f"status inconsistent, but the truth {truth.text()} has these moments "
                        f"(each within its stated accuracy): {r.message[:200]}", repro)
    if r.status != "ok":
        # the digits it still vouches for must hold
        check_recovery(r, truth, repro, exact_method=False) if r.measure is not None and (
            r.rank == truth.size) else None
        return _refusal(tally, easy, f"status {r.status}", repro, r.message)
    check_recovery(r, truth, repro, exact_method=isinstance(kw.get("precision"), Exact))


def prop_gauss_rule(data, tally: Tally | None = None) -> None:
    draw = data.draw
    basis = draw(st.sampled_from(["monomial", "chebyshev"]))
    truth = draw(truths(positive=True))
    count = 2 * truth.size + draw(st.sampled_from([0, 0, 0, 2]))
    moments = truth.moment_list(count, basis)
    pres = draw(presentations(moments, ("fraction", "mixed_exact", "float", "mpf", "ball",
                                        "mixed")))
    kw, kwc = _precisions(draw, pres.exact)
    repro = call_text("gauss_rule", pres.code, **kwc,
                      **({"basis": repr(basis)} if basis != "monomial" else {}))
    if tally is not None:
        tally.cases += 1
    easy = _easy_call(truth, pres, kw)
    try:
        r = _timed(tally, repro, gauss_rule, pres.values, basis=basis, throw=False, **kw)
    except NotPositiveError as e:
        raise Falsified("false verdict: not positive",
                        f"{e} -- but the truth {truth.text()} is non-negative", repro) from e
    except MomentRNNError as e:
        return _refusal(tally, easy, type(e).__name__, repro, str(e))
    if r.status == "inconsistent":
        raise Falsified("false verdict: inconsistent", f"truth {truth.text()}: {r.message[:200]}",
                        repro)
    if r.status != "ok":
        return _refusal(tally, easy, f"status {r.status}", repro, r.message)
    check_recovery(r, truth, repro, exact_method=isinstance(kw.get("precision"), Exact))


# ---------------------------------------------------------------------------- rank


def _true_hankel_sv(moments: list[Fraction], size: int) -> list:
    ctx = _ctx(BITS)
    H = ctx.matrix(size, size)
    for i in range(size):
        for k in range(size):
            H[i, k] = _q(ctx, moments[i + k])
    ev = ctx.eigsy(H, eigvals_only=True)
    return sorted((abs(ev[i]) for i in range(size)), reverse=True), ctx


def _exact_rank(moments: list[Fraction], size: int) -> int:
    M = flint.fmpq_mat(size, size, [flint.fmpq(moments[i + k].numerator, moments[i + k].denominator)
                                    for i in range(size) for k in range(size)])
    return M.rank()


def check_rank_evidence(ev, moments: list[Fraction], repro: str, what: str,
                        declared: list | None = None) -> None:
    """The proved part of a rank decision: the lower end of ``rank_range`` is a lower bound
    for the true rank, exact verdicts are the exact rank, and every singular value of the
    TRUE Hankel matrix well above the noise the data state (``declared``: the accuracy each
    number carries, Weyl: ``s max_j radius_j``, plus double rounding) is counted."""
    s = ev.size
    true_rank = _exact_rank(moments, s)
    if ev.verdict in ("exact",) and (ev.rank != true_rank or ev.rank_range != (true_rank,
                                                                                 true_rank)):
        raise Falsified("false rank", f"{what}: exact verdict rank {ev.rank}, true rank "
                        f"{true_rank}", repro)
    if ev.verdict == "full" and true_rank != s:
        raise Falsified("false rank", f"{what}: verdict full ({s}), true rank {true_rank}", repro)
    if ev.rank_range[0] > true_rank:
        raise Falsified("false rank", f"{what}: rank_range {ev.rank_range} ({ev.verdict}) starts "
                        f"above the true rank {true_rank}", repro)
    if ev.verdict != "exact":
        sv, ctx = _true_hankel_sv(moments, s)
        floor = ctx.mpmathify(ev.noise_floor)
        own = floor
        if declared:
            # the floor the data justify (whatever the package computed): Weyl for the stated
            # radii, the rounding of a double SVD, and the margin of an ambiguous verdict
            own = (s * _q(ctx, max(declared)) + 10 * s * sv[0] * ctx.ldexp(1, -50)) * 40
        limit = min(2 * floor, own) if declared else 2 * floor
        visible = sum(1 for v in sv if v > limit * (1 + ctx.mpf(10) ** -6))
        if ev.rank_range[1] < visible or (ev.verdict == "clear" and ev.rank < visible):
            raise Falsified("false rank", f"{what}: verdict {ev.verdict} rank {ev.rank} "
                            f"(range {ev.rank_range}, floor {mpmath.nstr(floor, 3)}), but "
                            f"{visible} singular values of the TRUE Hankel matrix exceed "
                            f"{mpmath.nstr(limit, 3)}, far above the noise the data state: "
                            f"{[mpmath.nstr(v, 3) for v in sv]}", repro)


def prop_hankel_rank(data, tally: Tally | None = None) -> None:
    draw = data.draw
    truth = draw(truths(real=False, max_atoms=4))
    count = 2 * truth.size + draw(st.sampled_from([-1, 0, 1, 2, 3]))
    count = max(count, 1)
    moments = truth.moment_list(count)
    if all(m == 0 for m in moments):
        return
    pres = draw(presentations(moments))
    which = draw(st.sampled_from(["default", "mp", "float64"] + (["exact"] if pres.exact else [])))
    kw, kwc = dict(pres.kwargs), _kwcode(pres.kwargs)
    if which == "mp":
        kw["precision"], kwc["precision"] = MP(50), "MP(50)"
    elif which == "float64":
        kw["precision"], kwc["precision"] = Float64(), "Float64()"
    elif which == "exact":
        kw["precision"], kwc["precision"] = Exact(), "Exact()"
    repro = call_text("hankel_rank", pres.code, **kwc)
    if tally is not None:
        tally.cases += 1
    try:
        ev = _timed(tally, repro, hankel_rank, pres.values, **kw)
    except MomentRNNError as e:
        return _refusal(tally, truth.easy and pres.exact, type(e).__name__, repro, str(e))
    check_rank_evidence(ev, moments, repro, "hankel_rank", pres.declared)
    if ev.verdict == "ambiguous" and tally is not None:
        tally.refused("ambiguous")


# ---------------------------------------------------------------------------- realisation


def _lags(A, B, C, count: int, ctx) -> list:
    n = len(B)
    v = [to_mp(ctx, B[i]) if not hasattr(B[i], "__len__") else to_mp(ctx, B[i][0])
         for i in range(n)]
    Am = [[to_mp(ctx, A[i][k]) for k in range(n)] for i in range(n)]
    c = [to_mp(ctx, C[i]) if not hasattr(C[i], "__len__") else to_mp(ctx, C[i][0])
         for i in range(n)]
    out = []
    for _ in range(count):
        out.append(ctx.fsum(c[i] * v[i] for i in range(n)))
        v = [ctx.fsum(Am[i][k] * v[k] for k in range(n)) for i in range(n)]
    return out


def _as_rows(M, n):
    try:
        return [[M[i, k] for k in range(n)] for i in range(n)]
    except (TypeError, IndexError):
        return [[M[i][k] for k in range(n)] for i in range(n)]


def _as_vec(v, n):
    try:
        return [v[i, 0] if hasattr(v, "rows") else v[i] for i in range(n)]
    except (TypeError, IndexError):
        return [v[i] for i in range(n)]


def prop_minimal_realization(data, tally: Tally | None = None) -> None:
    draw = data.draw
    truth = draw(truths(max_atoms=4))
    count = 2 * truth.size + draw(st.sampled_from([0, 0, 1, 2]))
    moments = truth.moment_list(count)
    if all(m == 0 for m in moments):
        return
    pres = draw(presentations(moments, ("fraction", "mixed_exact", "float", "mpf", "data_digits",
                                        "data_error")))
    which = draw(st.sampled_from(["default", "mp", "float64"]))
    kw, kwc = dict(pres.kwargs), _kwcode(pres.kwargs)
    if which == "mp":
        kw["precision"], kwc["precision"] = MP(60), "MP(60)"
    elif which == "float64":
        kw["precision"], kwc["precision"] = Float64(), "Float64()"
    repro = call_text("minimal_realization", pres.code, **kwc)
    if tally is not None:
        tally.cases += 1
    easy = truth.easy and (pres.exact or pres.label == "float")
    try:
        r = _timed(tally, repro, minimal_realization, pres.values, **kw)
    except MomentRNNError as e:
        return _refusal(tally, easy, type(e).__name__, repro, str(e))
    check_rank_evidence(r.rank_evidence, moments, repro, "minimal_realization", pres.declared)
    n = r.order
    exact_run = pres.exact and which == "default"
    ctx = _ctx()
    A, B, C = _as_rows(r.A, n), _as_vec(r.B, n), _as_vec(r.C, n)
    horizon = count + 4 if exact_run else count
    got = _lags(A, B, C, horizon, ctx)
    if exact_run:
        if n != truth.size:
            raise Falsified("false rank", f"order {n} from exact lags of {truth.size} atoms "
                            f"{truth.text()}", repro)
        future = truth.moment_list(horizon)
        bad = [j for j in range(horizon) if abs(got[j] - _q(ctx, future[j])) > ctx.ldexp(1, -500)]
        if bad:
            raise Falsified("wrong realization", f"C A^j B != h_j at j = {bad} (exact data, order "
                            f"{n}; lags beyond {count} are determined by uniqueness)", repro)
        return
    data_mp = [to_mp(ctx, v) if not isinstance(v, str) else _q(ctx, F(v)) for v in pres.values]
    res = max(abs(g - m) for g, m in zip(got, data_mp))
    scale = max(abs(m) for m in data_mp)
    if res > ctx.mpmathify(r.residual) * (1 + ctx.mpf(10) ** -6) + scale * ctx.mpf(2) ** -40:
        raise Falsified("dishonest residual", f"reported residual {r.residual:.3g}, recomputed "
                        f"{mpmath.nstr(res, 3)} (order {n})", repro)


# ---------------------------------------------------------------------------- truncated problems

SUPPORTS = ["hausdorff", "stieltjes", "hamburger", "tight", "shifted"]


def _support_for(draw, truth: Truth):
    ctx = _ctx()
    ta, _ = truth.mp(ctx)
    lo = min(ctx.re(a) for a in ta)
    kind = draw(st.sampled_from(SUPPORTS))
    if kind == "stieltjes" and lo >= 0:
        return (0, math.inf), "(0, math.inf)"
    if kind == "hamburger":
        return (-math.inf, math.inf), "(-math.inf, math.inf)"
    if kind == "tight" and truth.rational:
        a, b = min(truth.exact_atoms()), max(truth.exact_atoms())
        if a < b:
            return (a, b), f"(F({a.numerator}, {a.denominator}), F({b.numerator}, {b.denominator}))"
    if kind == "shifted":
        return (F(-3, 2), F(7, 3)), "(F(-3, 2), F(7, 3))"
    return (-1, 1), "(-1, 1)"


@st.composite
def feasibility_cases(draw):
    """(moments, support, support code, expected feasible, expected determinate measure or None,
    label, a measure with these moments or None)."""
    kind = draw(st.sampled_from(["feasible", "feasible", "down", "next", "outside", "zero"]))
    if kind == "zero":
        count = draw(st.integers(1, 6))
        return [F(0)] * count, (-1, 1), "(-1, 1)", True, None, "zero measure", "zero"
    truth = draw(truths(positive=True, max_atoms=3, kinds=("rational", "near", "ends",
                                                           "wide_weights", "algebraic")))
    n = truth.size
    if kind == "feasible":
        count = draw(st.integers(max(1, 2 * n - 2), 2 * n + 2))
        support, code = _support_for(draw, truth)
        det = truth if count >= 2 * n + 1 else None
        return (truth.moment_list(count), support, code, True, det, f"feasible {truth.text()}",
                truth)
    if kind == "outside":
        if not truth.rational:
            return (truth.moment_list(2 * n + 1), (-1, 1), "(-1, 1)", True, truth, truth.text(),
                    truth)
        k = draw(st.integers(1, 40))
        atoms = sorted(truth.exact_atoms())
        # the support stops just short of the largest atom
        b = atoms[-1] - F(1, 10 ** k)
        a = min(atoms[0], F(-1))
        if len(atoms) > 1 and b <= atoms[-2]:
            b = (atoms[-2] + atoms[-1]) / 2
        count = 2 * n + 1 + draw(st.integers(0, 1))
        return (truth.moment_list(count), (a, b), f"(F({a.numerator}, {a.denominator}), "
                f"F({b.numerator}, {b.denominator}))", False, None,
                f"atom {atoms[-1]} outside [{a}, {b}] of {truth.text()}", None)
    k = draw(st.sampled_from([1, 5, 20, 60, 200, 400]))
    eps = F(1, 10 ** k)
    if kind == "down":
        m = truth.moment_list(2 * n + 1)
        m[2 * n] -= eps
        return (m, (-1, 1), "(-1, 1)", False, None, f"m_{2 * n} lowered by 1e-{k}: {truth.text()}",
                None)
    m = truth.moment_list(2 * n + 2)
    m[2 * n + 1] += eps if draw(st.booleans()) else -eps
    return (m, (-1, 1), "(-1, 1)", False, None, f"m_{2 * n + 1} moved by 1e-{k}: {truth.text()}",
            None)


def _exact_code(m: list[Fraction]) -> list[str]:
    return [f"F({v.numerator}, {v.denominator})" for v in m]


def prop_moment_feasible(data, tally: Tally | None = None) -> None:
    draw = data.draw
    m, support, scode, feasible, det, label, _ = draw(feasibility_cases())
    repro = call_text("moment_feasible", _exact_code(m), support=scode)
    if tally is not None:
        tally.cases += 1
    try:
        r = _timed(tally, repro, moment_feasible, m, support=support)
    except MomentRNNError as e:
        return _refusal(tally, False, type(e).__name__, repro, str(e))
    if r.feasible != feasible:
        raise Falsified("false verdict: feasibility", f"feasible={r.feasible}, truth "
                        f"{feasible} ({label}); failing={r.failing!r}", repro)
    if det is not None:
        if not r.determinate or r.interior:
            raise Falsified("false verdict: determinacy", f"determinate={r.determinate}, "
                            f"interior={r.interior}, but {len(m)} moments of {det.size} atoms "
                            f"({label}) have exactly one representing measure", repro)
        if r.measure is not None:
            ctx = _ctx()
            ta, tw = det.mp(ctx)
            ga = [to_mp(ctx, a) for a in r.measure.atoms]
            gw = [to_mp(ctx, w) for w in r.measure.weights]
            if len(ga) != len(ta):
                raise Falsified("wrong measure", f"{len(ga)} atoms, truth {det.text()}", repro)
            for a in ta:
                j = min(range(len(ga)), key=lambda j: abs(ga[j] - a))
                ok = (_ball_contains(ctx, r.measure.atoms[j], a)
                      and _ball_contains(ctx, r.measure.weights[j], tw[ta.index(a)]))
                if isinstance(r.measure.atoms[j], (Fraction, int)):
                    ok = abs(ga[j] - a) <= ctx.ldexp(1, -500) and abs(
                        gw[j] - tw[ta.index(a)]) <= ctx.ldexp(1, -500)
                if not ok:
                    raise Falsified("wrong measure", f"returned {r.measure}, truth {det.text()}",
                                    repro)


def prop_next_moment_range(data, tally: Tally | None = None) -> None:
    draw = data.draw
    m, support, scode, feasible, det, label, truth = draw(feasibility_cases())
    repro = call_text("next_moment_range", _exact_code(m), support=scode)
    if tally is not None:
        tally.cases += 1
    try:
        r = _timed(tally, repro, next_moment_range, m, support=support)
    except InputError as e:
        if feasible:
            raise Falsified("false verdict: infeasible", f"{str(e)[:200]} -- but {label} is a "
                            "non-negative measure on the support with these moments", repro) from e
        return None
    except MomentRNNError as e:
        return _refusal(tally, False, type(e).__name__, repro, str(e))
    if not feasible:
        raise Falsified("false verdict: feasibility", f"returned a range [{r.lower}, {r.upper}] "
                        f"for moments no non-negative measure has ({label})", repro)
    t = F(0) if truth == "zero" else truth.moment(len(m))
    lower, upper = _interval(r.lower)[0], _interval(r.upper)[1]
    if r.exact and not all(isinstance(v, (Fraction, flint.fmpq, int)) or (
            isinstance(v, float) and math.isinf(v)) for v in (r.lower, r.upper)):
        raise Falsified("false claim: exact ends", f"exact=True but the ends are "
                        f"{type(r.lower).__name__} {r.lower}, {r.upper} (the docstring: exact "
                        f"rationals for exact input); {label}", repro)
    if not (lower <= t <= upper):
        raise Falsified("proved end excludes the truth", f"m_{len(m)} in [{r.lower}, {r.upper}] "
                        f"claimed, but {label} has m_{len(m)} = {t}", repro)
    if (det is not None or truth == "zero") and not r.collapsed:
        raise Falsified("false verdict: determinacy", f"range [{r.lower}, {r.upper}] not "
                        f"collapsed, but the moments are determinate ({label})", repro)


# ---------------------------------------------------------------------------- extrapolation


def prop_extrapolation_range(data, tally: Tally | None = None) -> None:
    draw = data.draw
    which = draw(st.sampled_from(["(-1, 1)", "(0, 1)", "(-2, 3/7)"]))
    lo, hi = {"(-1, 1)": (F(-1), F(1)), "(0, 1)": (F(0), F(1)),
              "(-2, 3/7)": (F(-2), F(3, 7))}[which]
    truth = draw(truths(positive=True, lo=lo, hi=hi, max_atoms=3,
                        kinds=("rational", "near", "ends", "wide_weights", "algebraic")))
    N = draw(st.integers(1, min(2 * truth.size + 1, 7)))
    q = N + draw(st.sampled_from([1, 1, 2, 5]))
    moments = truth.moment_list(q + 1)
    given, target = moments[:N + 1], moments[q]
    form = draw(st.sampled_from(["exact0", "exact_eps", "float", "per_moment"]))
    tol_kind = draw(st.sampled_from(["float", "fraction"]))
    if form == "exact0":
        values, tol, tcode = given, 0, "0"
        vcode = _exact_code(values)
    else:
        if form == "float":
            values = [float(v) for v in given]
            errs = [abs(F(f) - v) for f, v in zip(values, given)]
            k = draw(st.sampled_from([8, 12, 15]))
            eps = [max(F(1, 10 ** k), 2 * e) for e in errs]
            vcode = [repr(v) for v in values]
        else:
            eps = [F(1, 10 ** draw(st.sampled_from([2, 4, 8, 12, 20]))) for _ in given]
            if form == "exact_eps":
                eps = [eps[0]] * len(given)
            values = [v + F(draw(st.integers(-499, 499)), 1000) * e for v, e in zip(given, eps)]
            vcode = _exact_code(values)
        if tol_kind == "float":
            # a double at or above the exact tolerance, so the truth stays inside the box
            fl = []
            for e in eps:
                f = float(e)
                while F(f) < e:
                    f = math.nextafter(f, math.inf)
                fl.append(f)
            tol = fl[0] if form == "exact_eps" else fl
            tcode = repr(tol)
        else:
            tol = eps[0] if form == "exact_eps" else eps
            tcode = (f"F({eps[0].numerator}, {eps[0].denominator})" if form == "exact_eps" else
                     "[" + ", ".join(f"F({e.numerator}, {e.denominator})" for e in eps) + "]")
    support = (lo, hi)
    scode = f"(F({lo.numerator}, {lo.denominator}), F({hi.numerator}, {hi.denominator}))"
    repro = call_text("extrapolation_range", vcode, tolerance=tcode, support=scode, order=str(q))
    if tally is not None:
        tally.cases += 1
    try:
        r = _timed(tally, repro, extrapolation_range, values, tolerance=tol, support=support,
                   order=q)
    except InputError as e:
        if "infeasible" in str(e).lower() or "no non-negative" in str(e).lower() or \
                "farkas" in str(e).lower():
            raise Falsified("false verdict: infeasible", f"{str(e)[:200]} -- the truth "
                            f"{truth.text()} lies in the box", repro) from e
        return _refusal(tally, False, "InputError", repro, str(e))
    except MomentRNNError as e:
        return _refusal(tally, False, type(e).__name__, repro, str(e))
    t = target
    if r.certified_lower is not None and not (_interval(r.certified_lower)[0] <= t):
        raise Falsified("proved end excludes the truth", f"certified_lower {r.certified_lower} > "
                        f"m_{q} = {t} of the feasible measure {truth.text()}", repro)
    if r.certified_upper is not None and not (t <= _interval(r.certified_upper)[1]):
        raise Falsified("proved end excludes the truth", f"certified_upper {r.certified_upper} < "
                        f"m_{q} = {t} of the feasible measure {truth.text()}", repro)
    acc = r.accuracy
    if math.isfinite(acc) and r.status == "ok":
        if _interval(r.lower)[0] - F(acc) > t or t > _interval(r.upper)[1] + F(acc):
            raise Falsified("accuracy does not cover", f"[{r.lower!r}, {r.upper!r}] +- {acc!r} "
                            f"excludes m_{q} = {float(t)!r} of a feasible measure {truth.text()}",
                            repro)
    for end, meas, inner in (("lower", r.lower_measure, r.inner_lower),
                             ("upper", r.upper_measure, r.inner_upper)):
        if meas is None:
            continue
        if not all(isinstance(v, (Fraction, int, flint.fmpq, flint.fmpz))
                   for v in meas.atoms + meas.weights):
            continue  # irrational atoms (balls) of the exact path: its ends are checked above
        xs = [_frac(a) for a in meas.atoms]
        ws = [_frac(w) for w in meas.weights]
        tl = tol if isinstance(tol, list) else [tol] * len(values)
        ok = all(lo <= x <= hi for x in xs) and all(w >= 0 for w in ws)
        mm = [sum(w * x ** j for x, w in zip(xs, ws)) for j in range(q + 1)]
        ok = ok and all(abs(mm[j] - _frac(values[j])) <= _frac(tl[j]) for j in range(len(values)))
        if not ok or (inner is not None and _frac(inner) != mm[q]):
            raise Falsified("checked measure is not feasible",
                            f"{end}_measure {meas} (inner {inner}) is not in the box", repro)


def prop_certify_extrapolation(data, tally: Tally | None = None) -> None:
    draw = data.draw
    teacher = draw(truths(positive=True, max_atoms=3, kinds=("rational", "near", "ends",
                                                             "wide_weights")))
    ta, tw = [x for x, _ in teacher.atoms], [w for w, _ in teacher.weights]
    a, b, c = [], [], []
    for x, w in zip(ta, tw):
        shift = F(draw(st.integers(-5, 5)), 10 ** draw(st.integers(1, 12)))
        y = min(max(x + shift, F(-1)), F(1))
        bb = F(draw(st.integers(1, 9)), draw(st.sampled_from([1, 3, 7])))
        scale = 1 + F(draw(st.integers(-5, 5)), 10 ** draw(st.integers(1, 12)))
        a.append(y)
        b.append(bb)
        c.append(w * scale / bb)
    if draw(st.booleans()):  # an extra student unit, possibly of negative weight
        a.append(draw(_rational_in(F(-1), F(1))))
        b.append(F(1, 10 ** draw(st.integers(2, 10))))
        c.append(F(draw(st.integers(-3, 3)), 7))
    length = draw(st.sampled_from([8, 20, 60]))
    lags = draw(st.integers(1, 2 * teacher.size + 2))
    code = (f"certify_extrapolation({_exact_code(a)}, {_exact_code(b)}, {_exact_code(c)}, "
            f"teacher_atoms={_exact_code(ta)}, teacher_weights={_exact_code(tw)}, "
            f"length={length}, lags={lags})").replace("'", "")
    if tally is not None:
        tally.cases += 1
    try:
        cert = _timed(tally, code, certify_extrapolation, a, b, c, teacher_atoms=ta,
                      teacher_weights=tw, length=length, lags=lags)
    except MomentRNNError as e:
        return _refusal(tally, False, type(e).__name__, code, str(e))
    for row in cert.rows:
        h = sum(bb * cc * x ** row.q for x, bb, cc in zip(a, b, c))
        hh = sum(w * x ** row.q for x, w in zip(ta, tw))
        err = abs(h - hh)
        if row.bound is not None and _frac(row.bound) < err:
            raise Falsified("proved bound below the truth", f"q={row.q}: proved {row.bound} "
                            f"({row.method}) < exact error {err}", code)
    if cert.complete:
        worst = max(abs(sum(bb * cc * x ** q for x, bb, cc in zip(a, b, c))
                        - sum(w * x ** q for x, w in zip(ta, tw))) for q in range(length))
        if _frac(cert.max_bound) < worst:
            raise Falsified("proved bound below the truth", f"max_bound {cert.max_bound} < "
                            f"exact max error {worst}", code)


PROPERTIES = {
    "recover_measure": prop_recover_measure,
    "gauss_rule": prop_gauss_rule,
    "hankel_rank": prop_hankel_rank,
    "minimal_realization": prop_minimal_realization,
    "moment_feasible": prop_moment_feasible,
    "next_moment_range": prop_next_moment_range,
    "extrapolation_range": prop_extrapolation_range,
    "certify_extrapolation": prop_certify_extrapolation,
}
