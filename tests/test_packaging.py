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


def _pyproject() -> dict:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[\s\[<>=!~;]", r, maxsplit=1)[0].lower() for r in requirements}


def test_pyproject_names_its_authors_and_classifiers():
    project = _pyproject()
    assert project["authors"] and all(a.get("name") for a in project["authors"])
    classifiers = project["classifiers"]
    assert "Programming Language :: Python :: 3.11" in classifiers
    assert any(c.startswith("Topic :: Scientific/Engineering") for c in classifiers)
    # the licence is the SPDX expression; a licence classifier beside it is an error (PEP 639)
    assert not any(c.startswith("License ::") for c in classifiers)


def test_torch_is_a_range_and_the_install_commands_name_the_cpu_build():
    torch = _pyproject()["optional-dependencies"]["torch"]
    assert len(torch) == 1 and "==" not in torch[0] and ">=" in torch[0], torch
    # a bare range can resolve to the multi-GB CUDA build: every command that installs the
    # torch extra names the build it wants
    for name in ("README.md", ".ci/run"):
        for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
            if "pip install" in line and "torch]" in line:
                assert '"torch==' in line, f"{name}: {line}"


def test_the_main_job_runs_from_a_plain_install():
    """cvxpy is a core dependency, so every claim's check can run without an extra, and the
    README's first command installs no extra."""
    from proofs_checks.harness import load_claims

    core = _names(_pyproject()["dependencies"])
    assert "cvxpy" in core
    needed = {m for claim in load_claims().values() for m in getattr(claim, "requires", ())}
    assert needed and needed <= core, needed - core
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first = re.search(r"```bash\n(.*?)\n```", readme, re.S).group(1)
    assert "python -m pip install -e . &&" in first and "momentrnn check" in first


def test_readme_says_what_proofs_checks_is():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    paragraph = next(" ".join(p.split()) for p in readme.split("\n\n")
                     if "top-level packages" in " ".join(p.split()))
    assert "`proofs_checks`" in paragraph and "`momentrnn check`" in paragraph


def test_the_long_description_links_nothing_the_wheel_lacks():
    """The README is the package's long description: no relative links, and every folder of
    the source tree it names that the wheel does not ship is said to be in the repository."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    relative = re.findall(r"\]\((?!https?://|#)([^)]+)\)", readme)
    assert not relative, relative
    shipped = {"momentrnn", "proofs_checks"}
    named = {m.split("/")[0] for m in re.findall(r"`([\w.]+/[^`\s]*)`", readme)} - shipped
    named = {n for n in named if (ROOT / n).is_dir()}
    assert named, "the README names no folder of the source tree"
    paragraphs = [" ".join(p.split()) for p in readme.split("\n\n")]
    sentence = next(p for p in paragraphs if "source repository" in p)
    missing = {n for n in named if f"`{n}/`" not in sentence}
    assert not missing, missing


def test_the_metadata_names_no_address_the_project_does_not_have():
    """The project has no public address of its own: the metadata has a readme, a licence,
    authors and classifiers, and no ``urls``; no file of the metadata or the site gives a web
    address of momentrnn's (an invented repository or documentation site)."""
    project = _pyproject()
    assert project["readme"] == "README.md" and (ROOT / "README.md").is_file()
    assert project["license"] == "MIT"
    assert all((ROOT / f).is_file() for f in project["license-files"])
    assert "urls" not in project
    files = [ROOT / "pyproject.toml", ROOT / "README.md", ROOT / "CITATION.cff",
             ROOT / "docs" / "conf.py", *sorted((ROOT / "docs").glob("**/*.md"))]
    for path in files:
        for url in re.findall(r"https?://[^\s)\"'>\]]+", path.read_text(encoding="utf-8")):
            assert "momentrnn" not in url.lower(), f"{path.name}: {url}"
