r"""Exact algebraic numbers for exact recovery, computed with python-flint.

An atom of an exactly recovered measure is a root :math:`\alpha` of an irreducible factor
:math:`f` of the Prony polynomial over Q, and its weight is :math:`R(\alpha)` for a rational
polynomial :math:`R` of degree below :math:`\deg f` (:eq:`eq-lagrange-weights`). Both are
held as an :class:`AlgebraicNumber`: the field :math:`\mathbb{Q}(\alpha)` (the minimal
polynomial, whose roots python-flint isolates with certified enclosures), the index of the
root, and the element's polynomial. Numerical values at any precision come from certified root
enclosures, so nothing here is rounded silently; sympy is used only when a symbolic form is
asked for (:meth:`AlgebraicNumber.to_sympy`).
"""

from __future__ import annotations

from fractions import Fraction

from flint import acb, acb_poly, arb, fmpq, fmpq_mat, fmpq_poly

from ..errors import InputError
from ..precision import flint_precision

__all__ = ["AlgebraicNumber", "AlgebraicField"]


class AlgebraicField:
    """:math:`\\mathbb{Q}(\\alpha)` for the roots of one monic irreducible polynomial.

    Root enclosures are computed once per precision and shared by every number of the field.
    The roots are ordered as python-flint returns them: real roots ascending, then complex
    roots.
    """

    __slots__ = ("minpoly", "_roots", "_real")

    def __init__(self, minpoly: fmpq_poly) -> None:
        if minpoly.degree() < 1:
            raise InputError("an algebraic field needs a polynomial of degree >= 1")
        lead = minpoly[minpoly.degree()]
        self.minpoly = minpoly / lead if lead != 1 else minpoly
        self._roots: dict[int, list] = {}
        self._real: list[bool] | None = None

    @property
    def degree(self) -> int:
        return self.minpoly.degree()

    def roots(self, bits: int) -> list:
        """Certified enclosures (``acb``) of the roots, each of relative width about 2**-bits."""
        cached = self._roots.get(bits)
        if cached is None:
            work = bits + 20
            while True:
                with flint_precision(work):
                    found = [r for r, _ in self.minpoly.complex_roots()]
                if all(_tight(r, bits) for r in found):
                    break
                work *= 2
            cached = self._roots[bits] = found
            if self._real is None:
                self._real = [r.imag == 0 for r in found]
        return cached

    def is_real(self, index: int) -> bool:
        if self._real is None:
            self.roots(64)
        return self._real[index]  # type: ignore[index]

    def power_sums(self, count: int) -> list[fmpq]:
        r""":math:`p_k = \sum_\alpha \alpha^k` over the roots, k < count, exactly (Newton)."""
        d = self.degree
        a = [self.minpoly[d - i] for i in range(d + 1)]  # x^d + a_1 x^(d-1) + ... + a_d
        p = [fmpq(d)]
        for k in range(1, count):
            total = fmpq(0)
            for i in range(1, min(k, d + 1)):
                total += a[i] * p[k - i]
            if k <= d:
                total += k * a[k]
            p.append(-total)
        return p

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AlgebraicField) and self.minpoly == other.minpoly

    def __hash__(self) -> int:
        return hash(str(self.minpoly))


def _tight(z: acb, bits: int) -> bool:
    mag = abs(complex(z.mid()))
    rad = float(z.real.rad()) + float(z.imag.rad())
    return rad == 0 or rad <= max(mag, 2.0**-bits) * 2.0 ** (-bits)


