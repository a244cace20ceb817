"""Discrete measures and their moments."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import flint
import numpy as np

from .._limits import MAX_COUNT, MAX_EXACT_MOMENT_BITS, MAX_SYMBOLIC_MOMENT_TERMS
from .._validate import positive_int, shown
from ..errors import InputError
from ..precision import Float64, Precision, as_precision
from ._scalars import (
    MPC,
    MPF,
    is_exact_value,
    is_real_value,
    is_sympy,
    normalise,
    to_exact,
    to_float,
)
from .algebraic import AlgebraicNumber, field_moments

__all__ = ["DiscreteMeasure", "power_sums"]


def power_sums(atoms: Sequence, weights: Sequence, count: int, total) -> list:
    r"""The moments :math:`m_j = \sum_i w_i x_i^j`, ``j < count``, in the arithmetic of the
    inputs; ``total`` adds a list of terms (``ctx.fsum`` for mpmath, a plain sum for balls and
    rationals). The one power-sum loop of the package (docs :eq:`eq-moments`)."""
    out, cur = [], list(weights)
    for _ in range(count):
        out.append(total(cur))
        cur = [c * x for c, x in zip(cur, atoms)]
    return out


@dataclass(frozen=True, init=False)
class DiscreteMeasure:
    r"""A finite signed (or complex) measure :math:`\mu = \sum_i w_i \delta_{x_i}`.

    Parameters
    ----------
    atoms : sequence of numbers
        The support points :math:`x_i`, real or complex, pairwise distinct.
    weights : sequence of numbers
        The weights :math:`w_i`, of any sign, real or complex.

    Notes
    -----
    The :math:`j`-th moment is :math:`m_j = \sum_i w_i x_i^j` (:eq:`eq-moments`).
    Numbers keep their kind: ints, fractions and sympy expressions are exact, floats are
    doubles, mpmath numbers and python-flint balls keep their precision. Decimal strings are
    read exactly.

    Examples
    --------
    >>> from fractions import Fraction
    >>> mu = DiscreteMeasure([0, 1], [Fraction(1, 2), Fraction(1, 2)])
    >>> mu.moments(3, precision=Exact())
    [Fraction(1, 1), Fraction(1, 2), Fraction(1, 2)]
    """

    atoms: tuple
    weights: tuple

    def __init__(self, atoms: Sequence, weights: Sequence) -> None:
        atoms_t = _as_tuple(atoms, "atoms")
        weights_t = _as_tuple(weights, "weights")
        if len(atoms_t) != len(weights_t):
            raise InputError(
                f"got {len(atoms_t)} atoms but {len(weights_t)} weights; give one weight per atom"
            )
        if not atoms_t:
            raise InputError("a DiscreteMeasure needs at least one atom")
        atoms_n = tuple(normalise(a, f"atoms[{i}]") for i, a in enumerate(atoms_t))
        weights_n = tuple(normalise(w, f"weights[{i}]") for i, w in enumerate(weights_t))
        _check_distinct(atoms_n)
        object.__setattr__(self, "atoms", atoms_n)
        object.__setattr__(self, "weights", weights_n)

    def __len__(self) -> int:
        return len(self.atoms)

    @property
    def size(self) -> int:
        """Number of atoms."""
        return len(self.atoms)

    @property
    def is_exact(self) -> bool:
        """True when every atom and weight is exact (int, Fraction or sympy)."""
        return all(is_exact_value(v) for v in self.atoms + self.weights)

    @property
    def is_real(self) -> bool:
        """True when all atoms and weights are real."""
        return all(is_real_value(v) for v in self.atoms + self.weights)

    @property
    def is_positive(self) -> bool:
        """True when the measure is real with strictly positive weights."""
        if not self.is_real:
            return False
        return all(to_float(w) > 0 for w in self.weights)

    @property
    def negative_mass(self) -> float:
        """Total mass of the negative weights (0 for a non-negative measure), as a float."""
        return sum(max(-float(np.real(to_float(w))), 0.0) for w in self.weights)

    def to_numpy(self) -> tuple[np.ndarray, np.ndarray]:
        """Atoms and weights as numpy arrays (complex dtype if any value is complex)."""
        a = np.array([to_float(v) for v in self.atoms])
        w = np.array([to_float(v) for v in self.weights])
        return a, w

    def sort_order(self) -> list[int]:
        """Indices that order the atoms by real part, then imaginary part."""
        keys = [(np.real(to_float(a)), np.imag(to_float(a))) for a in self.atoms]
        return sorted(range(len(keys)), key=keys.__getitem__)

    def sorted(self) -> DiscreteMeasure:
        """The same measure with atoms ordered by real part, then imaginary part."""
        order = self.sort_order()
        return DiscreteMeasure([self.atoms[i] for i in order], [self.weights[i] for i in order])

    def moments(self, count: int, *, precision: Precision | None = None) -> list | np.ndarray:
        r"""The moments :math:`m_0, \dots, m_{\text{count}-1}`.

        Parameters
        ----------
        count : int
            Number of moments.
        precision : Exact, MP, Ball or Float64, optional
            Arithmetic; default ``Float64()``. ``Exact()`` needs exact atoms and weights and
            returns Fractions (or sympy expressions for algebraic atoms); ``MP`` returns mpmath
            numbers, ``Ball`` python-flint balls, ``Float64`` a numpy array.
        """
        count = int(positive_int(count, "count", maximum=MAX_COUNT,
                                 hint="the most moments computed at once"))
        prec = as_precision(precision, default=Float64())
        ar = prec.arithmetic(real=self.is_real)
        if ar.exact:
            return self._exact_moments(count)
        guarded = ar.guarded()  # summed with guard digits, then rounded

        def convert(v: object, name: str):
            try:
                return guarded.convert(v)
            except OverflowError:  # a double holds magnitudes up to about 1.8e308
                from .._format import upper_text

                text = upper_text(abs(v), 3) if isinstance(v, (int, Fraction)) else shown(v)
                raise InputError(
                    f"{name} (about {text} in magnitude) is beyond the range of a double "
                    f"(about 1.8e308), the arithmetic of precision={prec}: use "
                    "precision=Exact() (or MP) for the moments of this measure") from None

        with guarded.working(), np.errstate(over="ignore", invalid="ignore"):
            out = guarded.power_sums([convert(v, f"atoms[{i}]") for i, v in enumerate(self.atoms)],
                                     [convert(v, f"weights[{i}]")
                                      for i, v in enumerate(self.weights)], count)
        out = ar.rounded(out)
        if isinstance(out, np.ndarray) and not np.all(np.isfinite(out)):
            self._refuse_overflow(out, prec)
        return out

    def _refuse_overflow(self, out: np.ndarray, prec: Precision) -> None:
        """Name the moment that left the double range and the atom whose power took it
        there (never an ``inf`` or ``nan`` moment returned as if computed)."""
        q = int(np.flatnonzero(~np.isfinite(out))[0])

        def log10(v: object) -> float:
            z = abs(complex(to_float(v)))
            return math.log10(z) if z > 0 else -math.inf

        # the power alone may overflow (before a small weight scales it back), or its product
        power = [q * log10(x) for x in self.atoms]
        product = [p + log10(w) for p, w in zip(power, self.weights)]
        size = [max(p, t) for p, t in zip(power, product)]
        i = max(range(len(size)), key=size.__getitem__)
        what = f"x**{q}" if power[i] >= product[i] else f"x**{q} times its weight"
        raise InputError(
            f"moment m_{q} leaves the range of a double (about 1.8e308) in precision={prec}: "
            f"for atoms[{i}] = {to_float(self.atoms[i])!r}, {what} is about 1e{size[i]:.0f}; "
            "use precision=MP(...) or Exact() for the moments of this measure, or rescale "
            "the atoms")

    def _exact_moments(self, count: int) -> list:
        """Exact moments: Fractions, or sympy expressions for algebraic atoms."""
        if any(isinstance(v, AlgebraicNumber) for v in self.atoms + self.weights):
            exact = field_moments(list(self.atoms), list(self.weights), count)
            if exact is not None:
                return [Fraction(int(v.p), int(v.q)) for v in exact]
        a = [to_exact(v, f"atoms[{i}]") for i, v in enumerate(self.atoms)]
        w = [to_exact(v, f"weights[{i}]") for i, v in enumerate(self.weights)]
        if all(isinstance(v, Fraction) for v in a + w):
            _check_exact_moment_bits(a, w, count)
            fa = [flint.fmpq(v.numerator, v.denominator) for v in a]
            fw = [flint.fmpq(v.numerator, v.denominator) for v in w]
            out_q = power_sums(fa, fw, count, lambda terms: sum(terms, flint.fmpq(0)))
            # an fmpq is in lowest terms with a positive denominator: no second gcd (a Python
            # gcd is quadratic in the digits)
            return [Fraction(int(v.p), int(v.q), _normalize=False) for v in out_q]
        import sympy

        if count * len(a) > MAX_SYMBOLIC_MOMENT_TERMS:
            raise InputError(
                f"count={count} exact moments of {len(a)} atoms that are not all rational are "
                f"{count * len(a)} symbolic terms, more than the {MAX_SYMBOLIC_MOMENT_TERMS} "
                "expanded at once (each a sympy expansion): ask for at most "
                f"{max(1, MAX_SYMBOLIC_MOMENT_TERMS // len(a))} moments, or use "
                "precision=MP(...) or Ball(...)")
        sa = [sympy.nsimplify(v) if isinstance(v, Fraction) else v for v in a]
        sw = [sympy.nsimplify(v) if isinstance(v, Fraction) else v for v in w]
        return [sympy.expand(sum(wi * xi**j for wi, xi in zip(sw, sa))) for j in range(count)]

    def __repr__(self) -> str:
        from .._format import exact_text, mp_text, sympy_text

        def show(v: object) -> str:
            # each also past Python's int-string limit, which a plain str() raises
            if isinstance(v, (int, Fraction)):
                return exact_text(v)
            if isinstance(v, (MPF, MPC)):
                return mp_text(v)
            if is_sympy(v):
                return sympy_text(v)
            if isinstance(v, tuple):
                return f"{v[0]}+{v[1]}j"
            return str(v)

        pairs = ", ".join(f"{show(a)}: {show(w)}" for a, w in zip(self.atoms, self.weights))
        return f"DiscreteMeasure({{{pairs}}})"


def _exact_moment_bits(atoms: Sequence[Fraction], weights: Sequence[Fraction],
                       count: int) -> tuple[int, float]:
    """An upper bound on the bits of the exact moments ``m_0 .. m_{count-1}`` (numerators and
    denominators together), and the bits per power it charges, estimated before any work.

    With ``D`` the atoms' common denominator (``lcm(q_i**j) = lcm(q_i)**j``), ``P`` the
    largest ``|p_i| D / q_i`` and ``E``, ``W`` the same for the weights, ``m_j`` has a
    denominator dividing ``E D**j`` and a numerator at most ``n W P**j``: each power adds at
    most ``log2 D + log2 P`` bits, each moment ``log2 (n W E) + 2``.
    """
    def common(values: Sequence[Fraction]) -> tuple[int, int]:
        den = 1
        for v in values:
            den = den * v.denominator // math.gcd(den, v.denominator)
            if den.bit_length() > MAX_EXACT_MOMENT_BITS:  # refused in any case
                break
        top = max((abs(v.numerator) * (den // v.denominator) for v in values), default=1)
        return den, max(1, top)

    den, top = common(atoms)
    wden, wtop = common(weights)
    per_power = math.log2(den) + math.log2(top)
    per_moment = math.log2(max(1, len(weights))) + math.log2(wtop) + math.log2(wden) + 2
    return math.ceil(per_power * (count * (count - 1) // 2) + count * per_moment), per_power


def _check_exact_moment_bits(atoms: Sequence[Fraction], weights: Sequence[Fraction],
                             count: int) -> None:
    """Refuse exact moments whose work passes ``MAX_EXACT_MOMENT_BITS`` before any: the bits
    of the moments times the atoms (each moment is a sum of that many powers as long)."""
    n = max(1, len(atoms))
    bits, per_power = _exact_moment_bits(atoms, weights, count)
    if n * bits <= MAX_EXACT_MOMENT_BITS:
        return
    most = 1
    lo, hi = 1, count  # the largest count within the limit (the estimate grows with it)
    while lo <= hi:
        mid = (lo + hi) // 2
        if n * _exact_moment_bits(atoms, weights, mid)[0] <= MAX_EXACT_MOMENT_BITS:
            most, lo = mid, mid + 1
        else:
            hi = mid - 1
    raise InputError(
        f"count={count} exact moments of these {n} atom(s) hold about {bits:.3g} bits (about "
        f"{per_power:.4g} more per power: the atoms' common denominator and largest "
        f"magnitude), each a sum of {n} powers as long: {n * bits:.3g} bits of work, more "
        f"than the {MAX_EXACT_MOMENT_BITS} done at once: ask for at most {most} moments, or "
        "use precision=MP(...) or Ball(...)")


def _as_tuple(values: object, name: str) -> tuple:
    if isinstance(values, (str, bytes)):
        raise InputError(f"{name} must be a sequence of numbers, got a string")
    if isinstance(values, np.ndarray):
        if values.ndim != 1:
            raise InputError(f"{name} must be one-dimensional, got shape {values.shape}")
        return tuple(values.tolist())
    try:
        return tuple(values)  # type: ignore[arg-type]
    except TypeError:
        raise InputError(
            f"{name} must be a sequence of numbers, got {type(values).__name__}"
        ) from None


def _check_distinct(atoms: tuple) -> None:
    seen: dict = {}
    for i, a in enumerate(atoms):
        if isinstance(a, (flint.arb, flint.acb)):
            continue
        key = a if not isinstance(a, float) else Fraction(a)
        try:
            hash(key)
        except TypeError:
            continue
        if key in seen:
            raise InputError(
                f"atoms[{seen[key]}] and atoms[{i}] are both {a}; atoms must be distinct "
                "(merge the two atoms and add their weights)"
            )
        seen[key] = i
