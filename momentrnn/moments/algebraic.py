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

import re
from fractions import Fraction

from flint import acb, acb_poly, arb, fmpq, fmpq_mat, fmpq_poly, fmpz

from .._validate import non_ascii_number
from ..errors import InputError, PrecisionExhaustedError
from ..precision import flint_precision

__all__ = ["AlgebraicNumber", "AlgebraicField"]



# Bits of the numerator or of the denominator of a square root's radicand that sympy writes
# in radicals (exact recoveries, the text of a number of degree 2): sympy takes the square
# part out by factoring both (trial division to 2**15, a primality test of what is left after
# each factor found), under 0.3 s for every integer tried to 4000 bits (3**k + 1, 10**k + 1,
# random ones; load average 9) but past 30 s for 3**3000 + 1 (4755 bits) and 27 s for
# 10**5000 + 1. Longer radicands are held as isolated roots in python-flint and printed as
# the root of their polynomial. A choice of method, not a refusal.
MAX_RADICAND_BITS = 2000


def radicand_written(b, c) -> bool:
    """Whether the roots of ``x**2 + b x + c`` (rationals) are written in sympy radicals:
    the numerator and the denominator of the radicand ``b**2 - 4 c`` each have at most
    ``MAX_RADICAND_BITS`` bits or are perfect squares (whose roots sympy takes without
    factoring)."""
    import math

    disc = fmpq(b) * fmpq(b) - 4 * fmpq(c)
    return all(n.bit_length() <= MAX_RADICAND_BITS or math.isqrt(n) ** 2 == n
               for n in (abs(int(disc.p)), int(disc.q)))

