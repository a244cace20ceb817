"""The report of ``momentrnn bounds``: the feasibility verdict and, where asked, the range of
a later moment (kind ``"bounds"`` of :mod:`momentrnn._schema`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .truncated import Feasibility

__all__ = ["BoundsReport"]

# the keys of an ExtrapolationRange that the report carries
_SDP_KEYS = ("order", "lower", "upper", "accuracy", "status", "solver", "certified_lower",
             "certified_upper", "inner_lower", "inner_upper", "gap", "attempts")


@dataclass(frozen=True)
class BoundsReport:
    """Feasibility of the moments on the support, and the range of ``m_order``.

    Attributes
    ----------
    feasibility : Feasibility
    range : dict or None
        The range's keys as the report writes them: those of
        :meth:`MomentRange.to_dict` (exact ends, ``"exact": true``) or of
        :meth:`ExtrapolationRange.to_dict` (``"exact"`` true only for the exact solver,
        ``range_message``), with ``status``; ``None`` where no range was asked or the moments
        are infeasible.
    """

    feasibility: Feasibility
    range: dict | None = field(default=None)

    @classmethod
    def of(cls, feasibility: Feasibility, computed=None) -> BoundsReport:
        """The report of a :class:`Feasibility` and a computed :class:`MomentRange` or
        :class:`ExtrapolationRange` (or None)."""
        from .sdp import ExtrapolationRange

        if computed is None:
            return cls(feasibility)
        d = computed.to_dict()
        if isinstance(computed, ExtrapolationRange):
            out = {key: d[key] for key in _SDP_KEYS}
            out.update({"exact": computed.solver == "exact", "range_message": computed.message})
        else:
            d.pop("message")
            out = {**d, "status": "ok"}
        return cls(feasibility, out)

    @property
    def status(self) -> str:
        """The range's status (``'ok'`` where only feasibility was asked)."""
        return "ok" if self.range is None else self.range.get("status", "ok")

    def to_dict(self) -> dict:
        """The report's flat dictionary: the feasibility's keys, then the range's."""
        return {**self.feasibility.to_dict(), **(self.range or {})}

    @classmethod
    def from_dict(cls, data: dict) -> BoundsReport:
        """The report of its :meth:`to_dict` (or of a ``"bounds"`` output)."""
        from .._schema import body_of

        data = body_of(data)
        feasibility_keys = ("feasible", "interior", "determinate", "message", "support",
                            "data_exact", "matrices", "failing")
        feasibility = Feasibility.from_dict({k: data[k] for k in feasibility_keys
                                             if k in data})
        rest = {k: v for k, v in data.items() if k not in feasibility_keys}
        return cls(feasibility, rest or None)
