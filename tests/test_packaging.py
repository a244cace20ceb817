"""The version is defined once and the package metadata agree with it."""

import re
from pathlib import Path

import momentrnn

ROOT = Path(__file__).resolve().parent.parent


def test_citation_and_changelog_follow_the_version():
    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    assert re.search(rf'^version: "{re.escape(momentrnn.__version__)}"$', cff, re.M)
    assert "arXiv:2210.14064" in cff
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert f"## {momentrnn.__version__}" in changelog


def test_pyproject_reads_the_version_from_the_package():
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in text and "momentrnn.__version__" in text
    assert not re.search(r"^version\s*=\s*\"", text, re.M)
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