class AlgebraicField:
    """:math:`\\mathbb{Q}(\\alpha)` for the roots of one monic irreducible polynomial.

    Root enclosures are computed once per precision and shared by every number of the field.
    The roots are ordered as python-flint returns them: real roots ascending, then complex
    roots.
    """

    __slots__ = ("minpoly", "_roots", "_real", "_irreducible")

    def __init__(self, minpoly: fmpq_poly) -> None:
        if minpoly.degree() < 1:
            raise InputError("an algebraic field needs a polynomial of degree >= 1")
        lead = minpoly[minpoly.degree()]
        self.minpoly = minpoly / lead if lead != 1 else minpoly
        self._roots: dict[int, list] = {}
        self._real: list[bool] | None = None
        self._irreducible: bool | None = None

    def irreducible(self) -> bool:
        """Whether the polynomial is irreducible over Q (factored once per field)."""
        if self._irreducible is None:
            _, factors = self.minpoly.factor()
            self._irreducible = len(factors) == 1 and factors[0][1] == 1
        return self._irreducible

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
        scaled, D = self.scaled_power_sums(count)
        return [fmpq(P, D**k) for k, P in enumerate(scaled)]

    def scaled_power_sums(self, count: int) -> tuple[list[fmpz], fmpz]:
        r"""Integers :math:`P_k = D^k p_k`, k < count, and ``D``, the common denominator of the
        minimal polynomial's coefficients: the power sums of the roots of the monic integer
        polynomial whose roots are :math:`D\alpha` (Newton's identities over Z, no fraction
        reduced on the way: the rational identities spent 7 s reducing fractions of a degree-10
        field of 30 000-bit coefficients at count 31)."""
        d = self.degree
        D = fmpz(self.minpoly.denom())
        # x^d + a_1 x^(d-1) + ... + a_d; A_i = a_i D^i is an integer since D clears a_i
        A = [fmpz(1)] + [fmpz((self.minpoly[d - i] * fmpq(D**i)).p) for i in range(1, d + 1)]
        P = [fmpz(d)]
        for k in range(1, count):
            total = fmpz(0)
            for i in range(1, min(k, d + 1)):
                total += A[i] * P[k - i]
            if k <= d:
                total += k * A[k]
            P.append(-total)
        return P[:count], D

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
    :meth:`to_mp` and :meth:`to_sympy` give its value, and so do ``mpmath.mpf(x)`` (or
    ``ctx.convert(x)`` in a local context: correctly rounded to the context's precision and
    rounding mode) and ``sympy.sympify(x)`` (a ``Rational``, square roots for degree 2, or the
    ``CRootOf`` of its own minimal polynomial); ``==`` compares exactly.

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
        # reduced: a root of a degree-1 polynomial is its constant (a rational number)
        self.element = (fmpq_poly([0, 1]) if element is None else element) % field.minpoly
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

    # ------------------------------------------------------------------ protocols
    def _mpmath_(self, prec: int, rounding: str):
        """mpmath's conversion protocol (``mpmath.mpf(x)``, ``ctx.convert(x)``): the value
        correctly rounded to ``prec`` bits in mpmath's rounding mode ``rounding`` (each part
        of a complex value), as an ``mpf`` or ``mpc``. The certified enclosure is refined
        until both of its ends round to the same number; a part that lies on a rounding
        boundary (a rational such as 0 or 1/2) is proved equal to it exactly and rounded
        from that exact value."""
        import mpmath

        if self.is_real:
            return mpmath.mp.make_mpf(self._rounded_part(0, int(prec), rounding))
        return mpmath.mp.make_mpc((self._rounded_part(0, int(prec), rounding),
                                   self._rounded_part(1, int(prec), rounding)))

    def _rounded_part(self, part: int, prec: int, rounding: str) -> tuple:
        """The real (0) or imaginary (1) part, correctly rounded: an mpmath ``mpf`` tuple."""
        from mpmath import libmp

        if self.element.degree() <= 0:  # a rational element: its value exactly
            q = self.element[0] if self.element.degree() == 0 else fmpq(0)
            return libmp.from_rational(int(q.p), int(q.q), prec, rounding) if part == 0 \
                else libmp.fzero
        rejected: set[Fraction] = set()
        bits = prec + 32
        while True:
            value = self.enclosure(bits)
            ball = value if isinstance(value, arb) else (value.real if part == 0 else
                                                         value.imag)
            mid, rad = _mpf_of(ball.mid()), _mpf_of(ball.rad())
            lo = libmp.mpf_pos(libmp.mpf_sub(mid, rad), prec, rounding)
            hi = libmp.mpf_pos(libmp.mpf_add(mid, rad), prec, rounding)
            if lo == hi:
                return lo  # every number of the ball rounds to it, the value among them
            # a rounding boundary (a number of prec + 1 bits) lies in the ball: the value may
            # be that boundary, which no ball excludes; decide it exactly
            candidate = _mpf_fraction(libmp.mpf_pos(mid, prec + 1, "n"))
            if candidate not in rejected:
                if self._part_equals(part, candidate):
                    return libmp.from_rational(candidate.numerator, candidate.denominator,
                                               prec, rounding)
                rejected.add(candidate)
            if bits > 1 << 18:  # pragma: no cover - an irrational part separates long before
                raise PrecisionExhaustedError(
                    f"could not round an algebraic number to {prec} bits within {bits} bits")
            bits *= 2

    def _part_equals(self, part: int, q: Fraction) -> bool:
        """Whether the real (0) or imaginary (1) part of this number is ``q``, exactly."""
        if self.is_real:
            return self.rational_value == q if part == 0 else q == 0
        e, i = self.element, self.index
        fq = fmpq(q.numerator, q.denominator)
        if part == 0:
            # Re z = q  <=>  conj(z) = 2q - z, and conj(E(alpha)) = E(conj(alpha))
            return AlgebraicNumber(self.field, self._conjugate_index(), e) == \
                AlgebraicNumber(self.field, i, fmpq_poly([2 * fq]) - e)
        if q == 0:
            return False  # a non-real number
        return self._imaginary_part_is(fq)

    def _conjugate_index(self) -> int:
        """The index of the root conjugate to this number's root (isolated, so proved)."""
        bits = 64
        while bits <= 1 << 16:
            roots = self.field.roots(bits)
            target = roots[self.index].conjugate()
            hits = [k for k, r in enumerate(roots) if r.overlaps(target)]
            if len(hits) == 1:
                return hits[0]
            bits *= 2
        raise InputError("could not isolate the conjugate of an algebraic number")

    def _imaginary_part_is(self, d: fmpq) -> bool:
        r"""Whether :math:`\operatorname{Im} z = d` (d rational, not 0), exactly.

        With g the minimal polynomial of z and c = 2d, Im z = d means conj(z) = z - ic, a
        root of g. Write :math:`g(x \pm ic) = A(x) \pm iB(x)` with rational A and B; then
        :math:`P = A^2 + B^2` vanishes at z exactly when z - ic or z + ic is a root of g. If
        P(z) != 0, Im z != d. Otherwise the root among z -+ ic is found with certified,
        isolated roots of g, and compared with conj(z)."""
        from math import factorial

        g = self.minimal_polynomial()
        c = 2 * d
        A, B = fmpq_poly([0]), fmpq_poly([0])
        derivative = g
        for m in range(g.degree() + 1):
            term = derivative * (c**m / factorial(m))
            if m % 4 == 0:
                A += term
            elif m % 4 == 1:
                B += term
            elif m % 4 == 2:
                A -= term
            else:
                B -= term
            derivative = derivative.derivative()
        f, e = self.field.minpoly, self.element
        if AlgebraicNumber(self.field, self.index, (A * A + B * B)(e) % f) != 0:
            return False
        both = (AlgebraicNumber(self.field, self.index, A(e) % f) == 0
                and AlgebraicNumber(self.field, self.index, B(e) % f) == 0)
        shift = acb(0, arb(c.p) / arb(c.q))
        bits = 64
        while bits <= 1 << 16:
            with flint_precision(bits + 20):
                roots = [r for r, _ in g.complex_roots()]
                z = acb(self.enclosure(bits))
                lower, upper, conj = z - shift, z + shift, z.conjugate()
            below = [k for k, r in enumerate(roots) if r.overlaps(lower)]
            above = [k for k, r in enumerate(roots) if r.overlaps(upper)]
            mirror = [k for k, r in enumerate(roots) if r.overlaps(conj)]
            if not lower.overlaps(conj):
                return False  # z - ic is not conj(z)
            if len(mirror) == 1 and (both or not above) and below == mirror:
                return True  # z - ic is a root of g, and the one isolated with conj(z)
            bits *= 2
        raise InputError("could not decide the imaginary part of an algebraic number")

    def _sympy_(self):
        """sympy's conversion protocol (``sympy.sympify(x)``): the exact value, a
        ``Rational``, square roots for degree 2 (as :meth:`to_radicals`), or the ``CRootOf``
        of this number's own minimal polynomial (degree 3 or more) with the
        index of this root in sympy's order (identified with certified, isolated roots)."""
        import sympy

        g = self.minimal_polynomial()
        if g.degree() <= 2:  # a rational, or square roots (as repr and str write it)
            return self.to_radicals()
        x = sympy.Symbol("x")
        gx = sympy.Poly([sympy.Rational(int(g[k].p), int(g[k].q))
                         for k in range(g.degree(), -1, -1)], x)
        own = self._root_index_in(g)
        bits = 64
        while bits <= 1 << 16:
            with flint_precision(bits + 20):
                roots = [r for r, _ in g.complex_roots()]
            if all(not roots[a].overlaps(roots[b]) for a in range(len(roots))
                   for b in range(a)):
                break
            bits *= 2
        digits = int(bits / 3.3) + 10
        matches = []
        for k in range(g.degree()):
            root = sympy.CRootOf(gx, k)
            re_, im_ = root.evalf(digits).as_real_imag()
            point = acb(arb(str(sympy.Float(re_, digits))), arb(str(sympy.Float(im_, digits))))
            with flint_precision(bits + 20):
                point = point + acb(arb(0, 2.0 ** -(bits - 8)), arb(0, 2.0 ** -(bits - 8)))
            if point.overlaps(roots[own]):
                matches.append(root)
        if len(matches) != 1:
            raise InputError("could not match an algebraic number with sympy's roots of its "
                             "minimal polynomial")
        return matches[0]

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

    def to_radicals(self):
        """The exact value as a sympy expression in square roots when it is rational or of
        degree 2 over Q (``1/3``, ``1/4 + sqrt(5)/4``); ``None`` for a higher degree."""
        import sympy

        g = self.minimal_polynomial()
        if g.degree() == 1:
            q = -g[0]
            return sympy.Rational(int(q.p), int(q.q))
        if g.degree() != 2:
            return None
        b, c = (Fraction(int(g[k].p), int(g[k].q)) for k in (1, 0))  # x^2 + b x + c
        disc = b * b - 4 * c
        if disc > 0:  # real roots: the index in g orders them ascending
            sign = 1 if self._identity()[1] == 1 else -1
        else:  # the conjugate whose imaginary part has this number's sign
            sign = self._imaginary_sign()
        half = sympy.Rational(-b.numerator, 2 * b.denominator)
        return half + sign * sympy.sqrt(sympy.Rational(disc.numerator, disc.denominator)) / 2

    def _radicals_written(self) -> bool:
        """Whether :meth:`to_radicals` writes this number of degree 2 in reasonable time: sympy
        factors the radicand's numerator and denominator to take its square part out, which
        does not end for some integers of 5000 bits (3**3000 + 1)."""
        g = self.minimal_polynomial()
        return radicand_written(g[1], g[0])

    def _imaginary_sign(self) -> int:
        """The sign of the imaginary part of a non-real number, proved from enclosures."""
        bits = 64
        while bits <= 1 << 16:
            im = acb(self.enclosure(bits)).imag
            if im > 0:
                return 1
            if im < 0:
                return -1
            bits *= 2
        raise InputError("could not separate an algebraic number from its conjugate")

    # ------------------------------------------------------------------ identity
    def minimal_polynomial(self) -> fmpq_poly:
        """The monic minimal polynomial over Q of this number (exact)."""
        cached = getattr(self, "_minpoly", None)
        if cached is not None:
            return cached
        f, d = self.field.minpoly, self.field.degree
        if self.element == fmpq_poly([0, 1]) and self.field.irreducible():
            object.__setattr__(self, "_minpoly", f)  # the root itself: its field's polynomial
            return f
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
        if g == self.field.minpoly and self.element == fmpq_poly([0, 1]):
            return self.index  # the root itself, indexed in the same polynomial's roots
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
        if self.element.degree() <= 0:
            q = self.element[0] if self.element.degree() == 0 else fmpq(0)
            return Fraction(int(q.p), int(q.q))
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
        """``AlgebraicNumber(1/3)``, ``AlgebraicNumber(1/4 + sqrt(5)/4)`` (exact, for degree
        1 and 2 with short radicands), otherwise ``AlgebraicNumber(root of ... in [lo, hi])``:
        the exact :meth:`root_text`, never a rounded value (which could read as another
        number: a root ``-(1 - 5e-5001)`` is not ``-1``)."""
        return f"AlgebraicNumber({self})"

    def __str__(self) -> str:
        """Exact text: a fraction for a rational number, square roots for a number of degree
        2 whose radicand is short (as sympy writes them); otherwise the :meth:`root_text`."""
        exact = self._exact_text()
        return self.root_text() if exact is None else exact

    def _exact_text(self) -> str | None:
        from .._format import exact_text, sympy_text  # also past Python's int-string limit

        rational = self.rational_value
        if rational is not None:
            return exact_text(rational)
        if self.minimal_polynomial().degree() == 2 and self._radicals_written():
            return sympy_text(self.to_radicals())
        return None

    def root_text(self) -> str:
        """Exact text of any algebraic number: its minimal polynomial (integer coefficients)
        and a box that holds this root and no other root of it, its ends decimals rounded
        outward: ``"root of 20*x^3 - 15*x - 2 in [-0.78951924828608542764,
        -0.78951924828608542763]"``, and for a complex number ``"... in [a, b] + [c, d]j"``.
        :meth:`from_root_text` reads it back to this number."""
        g = self.minimal_polynomial()
        poly = _poly_text(g)
        box = self._isolating_box()
        text = f"root of {poly} in [{box[0][0]}, {box[0][1]}]"
        if len(box) == 2:
            text += f" + [{box[1][0]}, {box[1][1]}]j"
        return text

    def exact_form(self) -> dict:
        """Machine-readable exact form: ``{"polynomial": [c0, c1, ..., cd], "real": [lo, hi]}``
        (``"imag": [lo, hi]`` too for a non-real number): the integer coefficients of the
        minimal polynomial, lowest degree first (one above ``COEFFICIENT_TEXT_BITS`` bits as
        its decimal text, which JSON's integers cannot hold), and a box (decimal text, exact
        rationals) that holds this root and no other root of it. :meth:`from_exact_form`
        reads it."""
        g = self.minimal_polynomial()
        box = self._isolating_box()
        form = {"polynomial": [_coefficient_form(int(c)) for c in g.numer().coeffs()],
                "real": [box[0][0], box[0][1]]}
        if len(box) == 2:
            form["imag"] = [box[1][0], box[1][1]]
        return form

    @classmethod
    def from_exact_form(cls, form: object, where: str = "exact form") -> AlgebraicNumber:
        """The number that :meth:`exact_form` wrote, checked: integer coefficients of an
        irreducible polynomial of degree >= 1 and a box that holds exactly one of its roots.

        Raises
        ------
        InputError
            Naming ``where``, when the form is malformed or the box does not isolate a root.
        """
        if not isinstance(form, dict) or not {"polynomial", "real"} <= set(form) \
                or not set(form) <= {"polynomial", "real", "imag"}:
            raise InputError(f"{where}: {str(form)[:80]!r} is not an exact algebraic form; "
                             'write {"polynomial": [c0, ..., cd], "real": [lo, hi]} (and '
                             '"imag": [lo, hi] for a non-real number)')
        coeffs = form["polynomial"]
        if isinstance(coeffs, list) and len(coeffs) <= 1_001:
            coeffs = [_coefficient_value(c) for c in coeffs]
        if (not isinstance(coeffs, list) or len(coeffs) < 2 or len(coeffs) > 1_001
                or any(c is None for c in coeffs) or coeffs[-1] == 0):
            raise InputError(f"{where}: the polynomial must be a list of at least two integer "
                             "coefficients (decimal text for long ones), lowest degree first, "
                             "the last one not zero")
        g = fmpq_poly(coeffs)
        _, factors = g.factor()
        if len(factors) != 1 or factors[0][1] != 1:
            raise InputError(f"{where}: the polynomial {_poly_text(g)} is not irreducible "
                             "over Q, so it is no minimal polynomial; write the minimal one")
        box = []
        for part in ("real", "imag"):
            if part not in form:
                continue
            ends = form[part]
            if (not isinstance(ends, list) or len(ends) != 2
                    or not all(isinstance(e, str) and _BOX_END.fullmatch(e) for e in ends)):
                raise InputError(f"{where}: {part!r} must be two decimal texts [lower, upper] "
                                 f"(exponents within +-10000), got {str(ends)[:80]!r}")
            lo, hi = (Fraction(e) for e in ends)
            if lo > hi:
                raise InputError(f"{where}: the {part} interval [{ends[0]}, {ends[1]}] has "
                                 "its lower end above its upper end")
            box.append((lo, hi))
        field = AlgebraicField(g)
        if len(box) == 1:
            box.append((Fraction(0), Fraction(0)))
        bits = 64
        while bits <= 1 << 15:
            hits = _roots_in_box(field.minpoly, box, bits, field)
            if not hits:
                break
            if len(hits) == 1:  # the others are outside; proved inside once its ball is
                index = hits[0]
                if "imag" not in form and not field.is_real(index):
                    break
                root = field.roots(bits)[index]
                parts = [root.real] + ([root.imag] if "imag" in form else [])
                if all(lo <= a and b <= hi for (lo, hi), (a, b)
                       in zip(box, (_arb_bounds(x) for x in parts))):
                    return cls(field, index)
            bits *= 2
        raise InputError(f"{where}: the box {form.get('real')}"
                         f"{' + ' + str(form['imag']) + 'j' if 'imag' in form else ''} does "
                         f"not isolate a root of {_poly_text(g)}")

    @classmethod
    def from_sympy(cls, expr) -> AlgebraicNumber:
        """The exact algebraic number of a sympy expression in rationals, ``I``, sums,
        products and rational powers (square roots): its minimal polynomial over Q (sympy's,
        exact) and the root of it that a certified enclosure of the expression singles out."""
        import sympy

        x = sympy.Symbol("x")
        poly = sympy.Poly(sympy.minimal_polynomial(expr, x), x)
        coeffs = [int(c) for c in reversed(poly.all_coeffs())]
        field = AlgebraicField(fmpq_poly(coeffs))
        bits = 64
        while bits <= 1 << 14:
            with flint_precision(bits + 20):
                value = _sympy_ball(expr)
                hits = [i for i, r in enumerate(field.roots(bits)) if r.overlaps(value)]
            if not hits:
                break
            if len(hits) == 1:
                return cls(field, hits[0])
            bits *= 2
        raise InputError(f"could not single out {expr} among the roots of its minimal "
                         "polynomial")

    def _isolating_box(self) -> list:
        """Decimal-text box ``[(lo, hi)]`` (``[(lo, hi), (lo, hi)]`` for a non-real number)
        that holds this root of the minimal polynomial and no other."""
        g = self.minimal_polynomial()
        digits = 20
        while True:
            bits = int(digits * 3.33) + 12
            value = self.enclosure(bits)
            parts = [value] if isinstance(value, arb) else [value.real, value.imag]
            box = [(_decimal_text(lo, True, digits), _decimal_text(hi, False, digits))
                   for lo, hi in (_arb_bounds(x) for x in parts)]
            exact_box = [(Fraction(lo), Fraction(hi)) for lo, hi in box]
            if len(_roots_in_box(g, exact_box, bits)) == 1 or digits > 5000:
                break
            digits *= 2
        return box

    @classmethod
    def from_root_text(cls, text: str) -> AlgebraicNumber:
        """The number that :meth:`root_text` wrote: the one root of the polynomial in the box.

        Raises
        ------
        InputError
            When the text is not of that form, or the box holds no root or more than one.
        """
        match = _ROOT_TEXT.fullmatch(text.strip())
        if match is None:
            raise InputError(f"{text!r} is not the text of an algebraic root: write "
                             "'root of <polynomial in x> in [lower, upper]' (+ '[lower, "
                             "upper]j' for a complex root)")
        g = _parse_poly(match["poly"], text)
        box = [(Fraction(match["re_lo"]), Fraction(match["re_hi"]))]
        if match["im_lo"] is not None:
            box.append((Fraction(match["im_lo"]), Fraction(match["im_hi"])))
        field = AlgebraicField(g)
        bits = 64
        while bits <= 1 << 15:
            hits = _roots_in_box(field.minpoly, box, bits, field)
            if len(hits) == 1:
                return cls(field, hits[0])
            if not hits:
                break
            bits *= 2
        raise InputError(f"{text!r}: the box does not hold exactly one root of the polynomial")


