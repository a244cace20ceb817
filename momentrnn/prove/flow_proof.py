r"""``prove_flow``: a theorem about one gradient-flow run of the diagonal model.

The flow is :math:`\dot z = -\nabla L_k(z)`, :math:`z = (a, b, c)`, with the loss that
``momentrnn flow`` fits (the teacher's double-precision impulse response over ``k`` lags as
the targets, lag weights :math:`\rho_j`), from the exact doubles of
:func:`~momentrnn.rnn.init_student`. :class:`~momentrnn.prove.validated.ValidatedFlow` encloses
the exact solution up to a time :math:`T`; every statement of a :class:`FlowProof` then holds
for every point of the end enclosure, so for the exact :math:`z(T)`.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from .._validate import _kind
from ..errors import InputError
from ..precision import flint_precision
from .converge import Convergence, prove_convergence
from .validated import ValidatedFlow, _decimal, ball_bounds

__all__ = ["FlowProof", "prove_flow"]

#: the statuses of a :class:`FlowProof` (the JSON Schema's enum is made from them)
PROOF_STATUSES = ("finite-time", "not proved", "converged")

Interval = tuple  # (lower: Fraction, upper: Fraction), exact ends


def _interval_dict(iv: Interval, digits: int = 17) -> list[str]:
    return [_decimal(iv[0], digits, up=False), _decimal(iv[1], digits, up=True)]


def _interval_text(iv: Interval, digits: int = 7) -> str:
    return "[" + ", ".join(_interval_dict(iv, digits)) + "]"


@dataclass(frozen=True)
class FlowProof:
    r"""What :func:`prove_flow` proved about the gradient flow from one initialisation.

    Every interval is a pair of exact Fractions ``(lower, upper)`` that encloses the value for
    the exact solution at ``final_time``; ``to_dict`` writes them as ``[lower, upper]`` decimal
    strings rounded outwards.

    Attributes
    ----------
    status : str
        ``'finite-time'``: the enclosure reached ``t_end`` and the statements hold at
        :math:`T` = ``t_end``. ``'not proved'``: the validated integration stopped at
        ``final_time < t_end`` (``reason`` says why); the enclosure and statements given hold at
        ``final_time``, nothing is claimed beyond it. ``'converged'``: as ``'finite-time'``,
        and the local argument after :math:`T` (:mod:`~momentrnn.prove.converge`) proved that
        the flow converges, to which limit and at which rate (``convergence``).
    reason : str
        Why the run is not proved, or, with status ``'finite-time'`` after a convergence
        attempt, why convergence is not proved, and with a proved run whose extrapolation
        bound the time budget cut short, that it did ("" when everything asked was proved).
    convergence : Convergence or None
        The local argument's result (None when not attempted: ``converge=False`` or the
        run not proved).
    t_end, final_time : Fraction
        The time asked for and the time the enclosure reached (exact).
    a, b, c : tuple of intervals
        The parameters at ``final_time``.
    loss : interval
        :math:`L_k` at ``final_time`` (its lower end at least 0: a sum of squares).
    positive_units, negative_units : tuple of int
        Units whose weight :math:`b_i c_i` is proved positive (negative); the others have a
        sign that the enclosure does not decide.
    atoms : interval
        The hull of the atoms :math:`a_i`; ``atoms_in_unit_interval`` says whether every
        atom is proved to lie in :math:`[-1, 1]`.
    invariants, invariants_initial : tuple of intervals
        :math:`b_i^2 - c_i^2` at ``final_time`` and at time 0 (conserved by the flow: the
        first contains the second in every correct enclosure).
    extrapolation_length : int
        Orders :math:`q <` this are bounded.
    extrapolation_bounds : tuple of Fraction or None
        :math:`B_q` with :math:`|h_q - \hat h_q| \le B_q` for every student in the end box,
        :math:`\hat h_q` the teacher network's exact impulse response; ``None`` when no
        bound was proved (``extrapolation_note`` says why).
    extrapolation_note : str
    max_radius : float
        The largest radius of the end enclosure.
    widths : tuple of (float, float)
        ``(t, largest radius)`` sampled along the run.
    steps, rejected : int
    seconds : float
    order, prec : int
    method : str
    teacher, dim, k, init_scale, seed, init :
        The run, as given (``teacher`` a name, or ``'custom'``).
    teacher_definition : dict or None
        The teacher as the flow report writes it (``teacher`` of kind ``"flow"``): ``name``
        (None for a custom one) and ``atoms``, ``weights`` as text; None in a proof read
        from an output of an earlier version, which wrote the name alone.
    init_radius : Fraction
        The half-width of the box of initial conditions: every statement holds for every
        initialisation whose :math:`3d` coordinates are each within ``init_radius`` of
        ``init_student``'s doubles (0: that one initialisation). ``invariants_initial`` then
        encloses :math:`b_i^2 - c_i^2` over the box. A hypothesis, so its text (in
        ``statements`` and ``to_dict``) is rounded down: the box said is inside the one proved.
    remainder_budget, tolerance : float or None
        What set the Lagrange remainder accepted per step: the budget for the whole run, or
        (when given, overriding the budget) a fixed tolerance per step; the other is None.
    """

    status: str
    reason: str
    teacher: str
    dim: int
    k: int
    init_scale: float
    seed: int
    init: str
    t_end: Fraction
    final_time: Fraction
    a: tuple
    b: tuple
    c: tuple
    loss: Interval
    positive_units: tuple
    negative_units: tuple
    atoms: Interval
    atoms_in_unit_interval: bool
    invariants: tuple
    invariants_initial: tuple
    extrapolation_length: int
    extrapolation_bounds: tuple | None
    extrapolation_note: str
    max_radius: float
    widths: tuple
    steps: int
    rejected: int
    seconds: float
    order: int
    prec: int
    method: str
    convergence: Convergence | None = None
    init_radius: Fraction = Fraction(0)
    remainder_budget: float | None = None
    tolerance: float | None = None
    teacher_definition: dict | None = field(default=None, compare=False)

    @property
    def proved(self) -> bool:
        """Whether the enclosure reached ``t_end`` (status ``'finite-time'`` or
        ``'converged'``)."""
        return self.status in ("finite-time", "converged")

    @property
    def max_extrapolation_bound(self) -> Fraction | None:
        """:math:`\\max_{q < \\text{length}} B_q`, or None."""
        return None if self.extrapolation_bounds is None else max(self.extrapolation_bounds)

    def statements(self) -> list[str]:
        """The proved statements, in words."""
        T = f"t = {exact_time_text(self.final_time)}"
        if self.init_radius:
            from .._format import lower_text

            # a hypothesis: its radius is rounded down (the box proved holds the one said)
            start = (f"for every initialisation with each coordinate of (a, b, c) within "
                     f"{lower_text(self.init_radius, 4)} of init_student's doubles, ")
        else:
            start = ""
        out = [f"{start}the exact gradient-flow solution at {T} lies in the enclosure given "
               f"(largest radius {self.max_radius:.3e})",
               f"the loss L_k at {T} lies in {_interval_text(self.loss)}"]
        units = ", ".join(str(i) for i in self.positive_units) or "none"
        out.append(f"b_i c_i > 0 for units {units} (of {self.dim}; units counted from 0)")
        if self.negative_units:
            out.append(f"b_i c_i < 0 for units {', '.join(map(str, self.negative_units))}")
        out.append(f"every atom a_i lies in {_interval_text(self.atoms)}"
                   + (" (inside [-1, 1])" if self.atoms_in_unit_interval else ""))
        if self.extrapolation_bounds is not None:
            from .._format import upper_text

            out.append(f"max_(q < {self.extrapolation_length}) |h_q - h_hat_q| <= "
                       f"{upper_text(self.max_extrapolation_bound, 4)}")
        if self.status == "converged":
            out.extend(_convergence_statements(self.convergence, self.extrapolation_length))
        return out

    def to_dict(self) -> dict:
        """JSON-ready dictionary: intervals as ``[lower, upper]`` decimal strings rounded
        outwards, ``init_radius`` rounded down, exact times as text beside their float;
        ``remainder_budget`` or ``tolerance`` (the other null) says what set the remainder;
        standard JSON as it is (a number that is not finite as ``"inf"`` or ``"nan"``)."""
        from .._output import _standard

        ext = None
        if self.extrapolation_bounds is not None:
            from .._format import upper_text

            ext = {"length": self.extrapolation_length,
                   "max_bound": upper_text(self.max_extrapolation_bound, 17),
                   "bounds": [upper_text(b, 6) for b in self.extrapolation_bounds]}
        return _standard({
            "status": self.status, "reason": self.reason,
            "teacher": self.teacher_definition or {
                "name": None if self.teacher == "custom" else self.teacher, "atoms": [],
                "weights": []},
            "dim": self.dim, "k": self.k, "init_scale": self.init_scale, "seed": self.seed,
            "init": self.init, "init_radius": _decimal(self.init_radius, 17, up=False),
            "initial_conditions": (
                "every initialisation with each coordinate within init_radius of "
                "init_student's doubles" if self.init_radius else
                "the exact doubles of init_student"),
            "t_end": float(self.t_end), "final_time": float(self.final_time),
            "final_time_exact": str(self.final_time),
            "final_time_decimal": exact_time_text(self.final_time),
            "t_end_decimal": exact_time_text(self.t_end),
            "a": [_interval_dict(x) for x in self.a], "b": [_interval_dict(x) for x in self.b],
            "c": [_interval_dict(x) for x in self.c], "loss": _interval_dict(self.loss),
            "positive_units": list(self.positive_units),
            "negative_units": list(self.negative_units),
            "atoms": _interval_dict(self.atoms),
            "atoms_in_unit_interval": self.atoms_in_unit_interval,
            "invariants": [_interval_dict(x) for x in self.invariants],
            "invariants_initial": [_interval_dict(x) for x in self.invariants_initial],
            "extrapolation": ext, "extrapolation_note": self.extrapolation_note,
            "statements": self.statements(), "max_radius": self.max_radius,
            "widths": [list(w) for w in self.widths], "steps": self.steps,
            "rejected": self.rejected, "seconds": self.seconds, "order": self.order,
            "prec": self.prec, "method": self.method,
            "convergence": _convergence_dict(self.convergence),
            "remainder_budget": self.remainder_budget, "tolerance": self.tolerance,
        })


    @classmethod
    def from_dict(cls, data: dict) -> FlowProof:
        """The proof of its :meth:`to_dict` (or of a ``"flow_proof"`` output): every interval
        is the written, outward-rounded decimal ends read exactly (so it contains the one
        proved), the times exact; each extrapolation bound is the smaller of its six-digit
        upper text and the largest bound's 17-digit one (both bounds); ``init_radius`` the
        written, rounded-down one."""
        from .._schema import number_of

        def iv(pair):
            return (Fraction(pair[0]), Fraction(pair[1]))

        ext = data["extrapolation"]
        bounds = None
        if ext is not None:
            # every bound is at most the 17-digit largest one, and at most its 6-digit text
            top = Fraction(ext["max_bound"])
            bounds = tuple(min(Fraction(b), top) for b in ext["bounds"])
        return cls(
            status=data["status"], reason=data["reason"],
            # the flow report's {"name", "atoms", "weights"}; before it, the name alone
            teacher=(data["teacher"] if isinstance(data["teacher"], str)
                     else data["teacher"]["name"] or "custom"),
            teacher_definition=(None if isinstance(data["teacher"], str)
                                else dict(data["teacher"])),
            dim=data["dim"], k=data["k"], init_scale=number_of(data["init_scale"]),
            seed=data["seed"], init=data["init"], t_end=Fraction(data["t_end_decimal"]),
            final_time=Fraction(data["final_time_exact"]),
            a=tuple(iv(x) for x in data["a"]), b=tuple(iv(x) for x in data["b"]),
            c=tuple(iv(x) for x in data["c"]), loss=iv(data["loss"]),
            positive_units=tuple(data["positive_units"]),
            negative_units=tuple(data["negative_units"]), atoms=iv(data["atoms"]),
            atoms_in_unit_interval=data["atoms_in_unit_interval"],
            invariants=tuple(iv(x) for x in data["invariants"]),
            invariants_initial=tuple(iv(x) for x in data["invariants_initial"]),
            extrapolation_length=(ext["length"] if ext is not None
                                  else data.get("extrapolation_length", 0)),
            extrapolation_bounds=bounds, extrapolation_note=data["extrapolation_note"],
            max_radius=number_of(data["max_radius"]),
            widths=tuple(tuple(number_of(v) for v in w) for w in data["widths"]),
            steps=data["steps"], rejected=data["rejected"], seconds=number_of(data["seconds"]),
            order=data["order"], prec=data["prec"], method=data["method"],
            convergence=_convergence_from_dict(data["convergence"]),
            init_radius=Fraction(data.get("init_radius", "0")),
            remainder_budget=(None if data.get("remainder_budget") is None
                              else number_of(data["remainder_budget"])),
            tolerance=None if data.get("tolerance") is None else number_of(data["tolerance"]))


def _convergence_from_dict(d: dict | None) -> Convergence | None:
    """The inverse of :func:`_convergence_dict` (ends read exactly from their text)."""
    if d is None:
        return None
    if not d["proved"]:
        return Convergence(False, d["reason"])

    def num(v):
        return None if v is None else Fraction(v)

    def ivs(xs):
        return None if xs is None else tuple((Fraction(x[0]), Fraction(x[1])) for x in xs)

    return Convergence(
        True, "", rate=num(d["rate"]), strong_convexity=num(d["strong_convexity"]),
        scaled_convexity=num(d["scaled_convexity"]), metric_lower=num(d["metric_lower"]),
        metric_upper=num(d["metric_upper"]), margin=num(d["margin"]),
        path_length=num(d["path_length"]), path_length_leaf=num(d["path_length_leaf"]),
        limit_is_teacher=d["limit_is_teacher"],
        teacher_order=None if d["teacher_order"] is None else tuple(d["teacher_order"]),
        limit_a=ivs(d["limit_a"]), limit_w=ivs(d["limit_w"]), limit_b=ivs(d["limit_b"]),
        limit_c=ivs(d["limit_c"]),
        limit_loss=None if d["limit_loss"] is None else (Fraction(d["limit_loss"][0]),
                                                         Fraction(d["limit_loss"][1])),
        teacher_distance=num(d["teacher_distance"]),
        limit_extrapolation=num(d["limit_extrapolation"]),
        effective_dimension=d["effective_dimension"])


def _convergence_statements(cv: Convergence, length: int) -> list[str]:
    from .._format import lower_text, upper_text

    mu = lower_text(cv.rate, 4)
    out = [f"for all t >= T the flow stays in a box R around the end enclosure (margin "
           f"{float(cv.margin):.3g} in (a, w)) and L(t) - L* <= (L(T) - L*) exp(-mu (t - T)) "
           f"with mu = 2 m~ = {mu} (m~: the Hessian of L on the leaf (a, w), scaled by the "
           f"flow's metric, >= m~ I on R; unscaled >= "
           f"{lower_text(cv.strong_convexity, 4)} I)",
           f"the path length after T is <= {upper_text(cv.path_length, 4)} in (a, b, c) "
           f"(<= {upper_text(cv.path_length_leaf, 4)} in (a, w)); so ||z(T) - z*|| <= "
           f"{upper_text(cv.path_length, 4)}"]
    if cv.limit_is_teacher:
        out.append(f"the limit is the teacher exactly (unit i -> teacher atom "
                   f"{list(cv.teacher_order)}): a* = the teacher's atoms, b* c* = its weights, "
                   f"so h_q = h_hat_q for every q; effective dimension "
                   f"{cv.effective_dimension}")
    else:
        text = (f"the limit is the unique critical point of L in R: a* in "
                f"{', '.join(_interval_text(x, 17) for x in cv.limit_a)}, w* in "
                f"{', '.join(_interval_text(x, 17) for x in cv.limit_w)}, L* in "
                f"{_interval_text(cv.limit_loss)}; effective dimension "
                f"{cv.effective_dimension}")
        if cv.teacher_distance is not None:
            text += (f"; it is within {upper_text(cv.teacher_distance, 4)} of the teacher's "
                     f"(a, w) (not the teacher exactly: the fitted targets are not exactly the "
                     f"teacher's moments), and max_(q < {length}) |h*_q - h_hat_q| <= "
                     f"{upper_text(cv.limit_extrapolation, 4)}")
        out.append(text)
    return out


def _convergence_dict(cv: Convergence | None) -> dict | None:
    if cv is None:
        return None
    if not cv.proved:
        return {"proved": False, "reason": cv.reason}
    from .._format import lower_text, upper_text

    def ivs(xs):
        return [_interval_dict(x) for x in xs]

    return {"proved": True, "rate": lower_text(cv.rate, 17),
            "strong_convexity": lower_text(cv.strong_convexity, 17),
            "scaled_convexity": lower_text(cv.scaled_convexity, 17),
            "metric_lower": lower_text(cv.metric_lower, 17),
            "metric_upper": upper_text(cv.metric_upper, 17),
            "margin": str(cv.margin), "path_length": upper_text(cv.path_length, 17),
            "path_length_leaf": upper_text(cv.path_length_leaf, 17),
            "distance_to_limit": upper_text(cv.path_length, 17),
            "limit_is_teacher": cv.limit_is_teacher,
            "teacher_order": None if cv.teacher_order is None else list(cv.teacher_order),
            "limit_a": ivs(cv.limit_a), "limit_w": ivs(cv.limit_w),
            "limit_b": ivs(cv.limit_b), "limit_c": ivs(cv.limit_c),
            "limit_loss": _interval_dict(cv.limit_loss),
            "teacher_distance": None if cv.teacher_distance is None
            else upper_text(cv.teacher_distance, 17),
            "limit_extrapolation": None if cv.limit_extrapolation is None
            else upper_text(cv.limit_extrapolation, 17),
            "effective_dimension": cv.effective_dimension}


def _teacher_model(teacher):
    from ..rnn import named_teacher
    from ..rnn.models import DiagonalRNN

    if isinstance(teacher, str):
        return teacher, named_teacher(teacher)
    if isinstance(teacher, DiagonalRNN):
        if any(np.iscomplexobj(x) for x in (teacher.a, teacher.b, teacher.c)):
            raise InputError("the teacher has complex parameters; prove_flow takes a real "
                             "diagonal teacher (a named one, or a real DiagonalRNN)")
        return "custom", teacher
    raise InputError(f"teacher={teacher!r:.80} is not a teacher name or a DiagonalRNN; pass "
                     "a name such as 'two_pole' or a real DiagonalRNN")


def exact_time_text(t: Fraction) -> str:
    """A time the integration reached, written exactly: a binary fraction has a finite decimal
    expansion (``--t-end 0.1`` reaches the double nearest 0.1, and the statements are about that
    time, so they name it exactly, not as ``0.1``)."""
    num, den = t.numerator, t.denominator
    k = den.bit_length() - 1
    if den != 1 << k:  # not a binary fraction: written as the fraction itself
        return str(t)
    digits = str(abs(num) * 5**k).rjust(k + 1, "0")
    text = digits if k == 0 else (digits[:-k] + "." + digits[-k:]).rstrip("0").rstrip(".")
    return ("-" if num < 0 else "") + text


def _check_t_end(t_end, prec: int) -> Fraction:
    if isinstance(t_end, (bool, np.bool_)) or not isinstance(
            t_end, (int, float, Fraction, np.integer, np.floating)):
        raise InputError(f"t_end={t_end!r} must be a positive number such as 25")
    if isinstance(t_end, (float, np.floating)) and not math.isfinite(t_end):
        raise InputError(f"t_end={t_end!r} must be finite")
    value = Fraction(t_end)
    if value <= 0:
        raise InputError(f"t_end={t_end!r} must be positive")
    den = value.denominator
    # the last step, t_end minus a multiple of 2^-24, must be exact in the balls
    whole = max(value.numerator.bit_length() - den.bit_length() + 1, 0)
    if den & (den - 1) or whole + max(den.bit_length(), 25) + 2 > prec:
        raise InputError(f"t_end={t_end!r} is not a short binary number (the steps land on "
                         f"t_end exactly in {prec}-bit balls): give a double such as 25 or 0.5")
    return value


def prove_flow(teacher, dim: int, k: int, init_scale: float, seed: int = 0,
               t_end: float = 25.0, *, init: str = "random", lag_weights: object = None,
               length: int = 1000, order: int = 10, prec: int = 128, method: str = "lohner",
               tolerance: float | None = None, max_radius: float = 1e-3, h_min: float = 1e-6,
               max_seconds: float = math.inf, converge: bool = True,
               init_radius: float = 0.0, remainder_budget: float = 1e-12) -> FlowProof:
    r"""Enclose the exact gradient flow of the diagonal model up to ``t_end`` and prove what
    holds at the end.

    Parameters
    ----------
    teacher : str or DiagonalRNN
        A named teacher (``'two_pole'``, ...) or a real diagonal teacher. The flow fits its
        double-precision impulse response over ``k`` lags, as ``momentrnn flow`` does; the
        extrapolation bound compares with its exact impulse response
        :math:`\hat h_q = \sum_i \hat b_i \hat c_i \hat a_i^q` (the doubles' exact values).
    dim, k, init_scale, seed, init : int, int, float, int, str
        The student of :func:`~momentrnn.rnn.init_student` (``dim``, ``scale=init_scale``,
        ``mode=init``, ``seed``), taken at the exact values of its doubles, and the lags fitted.
    t_end : float
        The time :math:`T` to reach, a double (or a Fraction with a power-of-two denominator).
    lag_weights : optional
        The weights :math:`\rho_j` (:func:`~momentrnn.rnn.lag_weights_for`), read exactly.
    length : int
        The extrapolation bound is proved for :math:`q <` ``length`` (R11 with per-moment
        errors maximised over the end box; it needs the teacher's atoms in :math:`[-1, 1]`
        and :math:`k \ge 2\hat d + 1`).
    order, prec, method, tolerance, h_min : int, int, str, float, float
        The validated integrator's Taylor order, ball precision in bits, wrapping control
        (``'lohner'`` or ``'ball'``), remainder aimed at per step (absolute; default None:
        set by ``remainder_budget``), and smallest step tried
        (:class:`~momentrnn.prove.validated.ValidatedFlow`).
    remainder_budget : float
        Without a ``tolerance``, the Lagrange remainders of the whole run add up to at most
        this (a step of size :math:`h` accepts :math:`\text{budget} \cdot h / T`). The rule:
        the statements at :math:`T` need radii far below their margins (weights against 0,
        atoms against :math:`\pm 1`, the local argument's box), and the escape from the
        saddle amplifies early errors by :math:`10^3`--:math:`10^5`; the default
        :math:`10^{-12}` gave radii at :math:`T` of :math:`3 \cdot 10^{-14}` to
        :math:`10^{-11}` (two_pole, d = 2 to 20), far below ``max_radius``, in 2 times fewer
        steps than a per-step tolerance of :math:`10^{-20}`. The remainders are always added
        to the enclosure: the budget trades steps for width, never soundness.
    max_radius : float
        The run stops, not proved, when a radius of the enclosure exceeds this.
    max_seconds : float
        The whole call's budget in wall-clock seconds, from its start: the integration stops,
        not proved, when it is spent; the extrapolation bound and the local argument after
        it get what is left, and each one that cannot finish within it is not given (its
        note and ``reason`` say that the time budget ran out), never a bound or a verdict
        from unfinished work.
    converge : bool
        When the enclosure reached ``t_end``, try the local argument after :math:`T`
        (:func:`~momentrnn.prove.converge.prove_convergence`: strong convexity of the loss on
        the invariant leaf over a box around the end enclosure, checked in balls, and a path
        length below the box's margin). Default True.
    init_radius : float or Fraction
        Prove the theorem for a box of initial conditions: every initialisation whose
        :math:`3d` coordinates are each within ``init_radius`` (absolute, read exactly) of
        ``init_student``'s doubles. The enclosure starts as those balls, so it holds the
        solution from every point of the box, and every statement holds for all of them; the
        local argument then runs with the invariants :math:`b_i^2 - c_i^2` enclosed over the
        box (every leaf of the box at once). Default 0: the one initialisation.

    Returns
    -------
    FlowProof
        ``status`` ``'converged'`` when convergence was proved, ``'finite-time'`` when the
        enclosure reached ``t_end`` (with the reason convergence is not proved, if it was
        tried), else ``'not proved'`` with the reason.

    Raises
    ------
    InputError
        For a bad teacher, dimension, scale, seed, ``k``, ``t_end``, ``length`` or
        integrator setting.
    """
    from .._limits import check_count
    from .._validate import shown
    from ..rnn import init_student
    from ..rnn.losses import _target, lag_weights_for

    clock = time.perf_counter()  # max_seconds counts from here, the work after T included

    # the bounds of the limits table, before any work (dim 3000 aborted in FLINT)
    check_count(dim, "dim", "prove dimension")
    check_count(length, "length", "length")
    check_count(order, "order", "Taylor order")
    check_count(prec, "prec", "prove precision")
    k = check_count(k, "k", "lags")
    exact_scale = isinstance(init_scale, (int, np.integer)) and not isinstance(init_scale, bool)
    if (exact_scale or (isinstance(init_scale, (float, np.floating))
                        and math.isfinite(init_scale))) \
            and init_scale > 1 and (2 * k + 4) * math.log10(init_scale) + 1 > 300:
        # parameters of size s give lags h_j of size s**(j + 2) and a loss of s**(2 k + 4)
        raise InputError(
            f"init_scale={shown(init_scale)} with k={k} lags gives a loss of about "
            f"1e{(2 * k + 4) * math.log10(init_scale):.0f}, beyond the range of the "
            "integrator's double bounds (1e300): use a smaller init_scale (or fewer lags)")
    name, model = _teacher_model(teacher)
    rho = lag_weights_for(k, lag_weights)
    target = _target(model, k)
    if isinstance(length, (bool, np.bool_)) or not isinstance(length, (int, np.integer)) \
            or length < 1:
        raise InputError(f"length={length!r} must be a positive integer{_kind(length)}")
    for label, value, low in (("order", order, 2), ("prec", prec, 53)):
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)) \
                or value < low:
            raise InputError(f"{label}={value!r} must be an integer >= {low}")
    if method not in ("lohner", "ball"):
        raise InputError(f"method={method!r}: use 'lohner' (mean-value form, QR frame) or "
                         "'ball' (plain ball evaluation)")
    for label, value in (("tolerance", 1.0 if tolerance is None else tolerance),
                         ("max_radius", max_radius), ("h_min", h_min),
                         ("remainder_budget", remainder_budget)):
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
            raise InputError(f"{label}={value!r} must be a positive finite number")
    if not isinstance(converge, (bool, np.bool_)):
        raise InputError(f"converge={converge!r} must be True or False")
    if not (isinstance(max_seconds, (int, float)) and max_seconds >= 0):
        raise InputError(f"max_seconds={max_seconds!r} must be a number >= 0 (inf: no limit)")
    t_end_q = _check_t_end(t_end, int(prec))
    radius_q = _check_init_radius(init_radius)
    student = init_student(dim, scale=init_scale, mode=init, seed=seed)
    z0 = [Fraction(float(x)) for x in (*student.a, *student.b, *student.c)]
    start = z0
    if radius_q:
        with flint_precision(int(prec)):
            start = _box(z0, radius_q)
    flow = ValidatedFlow([Fraction(float(x)) for x in target], [Fraction(float(r)) for r in rho],
                         order=int(order), prec=int(prec), method=method)
    deadline = clock + max_seconds
    left = max(0.0, deadline - time.perf_counter())
    if tolerance is None:
        run = flow.integrate(start, t_end_q, remainder_budget=remainder_budget,
                             max_width=max_radius, h_min=h_min, max_seconds=left)
    else:
        run = flow.integrate(start, t_end_q, tolerance=tolerance, max_width=max_radius,
                             h_min=h_min, max_seconds=left)
    d = int(dim)
    with flint_precision(int(prec)):
        box = run.final
        a, b, c = box[:d], box[d:2 * d], box[2 * d:]
        loss_lo, loss_hi = ball_bounds(flow.loss(box))
        w = [bi * ci for bi, ci in zip(b, c)]
        positive, negative = _signs(w)
        invariants = tuple(ball_bounds(bi * bi - ci * ci) for bi, ci in zip(b, c))
        a_iv = [ball_bounds(x) for x in a]
        atoms = (min(lo for lo, _ in a_iv), max(hi for _, hi in a_iv))
        in_unit = atoms[0] >= -1 and atoms[1] <= 1
        radius = max(float(x.rad()) for x in box)
        bounds, note = _extrapolation(model, a, w, positive, int(length), int(k),
                                      in_unit, deadline=deadline)
        if bounds is None and note.startswith(_OUT_OF_TIME):
            note = (f"{note} (the budget max_seconds={max_seconds:g} s of the whole call; "
                    f"{time.perf_counter() - clock:.3g} s spent)")
    if radius_q:  # b^2 - c^2 over the initial box, in balls
        with flint_precision(int(prec)):
            initial = tuple(ball_bounds(x * x - y * y)
                            for x, y in zip(start[d:2 * d], start[2 * d:]))
    else:
        zb, zc = z0[d:2 * d], z0[2 * d:]
        initial = tuple((x * x - y * y, x * x - y * y) for x, y in zip(zb, zc))
    status = "finite-time" if run.proved else "not proved"
    reason, convergence = run.reason, None
    if run.proved and bounds is None and note.startswith(_OUT_OF_TIME):
        reason = f"extrapolation {note}"
    if run.proved and converge:
        t_atoms = [Fraction(float(x)) for x in model.a]
        t_weights = [Fraction(float(x)) * Fraction(float(y)) for x, y in zip(model.b, model.c)]
        with flint_precision(int(prec)):
            try:
                convergence = prove_convergence(
                    tuple(a_iv), tuple(ball_bounds(x) for x in b),
                    tuple(ball_bounds(x) for x in c),
                    list(initial) if radius_q else [x for x, _ in initial], loss_hi,
                    [Fraction(float(x)) for x in target], [Fraction(float(r)) for r in rho],
                    t_atoms, t_weights, int(length), deadline=deadline)
            except (ValueError, ZeroDivisionError) as exc:  # a ball that is not finite
                convergence = Convergence(False, f"the local argument could not be "
                                                 f"evaluated in balls: {exc}")
        if convergence.proved:
            status = "converged"
        else:
            reason = (reason + "; " if reason else "") + "convergence not proved: " \
                + convergence.reason
    return FlowProof(
        status=status, reason=reason, teacher=name, dim=d, k=int(k),
        init_scale=float(init_scale), seed=int(seed), init=init, t_end=t_end_q,
        final_time=run.t_final, a=tuple(a_iv), b=tuple(ball_bounds(x) for x in b),
        c=tuple(ball_bounds(x) for x in c), loss=(max(loss_lo, Fraction(0)), loss_hi),
        positive_units=positive, negative_units=negative, atoms=atoms,
        atoms_in_unit_interval=in_unit, invariants=invariants, invariants_initial=initial,
        extrapolation_length=int(length), extrapolation_bounds=bounds,
        extrapolation_note=note, max_radius=radius,
        widths=tuple(zip(run.times, run.widths)), steps=run.steps, rejected=run.rejected,
        seconds=run.seconds, order=int(order), prec=int(prec), method=method,
        convergence=convergence, init_radius=radius_q,
        remainder_budget=None if tolerance is not None else float(remainder_budget),
        tolerance=None if tolerance is None else float(tolerance),
        teacher_definition=_teacher_definition(name, model))


def _teacher_definition(name: str, model) -> dict:
    """The teacher as the flow report writes it: a named one's atoms and weights in their
    shortest decimal form, a custom one's doubles (``a`` and ``b c``), sorted by atom."""
    from ..rnn.teachers import NAMED_TEACHERS

    if name in NAMED_TEACHERS:
        atoms, weights = (list(v) for v in NAMED_TEACHERS[name])
    else:
        atoms = [float(x) for x in np.asarray(model.a)]
        weights = [float(x) for x in np.asarray(model.b) * np.asarray(model.c)]
    order = sorted(range(len(atoms)), key=lambda i: atoms[i])

    def shortest(value: float) -> str:
        text = repr(float(value))
        return text[:-2] if text.endswith(".0") else text

    return {"name": name if name in NAMED_TEACHERS else None,
            "atoms": [shortest(atoms[i]) for i in order],
            "weights": [shortest(weights[i]) for i in order]}


def _check_init_radius(value) -> Fraction:
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, Fraction, np.integer, np.floating)):
        raise InputError(f"init_radius={value!r} must be a number >= 0 such as 1e-9")
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        raise InputError(f"init_radius={value!r} must be finite (a box half-width such as "
                         "1e-9)")
    q = Fraction(value)
    if q < 0:
        raise InputError(f"init_radius={value!r} must be >= 0 (a box half-width such as "
                         "1e-9; 0 for the one initialisation)")
    return q


def _box(z0: list, radius: Fraction) -> list:
    """Balls holding [z - radius, z + radius] for each exact z (the radius rounded up to a
    double, which arb rounds up again: the balls contain the box)."""
    import flint

    up = float(radius)
    if Fraction(up) < radius:
        up = math.nextafter(up, math.inf)
    return [flint.arb(flint.fmpq(z.numerator, z.denominator)) + flint.arb(0, up) for z in z0]


def _signs(w: list) -> tuple[tuple, tuple]:
    """The units whose weight ball is proved positive, and those proved negative (a ball that
    holds 0, or touches it, is in neither)."""
    return (tuple(i for i, x in enumerate(w) if x > 0),
            tuple(i for i, x in enumerate(w) if x < 0))


_OUT_OF_TIME = "not bounded: the time budget ran out"

TINY_TAIL_BITS = 1074  # the smallest double's exponent: tails below 2^-1074 are bounded by it


def _extrapolation(model, a: list, w: list, positive: tuple, length: int, lags: int,
                   in_unit: bool, deadline: float = math.inf) -> tuple[tuple | None, str]:
    r"""Bounds :math:`B_q \ge |h_q - \hat h_q|` for every student in the end box, q < length.

    The units proved positive with atoms proved in :math:`[-1, 1]` form :math:`\mu_+ \ge 0`;
    the others, :math:`\mu_r`, have :math:`|m_q(\mu_r)| \le \sum |w_i| |a_i|^q`. On the fitted
    lags :math:`\varepsilon_j = \sup_{\text{box}} |m_j(\mu_+) - \hat h_j|` (a ball upper
    bound); R11 with per-moment errors (:class:`~momentrnn.moments.extrapolation_bound.R11Bounds`,
    exact over Q, monotone in each :math:`\varepsilon_j`) bounds :math:`|m_q(\mu_+) - \hat
    h_q|` for every non-negative measure on :math:`[-1, 1]` within those errors, so for every
    :math:`\mu_+` of the box. Below ``lags`` the ball of :math:`h_q - \hat h_q` over the box is
    used directly. When ``time.perf_counter()`` passes ``deadline`` before every bound is
    done, no bound is given (None, and a note that starts with :data:`_OUT_OF_TIME`).
    """
    import flint

    from ..moments.extrapolation_bound import R11Bounds

    t_atoms = [Fraction(float(x)) for x in model.a]
    t_weights = [Fraction(float(x)) * Fraction(float(y)) for x, y in zip(model.b, model.c)]
    dhat = len(t_atoms)
    if any(abs(x) > 1 for x in t_atoms):
        return None, "not bounded: a teacher atom lies outside [-1, 1] (R11 needs [-1, 1])"
    if lags < 2 * dhat + 1:
        return None, (f"not bounded: R11 needs k >= 2 d_hat + 1 = {2 * dhat + 1} lags, "
                      f"k = {lags}")
    if length <= lags:
        return None, f"not bounded: length {length} must exceed k = {lags}"
    if not in_unit:
        return None, "not bounded: an atom of the end box is not proved inside [-1, 1]"

    def exact(q: Fraction):
        return flint.arb(flint.fmpq(q.numerator, q.denominator))

    def out_of_time(where: str) -> tuple[None, str]:
        return None, f"{_OUT_OF_TIME} {where}"

    if time.perf_counter() > deadline:
        return out_of_time("before the extrapolation bound")
    hat = [sum((wt * x**j for x, wt in zip(t_atoms, t_weights)), Fraction(0))
           for j in range(lags)]
    pos = [i for i in positive if a[i].lower() >= -1 and a[i].upper() <= 1]
    rest = [i for i in range(len(a)) if i not in pos]
    eps, direct = [], []
    for j in range(lags):
        mp = sum((w[i] * a[i] ** j for i in pos), flint.arb(0))
        rj = sum((w[i] * a[i] ** j for i in rest), flint.arb(0))
        eps.append(ball_bounds(abs(mp - exact(hat[j])))[1])
        direct.append(ball_bounds(abs(mp + rj - exact(hat[j])))[1])
    r11 = R11Bounds(t_atoms, eps).bounds(length, deadline=deadline)
    if r11 is None:
        return out_of_time(f"during the R11 bounds of the orders q < {length}")
    w_rest = [abs(w[i]) for i in rest]
    a_rest = [abs(a[i]) for i in rest]
    # A tail below 2^-1074 is bounded by 2^-1074 itself: its exact ends (tiny atoms to a power
    # q < length) would be Fractions of up to millions of bits, and adding those is minutes.
    tiny = flint.arb(2) ** -TINY_TAIL_BITS
    bounds = []
    for q in range(length):
        if q < lags:
            bounds.append(direct[q])
            continue
        if time.perf_counter() > deadline:
            return out_of_time(f"at order q = {q} of the tails of the other units")
        tail = sum((wi * ai**q for wi, ai in zip(w_rest, a_rest)), flint.arb(0))
        if tail.abs_upper() <= tiny:
            bounds.append(r11[q][0] + Fraction(1, 2**TINY_TAIL_BITS))
        else:
            bounds.append(r11[q][0] + ball_bounds(tail)[1])
    note = ("R11 with per-moment errors maximised over the end box (the SDP bound of "
            "certify_extrapolation is not used over a box)")
    if rest:
        note += (f"; units {', '.join(map(str, rest))} are not proved positive with atoms in "
                 "[-1, 1]: their moments are bounded by sum |w_i| |a_i|^q and added")
    return tuple(bounds), note
