"""Every public name documents itself in numpydoc sections.

A public function has a Parameters section (when it takes parameters) and a Returns or Yields
section; a public class has a Parameters or an Attributes section. An exception class that
carries no attributes (no ``__init__`` and no annotated fields in its own package ancestry)
is exempt by rule: its summary says when it is raised, and there is nothing to list. Where a
Parameters section exists, it names exactly the parameters of the signature.
"""

from __future__ import annotations

import importlib
import inspect
import re

import pytest

PACKAGES = ["momentrnn", "momentrnn.moments", "momentrnn.rnn", "momentrnn.dynamics",
            "momentrnn.experiments", "momentrnn.precision"]

# Public names that still lack the sections above. Each is to be documented and then removed
# from this list (a name that no longer needs its entry fails test_allow_lists_are_current).
MISSING_SECTIONS: set[str] = set()

# Public names whose Parameters section does not match the signature: a parameter left out,
# or a paragraph after the section that numpydoc reads as more parameters.
PARAMETER_MISMATCH: set[str] = set()

_UNDERLINE = re.compile(r"-{3,}")


def _sections(doc: str | None) -> dict[str, list[str]]:
    """Section title -> its lines, as numpydoc finds them: a title over a line of dashes at
    least as long."""
    lines = (doc or "").splitlines()
    out: dict[str, list[str]] = {}
    title = None
    i = 0
    while i < len(lines):
        text = lines[i].strip()
        under = lines[i + 1].strip() if i + 1 < len(lines) else ""
        if text and _UNDERLINE.fullmatch(under) and len(under) >= len(text):
            title = text
            out[title] = []
            i += 2
            continue
        if title is not None:
            out[title].append(lines[i])
        i += 1
    return out


def _documented_parameters(lines: list[str]) -> set[str]:
    """The names of a Parameters section: its unindented lines, ``name : type`` or ``a, b``."""
    names: set[str] = set()
    for line in lines:
        if line.strip() and not line[:1].isspace():
            head = line.split(" : ")[0]
            names.update(part.strip().lstrip("*") for part in head.split(","))
    return names


def _is_plain_exception(cls: type) -> bool:
    """An exception class of this package that carries no attributes beyond its message."""
    if not issubclass(cls, BaseException):
        return False
    own = [k for k in cls.__mro__ if k.__module__.split(".")[0] == "momentrnn"]
    return not any("__init__" in vars(k) or vars(k).get("__annotations__") for k in own)


def _public() -> dict[str, object]:
    found: dict[str, object] = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isclass(obj) or inspect.isfunction(obj):
                found.setdefault(name, obj)
    return found


PUBLIC = _public()


def _missing_sections(obj: object) -> list[str]:
    sections = _sections(inspect.getdoc(obj))
    if inspect.isclass(obj):
        if _is_plain_exception(obj):
            return []
        return [] if {"Parameters", "Attributes"} & set(sections) else ["Parameters/Attributes"]
    missing = []
    if inspect.signature(obj).parameters and "Parameters" not in sections:
        missing.append("Parameters")
    if not {"Returns", "Yields"} & set(sections):
        missing.append("Returns")
    return missing


def _parameter_mismatch(obj: object) -> list[str]:
    sections = _sections(inspect.getdoc(obj))
    if "Parameters" not in sections:
        return []
    documented = _documented_parameters(sections["Parameters"]
                                        + sections.get("Other Parameters", []))
    actual = set(inspect.signature(obj).parameters) - {"self"}
    return ([f"undocumented {p}" for p in sorted(actual - documented)]
            + [f"not a parameter: {p!r}" for p in sorted(documented - actual)])


def test_the_walk_finds_the_public_api():
    assert len(PUBLIC) > 60
    for name in ("moment_loss", "LinearRNN", "recover_measure", "integrate_flow", "MP"):
        assert name in PUBLIC


@pytest.mark.parametrize("name", sorted(set(PUBLIC) - MISSING_SECTIONS))
def test_public_names_have_numpydoc_sections(name):
    assert not _missing_sections(PUBLIC[name]), (name, _missing_sections(PUBLIC[name]))


@pytest.mark.parametrize("name", sorted(set(PUBLIC) - PARAMETER_MISMATCH))
def test_parameters_sections_match_the_signature(name):
    assert not _parameter_mismatch(PUBLIC[name]), (name, _parameter_mismatch(PUBLIC[name]))


def test_allow_lists_are_current():
    """An entry for a name that is gone or now documented must be removed from its list."""
    stale = sorted(n for n in MISSING_SECTIONS if n not in PUBLIC or not
                   _missing_sections(PUBLIC[n]))
    assert not stale, f"remove from MISSING_SECTIONS: {stale}"
    stale = sorted(n for n in PARAMETER_MISMATCH if n not in PUBLIC or not
                   _parameter_mismatch(PUBLIC[n]))
    assert not stale, f"remove from PARAMETER_MISMATCH: {stale}"


def test_the_section_reader_can_fail():
    """The reader sees what numpydoc sees: a short underline, a missing Returns and a stray
    paragraph after Parameters are all caught."""

    def bare(x):
        """Summary only."""

    def short_underline(x):
        """Summary.

        Parameters
        --
        x : int

        Returns
        -------
        int
        """

    def stray(x):
        """Summary.

        Parameters
        ----------
        x : int
            The value.

        A paragraph that belongs nowhere.

        Returns
        -------
        int
        """

    class Documented:
        """Summary.

        Attributes
        ----------
        value : int
        """

    class Plain(ValueError):
        """Raised on bad input."""

    class Carrying(ValueError):
        """Raised with a payload."""

        def __init__(self, payload):
            super().__init__(payload)
            self.payload = payload

    assert _missing_sections(bare) == ["Parameters", "Returns"]
    assert _missing_sections(short_underline) == ["Parameters"]
    assert _missing_sections(stray) == []
    assert _parameter_mismatch(stray) == ["not a parameter: 'A paragraph that belongs nowhere.'"]
    assert _missing_sections(Documented) == []
    Plain.__module__ = Carrying.__module__ = "momentrnn.example"
    assert _missing_sections(Plain) == []
    assert _missing_sections(Carrying) == ["Parameters/Attributes"]