_ROOT_TEXT = re.compile(
    r"root of (?P<poly>[-+*^x0-9 ]+?) in \[(?P<re_lo>[-+.0-9eE]+), (?P<re_hi>[-+.0-9eE]+)\]"
    r"(?: \+ \[(?P<im_lo>[-+.0-9eE]+), (?P<im_hi>[-+.0-9eE]+)\]j)?")
_COEFFICIENT_TEXT = re.compile(r"-?\d{1,100000}", re.ASCII)
#: a coefficient of an exact form above this many bits (about 3900 digits, below Python's
#: int-string limit of 4300, which JSON writers and readers hit) is written as decimal text
COEFFICIENT_TEXT_BITS = 13_000


def _coefficient_form(c: int) -> int | str:
    """A coefficient of :meth:`AlgebraicNumber.exact_form`: the int, or its decimal text
    (written by python-flint) when it is too long for JSON's integers."""
    from .._format import exact_text

    return c if c.bit_length() <= COEFFICIENT_TEXT_BITS else exact_text(c)


def _digits_value(text: str) -> int:
    """The int of decimal digits (a sign allowed), also past Python's int-string limit."""
    why = non_ascii_number(text)
    if why is not None:
        raise InputError(f"{text[:60]!r} {why}")
    return int(text) if len(text) <= 4000 else int(fmpz(text))


