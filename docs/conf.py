"""Sphinx configuration for the momentrnn documentation."""

from __future__ import annotations

import os
import re
import socket
import sys

sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("_ext"))

project = "momentrnn"
author = "the momentrnn developers"
copyright = "2026, the momentrnn developers"  # noqa: A001 - Sphinx's name

extensions = [
    "myst_parser",
    "numpydoc",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx_gallery.gen_gallery",
    # MathJax ships with the docs instead of being loaded from a CDN, so that the pages render
    # where there is no network (lab machines, CI, a copy of the built site). The
    # sphinx-mathjax-offline package (pinned in the `docs` extra) carries MathJax 3.2.2, the
    # last release of the major version that sphinx.ext.mathjax configures, and copies it into
    # _static/mathjax; it installs with pip like the rest of the docs toolchain (no npm or apt
    # step for anyone who builds the docs). Updating MathJax is a change of that pin, and
    # tests/test_docs_browser.py checks in a real browser that every page with math renders.
    "sphinx-mathjax-offline",
    # one page per claim with its check's source and tests; claim mentions become links
    "claim_links",
]

myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3
math_numfig = True
math_eqref_format = "Eq. {number}"  # equation numbers restart on each page; say what they are
numfig = True
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py",
                    "auto_examples/*.zip", "auto_examples/*.md5", "auto_examples/*.json"]

autodoc_typehints = "none"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks = {"GL08"}  # every documented object has a docstring
numpydoc_xref_param_type = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    # show what an example prints, not the repr of its last expression (a Legend, a tuple)
    "capture_repr": (),
}

_INVENTORIES = {
    "python": ("https://docs.python.org/3", None),
    "numpy": ("https://numpy.org/doc/stable", None),
    "scipy": ("https://docs.scipy.org/doc/scipy", None),
    "mpmath": ("https://mpmath.org/doc/current", None),
    "sympy": ("https://docs.sympy.org/latest", None),
    "torch": ("https://docs.pytorch.org/docs/stable", None),
}


def _online() -> bool:
    """Whether the inventories' hosts resolve; offline builds skip intersphinx (no warning)."""
    if os.environ.get("MOMENTRNN_DOCS_OFFLINE"):
        return False
    try:
        socket.setdefaulttimeout(3)
        socket.getaddrinfo("numpy.org", 443)
        return True
    except OSError:
        return False
    finally:
        socket.setdefaulttimeout(None)


intersphinx_mapping = _INVENTORIES if _online() else {}

html_theme = "alabaster"
html_theme_options = {"page_width": "1240px", "sidebar_width": "240px", "body_max_width": "none"}
html_static_path = ["_static"]
html_css_files = ["momentrnn.css"]  # wide code and output scroll or wrap instead of clipping
html_title = "momentrnn"


_MATH_ROLE = re.compile(r":math:`([^`]*)`")
_RANGE = re.compile(r"(?<![./\\])\.\.(?![./])")


def _math_ranges(app, what, name, obj, options, lines):
    """Write a range ``m_0..m_N`` inside a docstring's :math: role as ``m_0, \\dots, m_N``.

    MathJax sets ``..`` as two punctuation dots with spaces ("m_0. . m_N"); docstrings keep the
    short form, which reads well in ``help()``.
    """
    for i, line in enumerate(lines):
        lines[i] = _MATH_ROLE.sub(
            lambda m: ":math:`" + _RANGE.sub(r", \\dots, ", m.group(1)) + "`", line)


def setup(app):
    app.connect("autodoc-process-docstring", _math_ranges)
