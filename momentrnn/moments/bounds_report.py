"""The report of ``momentrnn bounds``: the feasibility verdict and, where asked, the range of
a later moment (kind ``"bounds"`` of :mod:`momentrnn._schema`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .sdp import ExtrapolationRange
from .truncated import Feasibility, MomentRange

__all__ = ["BoundsReport"]

# the keys of an ExtrapolationRange that the report carries
_SDP_KEYS = ("order", "lower", "upper", "tolerance", "accuracy", "status", "solver",
             "certified_lower", "certified_upper", "inner_lower", "inner_upper", "gap",
             "lower_measure", "upper_measure", "attempts")


@dataclass(frozen=True)
class BoundsReport:
    """Feasibility of the moments on the support, and the range of ``m_order``.

    Attributes
    ----------
    feasibility : Feasibility
    range : MomentRange, ExtrapolationRange or None
        The range computed (exact ends of :func:`next_moment_range`, or the semidefinite
        program's :func:`extrapolation_range`); ``None`` where no range was asked or the
        moments are infeasible. A loaded report's range is of the same type; a loaded
        :class:`ExtrapolationRange` has no dual certificates (their multipliers are not in
        the JSON).
    """

    feasibility: Feasibility
    range: object = field(default=None)

    @classmethod
    def of(cls, feasibility: Feasibility, computed=None) -> BoundsReport:
        """The report of a :class:`Feasibility` and a computed :class:`MomentRange` or
        :class:`ExtrapolationRange` (or None)."""
        return cls(feasibility, computed)

    @property
    def status(self) -> str:
        """The range's status (``'ok'`` where only feasibility was asked, or for an exact
        :class:`MomentRange`)."""
        return getattr(self.range, "status", "ok")

    def range_dict(self) -> dict:
        """The range's keys as the report writes them: those of
        :meth:`MomentRange.to_dict` (exact ends, ``"exact": true``) with ``status``, or of
        :meth:`ExtrapolationRange.to_dict` (``"exact"`` true only for the exact solver, its
        message as ``range_message``); empty without a range."""
        computed = self.range
        if computed is None:
            return {}
        d = computed.to_dict()
        if isinstance(computed, ExtrapolationRange):
            out = {key: d[key] for key in _SDP_KEYS}
            out.update({"exact": computed.solver == "exact", "range_message": computed.message})
            return out
        d.pop("message")
        return {**d, "status": "ok"}

    def to_dict(self) -> dict:
        """The report's flat dictionary: the feasibility's keys, then the range's
        (:meth:`range_dict`)."""
        return {**self.feasibility.to_dict(), **self.range_dict()}

    @classmethod
    def from_dict(cls, data: dict) -> BoundsReport:
        """The report of its :meth:`to_dict` (or of a ``"bounds"`` output), its range typed
        as it was computed."""
        import dataclasses

        from .._schema import body_of

        data = body_of(data)
        feasibility_keys = ("feasible", "interior", "determinate", "message", "support",
                            "data_exact", "matrices", "failing", "measure")
        feasibility = Feasibility.from_dict({k: data[k] for k in feasibility_keys
                                             if k in data})
        rest = {k: v for k, v in data.items() if k not in feasibility_keys}
        if not rest:
            return cls(feasibility)
        if "range_message" in rest:
            computed = ExtrapolationRange.from_dict({**rest, "message": rest["range_message"]})
        else:
            computed = MomentRange.from_dict({**rest, "message": ""})
            computed = dataclasses.replace(computed, feasibility=feasibility)
        return cls(feasibility, computed)