def _coefficient_value(c: object) -> int | None:
    """The integer an exact form's coefficient names, as :func:`_coefficient_form` writes
    it (an int, or decimal text of more than ``COEFFICIENT_TEXT_BITS`` bits), else None."""
    if isinstance(c, int) and not isinstance(c, bool):
        return c
    if isinstance(c, str) and _COEFFICIENT_TEXT.fullmatch(c):
        value = _digits_value(c)
        return value if value.bit_length() > COEFFICIENT_TEXT_BITS else None
    return None


_BOX_END = re.compile(r"[-+]?\d{1,10000}(?:\.\d{0,10000})?(?:[eE][-+]?\d{1,4})?", re.ASCII)
_TERM = re.compile(r"([+-]?)(\d*)(\*?x(?:\^(\d+))?)?", re.ASCII)


def _sympy_ball(expr) -> acb:
    """A certified enclosure (python-flint ball, at the current precision) of a sympy
    expression in rationals, ``I``, sums, products and rational powers (principal branch)."""
    import sympy

    if expr.is_Rational:
        return acb(fmpq(int(expr.p), int(expr.q)))
    if expr is sympy.I:
        return acb(0, 1)
    if expr.is_Add or expr.is_Mul:
        parts = [_sympy_ball(a) for a in expr.args]
        total = parts[0]
        for p in parts[1:]:
            total = total + p if expr.is_Add else total * p
        return total
    if expr.is_Pow and expr.exp.is_Rational:
        base, e = _sympy_ball(expr.base), expr.exp
        if e.is_Integer:
            return base ** int(e)
        if e.q == 2:
            return base.sqrt() ** int(e.p)
        return base ** acb(fmpq(int(e.p), int(e.q)))
    raise InputError(f"{str(expr)[:80]!r} is not a number in radicals")


