"""Every bound on the work and memory an input may ask for, declared once with its reason.

Each size, exponent, count, length, order and job count the package accepts is one entry of
:data:`LIMITS`; the readers and public entry points check it before any work starts (a
refusal is an :class:`~momentrnn.errors.InputError` naming the value, the limit and the fix),
and ``tests/test_bad_input.py`` generates its cases from this table. Memory is bounded by an
estimate checked against half the physical memory (:func:`check_memory`).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from fractions import Fraction

from ._validate import positive_int
from .errors import InputError

__all__ = ["Limit", "LIMITS", "physical_memory", "check_memory", "format_bytes",
           "check_count", "MAX_DECIMAL_EXPONENT", "MAX_BINARY_EXPONENT", "MAX_DIGITS_TEXT",
           "MAX_INPUT_BYTES", "MAX_MOMENTS", "MAX_LAGS", "MAX_LENGTH", "MAX_COUNT",
           "MAX_ATOMS", "MAX_EXACT_RESPONSE_BYTES", "MAX_SPEC_BYTES", "MAX_STABILITY_ORDER",
           "MAX_SDP_ORDER", "MAX_SEED", "MAX_SINGULAR_VALUES", "MAX_EXACT_HANKEL",
           "MAX_MOMENT_INDEX", "MAX_CERTIFY_BITS",
           "MAX_SUPPORT_BITS", "MAX_STABILITY_WORK",
           "MAX_LAG_WORK", "check_lag_work", "MAX_DPS", "MAX_RECOVERY_DIGITS",
           "MAX_JOBS", "MAX_STEPS", "MAX_RUNS", "MAX_SEEDS", "MAX_PROVE_DIM",
           "MAX_PROVE_PREC", "MAX_TAYLOR_ORDER", "MAX_EXACT_MOMENT_BITS",
           "MAX_SYMBOLIC_MOMENT_TERMS", "MAX_CERTIFY_WEIGHT_BITS",
           "MAX_EXTRAPOLATION_LENGTH", "MIN_T_MAX", "SDP_INPUT_RANGE", "TRACKING_RANGE",
           "MAX_ESCALATION_BITS", "NOT_INPUT_LIMITS", "MAX_EXACT_DETERMINANT",
           "MAX_CERTIFY_UNITS", "MAX_CERTIFY_TOTAL_BITS", "MAX_EXACT_RANK_BITS",
           "MAX_CERTIFY_SDP_ORDER", "MAX_EXACT_FACTOR_WORK", "RANGES"]


@dataclass(frozen=True)
class Limit:
    """One bound: its name, the largest value accepted, why, and the parameters it caps
    (``module.function(parameter)`` or ``momentrnn command --option``).

    A range of values (:data:`RANGES`) also has its smallest: ``minimum <= |x| <= maximum``
    for every non-zero ``x`` it accepts (``maximum`` ``math.inf`` where only the smallest is
    bounded)."""

    name: str
    maximum: int | float
    reason: str
    checked_by: tuple[str, ...]
    minimum: int | float | None = None


# Decimal exponent of a number written as text (also a Decimal's exponent): read exactly,
# ``1e100000`` is an integer of 100 000 digits; ``1e1000000000`` would take hours and the
# memory, and no moment problem needs either. Underscores (``1e1_0``) are read as Python
# reads them, and the cap applies to the value they spell.
MAX_DECIMAL_EXPONENT = 100_000
# Binary magnitude of an mpmath, sympy or python-flint number (``log2 |x|``): the same bound
# as the decimal one (log2 10 < 4), so an exact conversion ``man * 2**exp`` stays that small.
MAX_BINARY_EXPONENT = 4 * MAX_DECIMAL_EXPONENT
# Characters of one number written as text: a million digits is already minutes of exact work.
MAX_DIGITS_TEXT = 1_000_000
# Bytes of a moments file or stream read at once: larger is a stream without end (/dev/zero).
MAX_INPUT_BYTES = 256 * 2**20
# Moments in one sequence: exact Hankel work is cubic in the count; 20 000 moments is a
# 10 000 x 10 000 matrix, hours of exact arithmetic, far beyond any claim of the theory.
MAX_MOMENTS = 20_000
# Lags fitted: each loss evaluation costs O(k d) and an integration thousands of them, so a
# larger k asks for hours; no claim of the theory needs more.
MAX_LAGS = 10_000
# Decimal digits of a working precision (MP(dps), Ball(dps), --dps): 100 000 digits is
# already minutes for a small problem (recover --dps 100000 of four moments ran past 57 s).
# With the vouched digits counted at 128 bits (load average 3 to 4): recover --dps 40000 of
# four moments 12 s, 60000 26 s, 100000 60 s (pure-Python mpmath: no gmpy2 here). Not lowered
# below 60 206: certified recovery escalates its balls to MAX_ESCALATION_BITS (60 206 digits).
# With the positions of the vouched digits found at 128 bits (a third of the time went to
# logarithms at 10 000 digits): --dps 40000 7.1 s of CPU, 60206 14 s of CPU (106 s wall at
# load average 6.7); the rest is mpmath's pure-Python division and multiplication.
# With the Prony roots polished by Newton's method at doubling precision (polyroots took 6 of
# the 7.4 s at 40 000 digits), CPU time at load average 2: --dps 40000 3.1 s, 60206 4.2 s,
# 100000 10.3 s, of which about 8 s are the weights' least-squares fit at twice the working
# precision (pure-Python division of 660 000-bit numbers).
MAX_DPS = 100_000
# Correct digits a recovery is asked for (recover_measure(digits=), recover --digits): its
# working precision is these digits plus the loss, escalated up to 200 000 bits.
MAX_RECOVERY_DIGITS = 10_000
# Lags times the state dimension of a training run (flow --k --dim, integrate_flow,
# gradient_descent): each loss evaluation holds several k x d arrays of doubles (powers,
# their derivatives, products) and a run makes thousands; flow --dim 20000 --k 10000 (2e8)
# took its memory (MemoryError after 10 s under an 8 GB cap) and would take hours. 10**7
# is 80 MB an array and under a second an evaluation (k = 1000 lags of 10 000 units).
MAX_LAG_WORK = 10**7
# Orders certified (certify --length, certify_extrapolation(length=)): every order below it
# is bounded over Q with moments whose exact size grows with the order; 1000 (the default
# extrapolation length of a flow report) took 15.5 s with the default 24 SDP orders (33.5 s
# before R11's recurrence ran in python-flint), 400 about 8 s (load average 4.7).
MAX_LENGTH = 1000
# The moment index of stability_bound(order=): x**q is divided exactly and sup |s_q| certified
# by root isolation of a degree-q polynomial, whose coefficients grow with the atoms' bits B
# (numerator and denominator of the longest atom). Measured (load average 4 to 5): q = 600
# took 5.9 s for atoms 39/100, -1/2, 7/9, 7.8 s for doubles, 18 s for 1e-100 (333 bits) and
# 45 s for 1e-300 (997 bits); q = 1000 took 18 to 27 s for short atoms. About
# (q / 600)**3 (5.9 + 0.0375 B) s: the order is capped at 600 and q**3 (B + 160) at
# MAX_STABILITY_WORK, 600**3 (120 + 160) (about 13 s at the cap: 1e-300 took 16 s at order
# 401; doubles down to about 2**-10 reach order 600, an atom 1e-300 order 369). B is the sum
# over all the atoms (p's coefficients hold them all), and past 1000 bits the time grows with
# B squared: at order 200, 10 atoms of 1000 bits (B = 10 000) ran past 60 s, 5 of 1000
# 14.7 s, one of 5000 6.8 s; at order 100, B = 4000 took 1.0 to 2.3 s. The work counted is
# q**3 (B + 160) max(1, B / 1000); just within it (load average 2.7) order 100 with B = 7178
# took 6.7 s, order 200 with B = 2635 3.5 s, order 50 with B = 19 942 2.3 s.
MAX_STABILITY_ORDER = 600
MAX_STABILITY_WORK = 600**3 * 280
# The order of an extrapolation range's semidefinite program: it grows with the order squared
# and its certificates with its cube. ``momentrnn bounds --order q --tolerance 1/1000`` of
# three moments took 9.7 s at q = 64 and 25.6 s at q = 80 (load average 7); 121 took 81 s.
MAX_SDP_ORDER = 64
# The highest order certify bounds by the SDP (certify --sdp-max-order,
# certify_extrapolation(sdp_max_order=)): one SDP per order from 3 up to it, so the time grows
# with about the cube of the cap. A two-unit student against a two-atom teacher over 3 lags
# (CPU time, process start included, load average 9.5): 24 (the default) 4.1 s, 32 5.6 s,
# 64 34 s.
MAX_CERTIFY_SDP_ORDER = 32
# Non-zero singular values of an exact Hankel matrix (hankel_rank's evidence, the atoms
# recover_measure conditions): an eigenproblem at about 2.7 bits per row and more, O(r**3)
# at that precision; the exact rank itself needs none of them. 100 (moments 1, 1/2, ...,
# 1/200) take about 3 s, 120 about 12 s, 200 about 50 s (load average 1.5 to 6).
MAX_SINGULAR_VALUES = 100
# Rows of a square Hankel matrix over Q (the exact rank, determinant, inertia): its
# elimination is cubic in the size and its entries grow; 3000 moments 1, 1/2, ..., 1/3000
# (1500 rows) take 13 s and 1.2 GiB, 4000 (2000 rows) 31 s and 2.6 GiB (load average 6.6),
# so the 20 000 moments read at most are 10 000 rows: hours, and more than the memory.
MAX_EXACT_HANKEL = 1500
# Rows times the bits of the moments (numerator and denominator; both parts of complex ones)
# of a square Hankel matrix over Q whose rank is decided exactly: the rows alone do not bound
# the work. 1200 moments of 1000 digits (600 rows, 4.8e9) ran past 40 s and 2000 to 3000
# aborted inside FLINT for memory. The CPU time of python-flint's rank grows as about the
# product to the power 1.5 (load average 11): random rationals of 20 digits, 600 rows, 9.3e7,
# 5.6 s; of 1000 digits, 100 rows, 1.3e8, 7.7 s; of 10 000 digits, 30 rows, 1.2e8, 8.2 s;
# moments 1, 1/2, ..., 1/2999 (1500 rows) 5.2e7, 6.0 s (already the most rows decided).
MAX_EXACT_RANK_BITS = 60_000_000
# Work of an exact recovery's irreducible factors of degree d >= 2 whose coefficients have at
# most C bits (numerator or denominator): the weights' polynomial N / p' modulo each factor
# (extended Euclid over Q), the atoms' identities and the moments checked over Q grow as
# about d**3 (C + 2000)**2, summed over the factors (rational atoms cost none of it). CPU
# time, measured on 2 cores at load average 3 (Prony polynomials of random integers: 2d
# moments of B bits make one factor of degree d with C about d B bits): d = 10, C = 30 000
# (20 integers of 3000 bits) 8.3 s; d = 10, C = 60 000 29 s; d = 20, C = 20 000 27 s;
# d = 15, C = 15 000 7.2 s; d = 5, C = 100 000 11.6 s; d = 3, C = 150 000 6.3 s; d = 30,
# C = 3000 3.4 s; d = 40, C = 1200 2.0 s: at most 1.05e-11 s a unit, so the cap, 1.1e12,
# is at most about 12 s (20 integers of 3000 bits are accepted, of 6000 bits refused).
MAX_EXACT_FACTOR_WORK = 1_100_000_000_000
# Rows of an exact Hankel determinant (hankel_determinant of exact data): FLINT's determinant
# over Q of moments 1, 1/2, 1/3, ... took 0.5 s at 100 rows, 19 s at 200 and ran past 60 s at
# 400 and 1500 (load average 2.7): the determinant's denominators grow with the size.
MAX_EXACT_DETERMINANT = 150
# Bits of the exact powers certify_extrapolation computes: an atom of B bits (numerator and
# denominator) has powers x**q of about B q bits for q < length, about B length**2 / 2 in
# all, and the time follows that total: about 1e7 bits a second (an atom 1e1500 over 208
# orders, 1.1e8 bits, 11 s; 1e300 over 600, 1.8e8, 16 s; load average 4.8). A double atom
# down to 1e-40 (238 bits) is certified over 1000 orders; ``--teacher-atoms 1e100000``
# over 100 orders (1.6e9 bits) would take minutes. Measured again (load average 5): a student
# a = 1/2 against the teacher atom 1/2 over 1000 orders 6.7 s, against 1e-41 (138 bits,
# 6.9e7 bits in all, under this cap) 39 s: the time is not the bits alone. It was the bounds'
# exact numbers (about 190 000 bits at order 1000) compared and root-isolated at each order;
# rounded up to 64 bits (a tail below 2**-1074 bounded by it), that certificate takes 7.7 s of
# CPU (38 s wall at load average 5.6, where it took 18.9 s of CPU and 108 s wall before).
MAX_CERTIFY_BITS = 120_000_000
# Bits of a weight (a teacher weight, a student's b or c) times the orders certified: every
# moment carries the weight's bits, and every order compares its bounds exactly. Measured
# (load average 8.8): weight 1 over 1000 orders 9.0 s, 1e-300 (a double, 1050 bits) 22 s;
# 1e-10000 over 100 orders 21 s against 8.3 s for weight 1; --teacher-weights 1e-100000 over
# 100 orders ran past 60 s. Every double (at most 1075 bits) is accepted up to MAX_LENGTH.
MAX_CERTIFY_WEIGHT_BITS = 1_100_000
# Units of a certified student (the entries of a, b, c) and atoms of its teacher: each is
# bounded at every order. certify --length 5 of a student 1/2, 1/3, ... (load average 5.5):
# 2000 units 8.9 s, 5000 units 11.6 s, 20 001 units 43 s (process start and imports ~5 s).
MAX_CERTIFY_UNITS = 5000
# Bits of every atom's exact powers x**q, q < length, together (B length (length - 1) / 2 for
# B bits of atoms, the student's and the teacher's summed; MAX_CERTIFY_BITS caps one atom, so
# a student of many units had many times it). Measured (2-core machine at load 11.5): a 40-unit
# flow report at --length 1000, 2.2e9 bits, certified in 45 s, about 5e7 bits a second (200
# units at --length 493, 2.5e9 bits: 31 s); 200 units at 1000 (1e10 bits) would take minutes.
MAX_CERTIFY_TOTAL_BITS = 2_500_000_000
# Bits of the numerator or denominator of a support end (moment_feasible, bounds --support):
# every localising matrix multiplies the moments by the ends, and the ends are written
# exactly in the matrices' names, the table and the JSON; 1e3000 (9 966 bits) is read and
# written at once, 1e99999 would be a 100 000-digit name. The SDP takes ends to 1e300 only.
MAX_SUPPORT_BITS = 10_000
# The index q of a moment bounded by extrapolation_range (momentrnn bounds --order): where
# the moments determine the measure m_q is exact, from the recurrence of its atoms run q
# steps with numbers of q times their bits: q = 10**5 took 4.5 s (load average 7), 10**12
# would never end. Orders above MAX_SDP_ORDER need the SDP and are refused by that limit.
MAX_MOMENT_INDEX = 100_000
# Values computed at once (moments(n), impulse_response(n)): a million doubles is 8 MB per
# atom; exact values are bounded by a memory estimate on top.
MAX_COUNT = 1_000_000
# Lags compared after a training run (integrate_flow(extrapolation_length=), flow --length,
# a sweep's lengths): the student's and the teacher's responses and their difference, as
# impulse_response(count) computes them; flow --length 1e8 passed the memory estimate and
# allocated until MemoryError after the training. Checked before the training.
MAX_EXTRAPOLATION_LENGTH = MAX_COUNT
# Bits of work of the exact moments computed at once (DiscreteMeasure.moments(count,
# precision=Exact())), estimated before any work from the atoms: each power adds the bits of
# their common denominator and of their largest magnitude, so count moments hold about
# count**2 / 2 times that, and each is a sum of one power per atom as long: the work is the
# atoms times the bits. Measured at the cap (load average 8 to 9): atom 1/3 over 35 521
# moments 1.3 s; 1e1000 over 776, 2.7 s; atoms 39/100, -1/3 over 8137, 3.6 s; ten atoms k/p
# (p the primes 3 to 37) over 1609, 3.9 s (the bits alone allowed 5087 of them: 57 s); before
# the cap 1/3 over 10**6 moments aborted inside GMP at 4 GB, 1e1000 over 2000 took 26 s.
MAX_EXACT_MOMENT_BITS = 1_000_000_000
# Moments times atoms expanded by sympy (exact moments of complex or irrational atoms that
# are not a complete algebraic field): 2000 moments of two atoms took 7.8 to 9.6 s (load 5).
MAX_SYMBOLIC_MOMENT_TERMS = 4000
# Digits of an exact impulse response (Exact() lags of float parameters): lag j of a double
# with denominator 2**e holds about 2 e j bits, so the lags hold about e count**2 bits and
# the exact work grows as their cube: 2000 lags of a random 4-unit student are 27 MiB, 36 s
# (1270 lags, the most accepted for it, about 13 s).
MAX_EXACT_RESPONSE_BYTES = 12 * 2**20
# Atoms of a teacher (random_teacher(n), --teacher-atoms): the moments of n atoms are an
# n-term sum each; a teacher wider than the lags that can be fitted cannot be learned.
MAX_ATOMS = MAX_LAGS
# momentrnn prove / prove_flow: the validated integrator's state is 3 dim balls with a
# 3 dim x 3 dim Lohner matrix per Taylor coefficient, so each step costs about dim**3 in
# time and dim**2 in memory: dim 64 took about 10 s a step and 0.9 GB (dim 16: 0.3 s a step,
# 95 MB; load average 2.1); dim 3000 aborts in FLINT. Ball precision in bits: 4096 bits ran
# 6 steps in 0.2 s at dim 2, while 65536 bits writes numbers past Python's int-string limit.
# Taylor order: order 200 took 1.2 s a step at dim 2 (order 10: 0.03 s), and the work grows
# with its square; 100 is far past the orders that pay.
MAX_PROVE_DIM = 64
MAX_PROVE_PREC = 4096
MAX_TAYLOR_ORDER = 100
# Bytes of a sweep spec file (TOML or JSON): a spec is a few lines; larger is not a spec.
MAX_SPEC_BYTES = 1 * 2**20
# Seeds: torch and numpy take seeds below 2**63 (a larger one overflows a C long long).
MAX_SEED = 2**63 - 1
# Worker processes: never more than the claims or tasks to run, nor the cores (check and
# sweep lower --jobs/--workers to those with a note), nor this many (refused).
MAX_JOBS = 1024
# Gradient-descent steps of one call: about an hour for a small batch on a CPU.
MAX_STEPS = 100_000_000
# Runs of one sweep grid: each is a training run and a row of the results file.
MAX_RUNS = 1_000_000
# A seed count (seeds=N) of a sweep: N runs per grid point.
MAX_SEEDS = 100_000

# Ranges of values (not sizes) accepted, declared here with their reasons; the modules that
# check them import them from here.
# The shortest flow time (integrate_flow(t_max=), flow --t-max): below it no integrator can
# take a step (LSODA stalls on such spans), so the flow has not moved.
MIN_T_MAX = 1e-100
# Moments, support ends and tolerances entering the floating-point SDP (extrapolation_range,
# bounds): the SDP is built in doubles, and its Chebyshev data between 1e-300 and 1e300 keep
# clear of the double range's ends (about 1.8e308 and the subnormals below 2.2e-308).
SDP_INPUT_RANGE = 10**300
# Rounded moments whose accuracy is tracked (recover_measure of inexact data): their radii are
# doubles, so their magnitudes stay within 2**+-1000 (about 1e+-301), clear of the range's
# ends; beyond it the data are refused with the factor that scales them back.
TRACKING_RANGE = 2**1000
# Bits a certified recovery escalates its balls to (recover_measure(precision=None)): the
# working precision doubles until the target is certified, up to 200 000 bits (60 206 digits,
# within MAX_DPS); a result not certified by then is reported as not vouched, never refused.
MAX_ESCALATION_BITS = 200_000

# Module-level numeric constants that are not limits on input, and why (a test keeps this
# list in step with the modules: a new cap on input belongs in LIMITS instead).
NOT_INPUT_LIMITS: dict[str, str] = {
    "dynamics.flow.AUTO_LSODA_LIMIT": "the dimension where method='auto' switches integrator",
    "dynamics.gd.LOSS_LIMIT": "a run's loss above it is declared diverged (a status, not a "
                              "refusal)",
    "dynamics.mp_flow.MAX_ITERATIONS": "Newton iterations of one implicit step",
    "dynamics.integrators.controller.MIN_FACTOR": "the step-size controller's shrink bound",
    "dynamics.integrators.controller.MAX_FACTOR": "the step-size controller's growth bound",
    "dynamics.integrators.controller.MIN_RELATIVE_STEP": "a step below it declares the run "
                                                         "diverged (a status)",
    "dynamics.integrators.controller.MAX_INITIAL_STEP": "the first step's largest size",
    "dynamics.integrators._base.PARAMETER_LIMIT": "parameters past it declare the run diverged "
                                                  "(a status)",
    "dynamics.integrators._base.ESCAPE_FRACTION": "the loss fraction of the 'escape' event",
    "dynamics.integrators.tableau.MAX_RK_ORDER": "the highest Runge-Kutta tableau shipped",
    "dynamics.integrators.tableau.MAX_ROSENBROCK_ORDER": "the highest Rosenbrock tableau shipped",
    "dynamics.integrators.scipy_ivp.NO_TIME_LIMIT": "the flow time given to SciPy when there "
                                                    "is no t_max (the run stops on its loss)",
    "moments.extrapolation_bound.ROOTS_MAX": "the order above which sup |s_q| is bounded by the "
                                             "1-norm instead of root isolation (cheaper, still "
                                             "proved): a choice of method",
    "moments.extrapolation_bound.MAX_TEXT_BITS": "fractions longer than this are written as "
                                                 "null in JSON (Python's int-string limit)",
    "moments.recovery.MAX_ROUNDS": "rounds of the certified recovery's escalation",
    "moments.algebraic.MAX_RADICAND_BITS": "radicands longer than this are held as isolated "
                                           "roots in python-flint, not sympy radicals (sympy "
                                           "factors them): a choice of method",
    "moments.truncated.MAX_ATOM_BITS": "bits spent isolating an irrational atom of a result",
    "_progress.MIN_PERIOD": "the progress clock's shortest wait",
    "moments._data._DOUBLE_MAX": "the largest double, a constant of the format",
}

LIMITS: dict[str, Limit] = {limit.name: limit for limit in (
    Limit("decimal exponent", MAX_DECIMAL_EXPONENT,
          "read exactly, 1e100000 is an integer of 100 000 digits",
          ("moments text", "support ends", "--teacher-atoms", "certify report fields",
           "Decimal moments")),
    Limit("binary exponent", MAX_BINARY_EXPONENT,
          "log2 |x| of mpmath, sympy and python-flint numbers: the decimal bound in bits",
          ("mpmath mpf/mpc moments", "flint arb/acb moments", "sympy Float moments")),
    Limit("digits of a number", MAX_DIGITS_TEXT, "a million digits is minutes of exact work",
          ("moments text",)),
    Limit("moments file bytes", MAX_INPUT_BYTES, "larger is a stream without end",
          ("momentrnn recover FILE", "--teacher-moments")),
    Limit("moments", MAX_MOMENTS, "exact Hankel work is cubic in the count",
          ("parse_moments", "momentrnn recover FILE", "moments(n)")),
    Limit("lags", MAX_LAGS, "each loss evaluation is O(k d), thousands per integration",
          ("flow k", "certify --lags")),
    Limit("dps", MAX_DPS, "digits of a working precision", ("MP(dps)", "Ball(dps)",
                                                            "recover --dps", "realize --dps")),
    Limit("recovery digits", MAX_RECOVERY_DIGITS, "the digits a recovery is asked for",
          ("recover_measure(digits=)", "recover --digits")),
    Limit("lags x dimension", MAX_LAG_WORK, "several k x d arrays per loss evaluation",
          ("integrate_flow(k=)", "gradient_descent(k=)", "flow --k --dim")),
    Limit("length", MAX_LENGTH, "exact work grows with each order certified",
          ("certify --length", "certify_extrapolation(length=)", "prove_flow(length=)",
           "momentrnn prove --length")),
    Limit("order", MAX_STABILITY_ORDER, "exact division and root isolation of degree q",
          ("stability_bound(order=)",)),
    Limit("stability work", MAX_STABILITY_WORK,
          "q**3 (B + 160) max(1, B/1000), B the bits of all the atoms",
          ("stability_bound(order=, atoms=)",)),
    Limit("SDP order", MAX_SDP_ORDER, "the SDP grows with the order squared",
          ("extrapolation_range(order=)", "momentrnn bounds --order")),
    Limit("certify SDP order", MAX_CERTIFY_SDP_ORDER,
          "one SDP per order certified up to it, about cubic in all",
          ("certify_extrapolation(sdp_max_order=)", "certify --sdp-max-order")),
    Limit("singular values", MAX_SINGULAR_VALUES,
          "an eigenproblem at thousands of bits, cubic in their number",
          ("hankel_singular_values(size=)", "hankel_rank (evidence left out above it)",
           "recover_measure (atoms conditioned)")),
    Limit("certify bits", MAX_CERTIFY_BITS, "the time follows the bits of an atom's exact powers",
          ("certify_extrapolation(teacher_atoms=, a=)", "certify --teacher-atoms")),
    Limit("certify weight bits", MAX_CERTIFY_WEIGHT_BITS,
          "every moment carries a weight's bits, every order compares them",
          ("certify_extrapolation(teacher_weights=, b=, c=)", "certify --teacher-weights")),
    Limit("certify units", MAX_CERTIFY_UNITS, "each unit and teacher atom is bounded at "
          "every order", ("certify_extrapolation(a=, teacher_atoms=)", "certify STUDENT",
                          "certify --teacher-atoms")),
    Limit("certify total bits", MAX_CERTIFY_TOTAL_BITS, "the time follows the bits of all "
          "the atoms' exact powers together", ("certify STUDENT --length",)),
    Limit("support end bits", MAX_SUPPORT_BITS,
          "the ends multiply every moment and are written exactly",
          ("support=(a, b)", "momentrnn bounds --support")),
    Limit("moment index", MAX_MOMENT_INDEX, "an exact m_q is a recurrence run q steps",
          ("extrapolation_range(order=)", "momentrnn bounds --order")),
    Limit("exact Hankel size", MAX_EXACT_HANKEL,
          "exact elimination is cubic in the size, with growing entries",
          ("hankel_rank (exact data)", "hankel_matrix(precision=Exact())",
           "hankel_determinant (exact)", "recover_measure (exact data)")),
    Limit("exact Hankel bits", MAX_EXACT_RANK_BITS,
          "exact elimination grows with the rows times the bits of the moments",
          ("hankel_rank (exact data)", "hankel_determinant (exact)",
           "recover_measure (exact data)", "momentrnn recover")),
    Limit("exact factor work", MAX_EXACT_FACTOR_WORK,
          "d**3 (C + 2000)**2 over the irreducible factors (degree d, C bits) of an exact "
          "recovery, at most about 12 s",
          ("recover_measure(precision=Exact())", "momentrnn recover --exact")),
    Limit("exact determinant size", MAX_EXACT_DETERMINANT,
          "a determinant over Q whose denominators grow with the size",
          ("hankel_determinant (exact)",)),
    Limit("count", MAX_COUNT, "values computed at once",
          ("DiscreteMeasure.moments(count)", "impulse_response(count)")),
    Limit("extrapolation length", MAX_EXTRAPOLATION_LENGTH,
          "the responses compared after a run, as impulse_response(count) computes them",
          ("integrate_flow(extrapolation_length=)", "GDResult.trajectory(extrapolation_length=)",
           "momentrnn flow --length", "momentrnn sweep --set lengths=")),
    Limit("exact moment bits", MAX_EXACT_MOMENT_BITS,
          "atoms x count**2 / 2 x the bits each power adds, estimated from the atoms",
          ("DiscreteMeasure.moments(count, precision=Exact())",)),
    Limit("symbolic moment terms", MAX_SYMBOLIC_MOMENT_TERMS,
          "each moment of an irrational or complex atom is a sympy expansion",
          ("DiscreteMeasure.moments(count, precision=Exact())",)),
    Limit("exact response bytes", MAX_EXACT_RESPONSE_BYTES,
          "exact lags grow linearly, their work as the cube of the count",
          ("impulse_response(count, precision=Exact())",)),
    Limit("atoms", MAX_ATOMS, "no more atoms than lags can be fitted",
          ("random_teacher(n)",)),
    Limit("prove dimension", MAX_PROVE_DIM,
          "each validated step is dim**3 ball work on 3 dim x 3 dim matrices",
          ("prove_flow(dim=)", "momentrnn prove --dim")),
    Limit("prove precision", MAX_PROVE_PREC, "bits of the validated integrator's balls",
          ("prove_flow(prec=)", "momentrnn prove --prec")),
    Limit("Taylor order", MAX_TAYLOR_ORDER, "each step's work grows with the order squared",
          ("prove_flow(order=)", "momentrnn prove --order")),
    Limit("spec bytes", MAX_SPEC_BYTES, "a sweep spec is a few lines",
          ("momentrnn sweep SPEC",)),
    Limit("seed", MAX_SEED, "torch and numpy seeds are C long longs", ("sweep seeds",)),
    Limit("jobs", MAX_JOBS, "never more workers than tasks or this many",
          ("momentrnn check --jobs", "momentrnn sweep --workers")),
    Limit("steps", MAX_STEPS, "about an hour for a small batch on a CPU",
          ("gradient_descent(steps=)",)),
    Limit("runs", MAX_RUNS, "each run is a training and a row of the results file",
          ("momentrnn sweep (the grid)",)),
    Limit("seed count", MAX_SEEDS, "seeds=N asks for N runs per grid point",
          ("momentrnn sweep --set seeds=N",)),
)}


# The ranges of values (not sizes) above, as entries of the same kind; a range is not a
# count, so :func:`check_count` takes the sizes of LIMITS only.
RANGES: dict[str, Limit] = {limit.name: limit for limit in (
    Limit("flow time", math.inf, "below it no integrator can take a step",
          ("integrate_flow(t_max=)", "momentrnn flow --t-max"), minimum=MIN_T_MAX),
    Limit("SDP input range", SDP_INPUT_RANGE,
          "the SDP is built in doubles, clear of the double range's ends (the smallest "
          "bounds the non-zero Chebyshev coefficients of the support only)",
          ("extrapolation_range(moments, support=, tolerance=)", "momentrnn bounds"),
          minimum=Fraction(1, SDP_INPUT_RANGE)),
    Limit("tracking range", TRACKING_RANGE,
          "the radii of rounded moments are doubles, clear of the double range's ends",
          ("recover_measure (inexact data)", "momentrnn recover"),
          minimum=Fraction(1, TRACKING_RANGE)),
    Limit("escalation bits", MAX_ESCALATION_BITS,
          "a certified recovery doubles its balls' bits up to it, then reports not vouched",
          ("recover_measure(precision=None)", "momentrnn recover"), minimum=64),
)}


def check_count(value: object, name: str, limit: str, fix: str = "") -> int:
    """``value`` as a positive ``int`` no larger than the limit named ``limit``."""

    return positive_int(value, name, maximum=LIMITS[limit].maximum,
                        hint=fix or f"the limit: {LIMITS[limit].reason}")


def check_lag_work(k: int, dim: int) -> None:
    """Refuse a training run whose ``k x dim`` loss arrays pass ``MAX_LAG_WORK``, before any."""
    if k * dim > MAX_LAG_WORK:
        raise InputError(f"k={k} lags of a student of dimension {dim} make {k * dim} values "
                         f"per loss array, more than the {MAX_LAG_WORK} a run fits (each loss "
                         f"evaluation holds several such arrays, a run thousands of "
                         f"evaluations): use k <= {max(1, MAX_LAG_WORK // dim)} or a smaller "
                         "dim")


def physical_memory() -> int:
    """Bytes of physical memory (16 GiB when the system does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, ValueError, OSError):
        return 16 * 2**30


def format_bytes(n: float) -> str:
    try:
        n = float(n)  # an integer estimate beyond the double range is no count of bytes
    except OverflowError:
        return "more bytes than can be counted"
    if not math.isfinite(n):
        return "more bytes than can be counted"
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.3g} {unit}"
        n /= 1024
    return f"{n:.3g} EiB"  # pragma: no cover


def check_memory(nbytes: float, what: str, fix: str) -> None:
    """Refuse work whose arrays alone would need more than half the physical memory."""
    limit = physical_memory() // 2
    if nbytes > limit:
        raise InputError(f"{what} needs {format_bytes(nbytes)} of memory, more than the "
                         f"{format_bytes(limit)} allowed (half of this machine's memory); {fix}")