class AlgebraicNumber:
    """An exact algebraic number :math:`E(\\alpha)`, ``alpha`` the ``index``-th root of a field.

    ``float()``, ``complex()``, :meth:`enclosure` (a certified ball at any precision),
    :meth:`to_mp` and :meth:`to_sympy` give its value; ``==`` compares exactly.

    Parameters
    ----------
    field : AlgebraicField
        The field and its minimal polynomial.
    index : int
        Which root (python-flint's order: real roots ascending, then complex ones).
    element : fmpq_poly, optional
        The polynomial :math:`E` (reduced modulo the minimal polynomial); default
        :math:`E(x) = x`, the root itself.

    Raises
    ------
    InputError
        When ``index`` is not the index of a root of the field.

    Examples
    --------
    >>> from flint import fmpq_poly
    >>> field = AlgebraicField(fmpq_poly([-2, 0, 1]))        # x^2 - 2
    >>> root2 = AlgebraicNumber(field, 1)                      # its larger root
    >>> float(root2), root2.to_sympy()
    (1.4142135623730951, CRootOf(x**2 - 2, 1))
    >>> AlgebraicNumber(field, 0) == root2
    False
    """

    __slots__ = ("field", "index", "element", "_minpoly", "_key")

    def __init__(self, field: AlgebraicField, index: int, element: fmpq_poly | None = None):
        if not 0 <= index < field.degree:
            raise InputError(f"root index {index} out of range for degree {field.degree}")
        self.field = field
        self.index = int(index)
        self.element = fmpq_poly([0, 1]) if element is None else element % field.minpoly
        self._minpoly = None
        self._key = None

    # ------------------------------------------------------------------ values
    @property
    def is_real(self) -> bool:
        return self.field.is_real(self.index)

    @property
    def is_rational(self) -> bool:
        return self.element.degree() <= 0

    def enclosure(self, bits: int):
        """A certified ball (``arb`` if real, ``acb`` otherwise) at about ``bits`` bits."""
        extra = 10 + 2 * max(self.element.degree(), 0)
        while True:
            root = self.field.roots(bits + extra)[self.index]
            with flint_precision(bits + extra):
                value = acb_poly(self.element)(root)
            if _tight(value, bits) or extra > 4 * bits + 400:
                break
            extra *= 2
        return value.real if self.is_real else value

    def to_mp(self, ctx):
        """The value rounded into the mpmath context ``ctx``."""
        value = self.enclosure(ctx.prec + 10)
        if isinstance(value, arb):
            return _mid_to_mp(ctx, value)
        return ctx.mpc(_mid_to_mp(ctx, value.real), _mid_to_mp(ctx, value.imag))

    def __float__(self) -> float:
        if not self.is_real:
            raise TypeError("a complex algebraic number has no float value; use complex()")
        return float(self.enclosure(64).mid())

    def __complex__(self) -> complex:
        return complex(self.enclosure(64).mid())

    def to_sympy(self):
        """The exact value as a sympy expression (``CRootOf`` for the root). Can be slow."""
        import sympy

        x = sympy.Symbol("x")
        f = self.field.minpoly
        fx = sum(sympy.Rational(int(f[k].p), int(f[k].q)) * x**k for k in range(f.degree() + 1))
        target = complex(self.field.roots(64)[self.index].mid())
        roots = [sympy.CRootOf(fx, k) for k in range(f.degree())]
        best = min(roots, key=lambda r: abs(complex(r.evalf(30)) - target))
        e = self.element
        return sum((sympy.Rational(int(e[k].p), int(e[k].q)) * best**k
                    for k in range(e.degree() + 1)), sympy.Integer(0))

    # ------------------------------------------------------------------ identity
    def minimal_polynomial(self) -> fmpq_poly:
        """The monic minimal polynomial over Q of this number (exact)."""
        cached = getattr(self, "_minpoly", None)
        if cached is not None:
            return cached
        f, d = self.field.minpoly, self.field.degree
        columns = []
        for k in range(d):
            col = (self.element * fmpq_poly([0] * k + [1])) % f
            columns.append([col[i] for i in range(d)])
        M = fmpq_mat(d, d, [columns[k][i] for i in range(d) for k in range(d)])
        char = M.charpoly()
        _, factors = char.factor()
        candidates = [g / g[g.degree()] for g, _ in factors]
        if len(candidates) > 1:
            candidates = [g for g in candidates if self._root_index_in(g) is not None]
        found = candidates[0]
        object.__setattr__(self, "_minpoly", found)
        return found

    def _root_index_in(self, g: fmpq_poly, bits: int = 64) -> int | None:
        """Index of the root of ``g`` equal to this number (``None`` if none is)."""
        while bits <= 1 << 16:
            value = self.enclosure(bits)
            with flint_precision(bits + 20):
                roots = [r for r, _ in g.complex_roots()]
            hits = [i for i, r in enumerate(roots) if r.overlaps(acb(value))]
            if not hits:
                return None
            if len(hits) == 1 and all(not roots[i].overlaps(roots[j])
                                      for i in hits for j in range(len(roots)) if j != i):
                return hits[0]
            bits *= 2
        raise InputError("could not separate an algebraic number from its conjugates")

    def _identity(self) -> tuple:
        key = getattr(self, "_key", None)
        if key is None:
            g = self.minimal_polynomial()
            if g.degree() == 1:
                key = ("rational", Fraction(int((-g[0]).p), int((-g[0]).q)))
            else:
                key = (str(g), self._root_index_in(g))
            object.__setattr__(self, "_key", key)
        return key

    @property
    def rational_value(self) -> Fraction | None:
        """The value as a ``Fraction`` when it is rational, else ``None``."""
        key = self._identity()
        return key[1] if key[0] == "rational" else None

    def __eq__(self, other: object) -> bool:
        if isinstance(other, AlgebraicNumber):
            if (self.field == other.field and self.index == other.index
                    and self.element == other.element):
                return True
            return self._identity() == other._identity()
        if isinstance(other, (int, Fraction, fmpq)):
            q = other if not isinstance(other, fmpq) else Fraction(int(other.p), int(other.q))
            return self.rational_value == q
        return NotImplemented

    def __hash__(self) -> int:
        key = self._identity()
        return hash(key[1]) if key[0] == "rational" else hash(key)

    def __repr__(self) -> str:
        approx = complex(self)
        shown = f"{approx.real:.15g}" if self.is_real else f"{approx:.15g}"
        what = "root" if self.element == fmpq_poly([0, 1]) else "element of Q(root)"
        return (f"AlgebraicNumber({shown}: {what} {self.index} of a degree-"
                f"{self.field.degree} polynomial)")

    def __str__(self) -> str:
        return repr(self)