_RADICAL_TOKEN = re.compile(r"\s*(\d{1,4000}|sqrt|I|\*\*|[-+*/()])", re.ASCII)


def radical_text_ball(text: str, bits: int = 128) -> acb:
    """A certified enclosure of radical text as sympy writes it (``-sqrt(3)/3``,
    ``sqrt(sqrt(2) + 2)``, ``1 + sqrt(5)*I/7``): integers, ``I``, ``sqrt``, ``+ - * / **``
    and parentheses, read by a small parser (never evaluated as code).

    Raises
    ------
    InputError
        When the text is not of that form.
    """
    tokens, pos = [], 0
    text = text.strip()
    while pos < len(text):
        m = _RADICAL_TOKEN.match(text, pos)
        if m is None or len(tokens) > 10_000:
            raise InputError(f"{text[:80]!r} is not radical text (integers, I, sqrt, "
                             "+ - * / ** and parentheses)")
        tokens.append(m[1])
        pos = m.end()
    at = [0]

    def peek():
        return tokens[at[0]] if at[0] < len(tokens) else None

    def take(expected=None):
        t = peek()
        if t is None or (expected is not None and t != expected):
            raise InputError(f"{text[:80]!r} is not radical text: expected "
                             f"{expected or 'more'} at token {at[0]}")
        at[0] += 1
        return t

    def expr(depth):
        if depth > 200:
            raise InputError(f"{text[:80]!r} is nested too deeply")
        value = term(depth)
        while peek() in ("+", "-"):
            value = value + term(depth) if take() == "+" else value - term(depth)
        return value

    def term(depth):
        value = unary(depth)
        while peek() in ("*", "/"):
            value = value * unary(depth) if take() == "*" else value / unary(depth)
        return value

    def unary(depth):
        if peek() in ("+", "-"):
            return unary(depth + 1) if take() == "+" else -unary(depth + 1)
        base = atom(depth)
        if peek() == "**":
            take()
            sign = -1 if peek() == "-" and take() else 1
            if peek() == "(":
                take()
                p = int(take()) if peek() and peek().isdigit() else None
                take("/")
                q = int(take()) if peek() and peek().isdigit() else None
                take(")")
                if p is None or q is None or q == 0:
                    raise InputError(f"{text[:80]!r}: an exponent must be n or (p/q)")
                return base ** acb(fmpq(sign * p, q))
            n = take()
            if not n.isdigit() or len(n) > 6:
                raise InputError(f"{text[:80]!r}: an exponent must be n or (p/q)")
            return base ** (sign * int(n))
        return base

    def atom(depth):
        t = take()
        if t.isdigit():
            return acb(int(t))
        if t == "I":
            return acb(0, 1)
        if t == "sqrt":
            take("(")
            value = expr(depth + 1).sqrt()
            take(")")
            return value
        if t == "(":
            value = expr(depth + 1)
            take(")")
            return value
        raise InputError(f"{text[:80]!r} is not radical text: unexpected {t!r}")

    with flint_precision(bits):
        value = expr(0)
    if peek() is not None:
        raise InputError(f"{text[:80]!r} is not radical text: unexpected {peek()!r}")
    return value


