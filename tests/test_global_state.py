"""Answers do not depend on the global mpmath precision or python-flint's working precision."""

from fractions import Fraction

import flint
import mpmath

from momentrnn import MP, Ball, DiscreteMeasure, Exact, hankel_rank, recover_measure
from momentrnn.moments.realization import minimal_realization

from .helpers import legendre_moments

SEVENTH = mpmath.mpf(1) / 7  # made once, at the default precision


def _answers():
    m = legendre_moments(8)
    doubles = [float(v) for v in m]
    out = []
    r = recover_measure(m, digits=25)
    out.append((r.digits, r.status, tuple(mpmath.nstr(a, 20) for a in r.atoms),
                r.atom_digits, r.weight_digits))
    r = recover_measure(doubles, precision=MP(30), throw=False)
    out.append((r.digits, r.status, tuple(mpmath.nstr(a, 12) for a in r.atoms)))
    r = recover_measure(m, precision=Ball(40))
    ball = r.measure.atoms[0]
    out.append((r.digits, ball.mid().man_exp(), float(ball.rad())))
    for data, prec in ((doubles, None), (doubles, MP(30)), (m, Exact())):
        h = hankel_rank(data, precision=prec)
        out.append((h.rank, h.verdict, mpmath.nstr(h.noise_floor, 15), h.gap))
    real = minimal_realization([Fraction(1, 3) ** j for j in range(6)])
    out.append(tuple(real.A[0]))
    mu = DiscreteMeasure([SEVENTH, Fraction(1, 3)], [1, 2])
    out.append(tuple(mpmath.nstr(v, 30) for v in mu.moments(4, precision=MP(40))))
    return out


def test_answers_do_not_depend_on_global_precisions():
    reference = _answers()
    saved = (mpmath.mp.prec, flint.ctx.prec)
    try:
        for mp_prec, flint_prec in ((10, 20), (300, 500)):
            mpmath.mp.prec = mp_prec
            flint.ctx.prec = flint_prec
            changed = _answers()
            mpmath.mp.prec, flint.ctx.prec = saved
            assert changed == reference, (mp_prec, flint_prec)
    finally:
        mpmath.mp.prec, flint.ctx.prec = saved