def _mid_to_mp(ctx, b: arb):
    """The midpoint of a ball rounded into the mpmath context ``ctx``."""
    man, exp = b.mid().man_exp()
    return ctx.ldexp(ctx.mpf(int(man)), int(exp))


def field_moments(atoms: list, weights: list, count: int) -> list[fmpq] | None:
    r"""Exact moments of the atoms/weights that form complete fields, or ``None``.

    Works when the algebraic atoms are every root of their fields, each once, with weights
    ``R(alpha)`` for one polynomial ``R`` per field (as exact recovery returns them): then
    :math:`\sum_\alpha R(\alpha) \alpha^j = \operatorname{Tr}(R(x) x^j)` is rational and
    equals :math:`\sum_i R_i p_{i+j}` with the power sums of the roots. Rational atoms and
    weights (Fraction, int) are summed directly.
    """
    from fractions import Fraction

    groups: dict[AlgebraicField, list[tuple[AlgebraicNumber, object]]] = {}
    total = [fmpq(0)] * count
    for x, w in zip(atoms, weights):
        if isinstance(x, AlgebraicNumber):
            groups.setdefault(x.field, []).append((x, w))
            continue
        if isinstance(w, AlgebraicNumber):
            return None
        if not isinstance(x, (int, Fraction)) or not isinstance(w, (int, Fraction)):
            return None
        fx, cur = fmpq(Fraction(x).numerator, Fraction(x).denominator), \
            fmpq(Fraction(w).numerator, Fraction(w).denominator)
        for j in range(count):
            total[j] += cur
            cur *= fx
    for field, members in groups.items():
        if sorted(x.index for x, _ in members) != list(range(field.degree)):
            return None
        R = None
        for x, w in members:
            if x.element != fmpq_poly([0, 1]):
                return None
            if isinstance(w, AlgebraicNumber):
                if w.field != field or w.index != x.index:
                    return None
                poly = w.element
            elif isinstance(w, (int, Fraction)):
                poly = fmpq_poly([fmpq(Fraction(w).numerator, Fraction(w).denominator)])
            else:
                return None
            if R is None:
                R = poly
            elif poly != R:
                return None
        assert R is not None
        degree = max(R.degree(), 0)
        p = field.power_sums(count + degree + 1)
        for j in range(count):
            total[j] += sum((R[i] * p[i + j] for i in range(degree + 1)), fmpq(0))
    return total


def roots_as_numbers(f: fmpq_poly) -> list[AlgebraicNumber]:
    """Every root of an irreducible rational polynomial as an :class:`AlgebraicNumber`."""
    field = AlgebraicField(f)
    return [AlgebraicNumber(field, k) for k in range(field.degree)]