def _poly_text(g: fmpq_poly) -> str:
    """``g`` times its common denominator, as ``20*x^3 - 15*x - 2`` (also for coefficients
    past Python's int-string limit)."""
    from .._format import exact_text

    coeffs = [int(c) for c in g.numer().coeffs()]
    terms = []
    for k in range(len(coeffs) - 1, -1, -1):
        c = coeffs[k]
        if c == 0:
            continue
        power = "" if k == 0 else ("x" if k == 1 else f"x^{k}")
        size = exact_text(abs(c)) if (abs(c) != 1 or k == 0) else ""
        body = size + ("*" if size and power else "") + power
        terms.append(("-" if c < 0 else "+", body))
    first = ("-" if terms[0][0] == "-" else "") + terms[0][1]
    return " ".join([first] + [f"{sign} {body}" for sign, body in terms[1:]])


def _parse_poly(text: str, whole: str) -> fmpq_poly:
    """The polynomial that :func:`_poly_text` wrote (integer coefficients, in ``x``)."""
    compact = text.replace(" ", "")
    coeffs: dict[int, int] = {}
    pos = 0
    while pos < len(compact):
        m = _TERM.match(compact, pos)
        if m is None or m.end() == pos or (pos > 0 and not m[1]) or not (m[2] or m[3]):
            raise InputError(f"{whole!r}: cannot read the polynomial {text!r}; write it as "
                             "'20*x^3 - 15*x - 2'")
        power = 0 if not m[3] else (int(m[4]) if m[4] else 1)
        if power > 10_000 or len(m[2]) > 100_000:
            raise InputError(f"{whole!r}: the polynomial is too large to read")
        c = _digits_value(m[2]) if m[2] else 1  # also past the int-string limit
        coeffs[power] = coeffs.get(power, 0) + (-c if m[1] == "-" else c)
        pos = m.end()
    if not coeffs or max(coeffs) < 1:
        raise InputError(f"{whole!r}: the polynomial {text!r} has no term in x")
    return fmpq_poly([coeffs.get(k, 0) for k in range(max(coeffs) + 1)])


def _arb_bounds(x: arb) -> tuple[Fraction, Fraction]:
    """The ends of a real ball, exactly."""
    mid, rad = _mpf_fraction(_mpf_of(x.mid())), _mpf_fraction(_mpf_of(x.rad()))
    return mid - rad, mid + rad


def _decimal_text(q: Fraction, floor: bool, digits: int) -> str:
    """``q`` as decimal text of ``digits`` significant digits, rounded down (``floor``) or
    up: the text is a bound on ``q``."""
    import decimal

    if q == 0:
        return "0"
    ctx = decimal.Context(prec=digits,
                          rounding=decimal.ROUND_FLOOR if floor else decimal.ROUND_CEILING,
                          Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)
    return str(ctx.divide(decimal.Decimal(q.numerator), decimal.Decimal(q.denominator)))


def _roots_in_box(g: fmpq_poly, box: list, bits: int,
                  field: AlgebraicField | None = None) -> list[int]:
    """Indices (python-flint's order) of the roots of ``g`` whose enclosures at ``bits``
    meet the box (one interval: a real box; two: real and imaginary parts)."""
    roots = (field or AlgebraicField(g)).roots(bits)
    (re_lo, re_hi), (im_lo, im_hi) = box[0], (box[1] if len(box) > 1 else (0, 0))
    hits = []
    for i, r in enumerate(roots):
        a, b = _arb_bounds(r.real)
        c, d = _arb_bounds(r.imag)
        if a <= re_hi and b >= re_lo and c <= im_hi and d >= im_lo:
            hits.append(i)
    return hits


def _mpf_of(b: arb) -> tuple:
    """An exact ball midpoint or radius as an mpmath ``mpf`` tuple, exactly."""
    from mpmath import libmp

    man, exp = b.man_exp()
    return libmp.from_man_exp(int(man), int(exp))


def _mpf_fraction(t: tuple) -> Fraction:
    """An mpmath ``mpf`` tuple as the Fraction it is."""
    from mpmath import libmp

    if t == libmp.fzero:
        return Fraction(0)
    sign, man, exp, _ = t
    return (-1) ** sign * Fraction(man) * Fraction(2) ** exp


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
        if isinstance(x, AlgebraicNumber) and x.is_rational:
            # a rational atom held as an AlgebraicNumber, its weight a constant of its field
            x = x.rational_value
            w = w.rational_value if isinstance(w, AlgebraicNumber) and w.is_rational else w
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
        # sum_i R_i p_(i+j) over a common denominator: with p_k = P_k / D**k (integers P_k)
        # and R = Rn / Rd, D**(degree + j) Rd m_j = sum_i Rn_i P_(i+j) D**(degree - i),
        # integers throughout and one fraction reduced per moment
        degree = max(R.degree(), 0)
        P, D = field.scaled_power_sums(count + degree + 1)
        Rd = fmpz(R.denom())
        Rn = [fmpz((R[i] * fmpq(Rd)).p) for i in range(degree + 1)]
        lift = [D ** (degree - i) * Rn[i] for i in range(degree + 1)]
        scale = D**degree * Rd
        for j in range(count):
            num = fmpz(0)
            for i in range(degree + 1):
                if Rn[i]:
                    num += lift[i] * P[i + j]
            total[j] += fmpq(num, scale)
            scale *= D
    return total
