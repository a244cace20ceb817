"""The getting-started page runs the README's commands, as the README writes them."""

from __future__ import annotations

import pathlib
import re

REPO = pathlib.Path(__file__).resolve().parents[1]
PAGE = REPO / "docs" / "getting_started.md"
README = REPO / "README.md"
INDEX = REPO / "docs" / "index.md"


def _blocks(text: str, lang: str) -> list[str]:
    return [b.strip("\n") for b in re.findall(rf"^```{lang}\n(.*?)^```", text, re.M | re.S)]


def _commands(block: str) -> list[str]:
    """The block's commands, continuation lines joined, blank lines and comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", block)
    return [line.strip() for line in joined.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def _readme_front() -> str:
    """The README up to its first reference section: the install commands and the tour."""
    text = README.read_text(encoding="utf-8")
    return text[:text.index("\n## Recovering a measure")]


def test_page_commands_are_the_readmes():
    page = PAGE.read_text(encoding="utf-8")
    page_bash = [c for b in _blocks(page, "bash") for c in _commands(b)]
    readme_bash = [c for b in _blocks(_readme_front(), "bash") for c in _commands(b)]
    # every command on the page is the README's, and every README command of the tour is shown
    assert set(page_bash) == set(readme_bash), (
        f"commands on the page and not in the README: {sorted(set(page_bash) - set(readme_bash))}; "
        f"in the README's install and tour and not on the page: "
        f"{sorted(set(readme_bash) - set(page_bash))}")
    # the two install commands come first, in the README's order, and the tour block is the same
    assert page_bash[:2] == readme_bash[:2]
    assert _blocks(page, "bash")[-1] == _blocks(_readme_front(), "bash")[-1]
    assert _blocks(page, "python") == _blocks(_readme_front(), "python")


def test_page_shows_a_real_check_output_for_every_claim():
    page = PAGE.read_text(encoding="utf-8")
    output = next(b for b in _blocks(page, "text") if "passed in" in b)
    claims = sorted(p.stem.upper() for p in (REPO / "proofs_checks").glob("[rm][0-9]*.py"))
    rows = [line.split()[0] for line in output.splitlines()[1:] if re.match(r"[RM]\d+ ", line)]
    assert sorted(rows) == claims, f"the output's claims {rows} are not the checks {claims}"
    assert all(" PASS " in line for line in output.splitlines()[1:] if re.match(r"[RM]\d+ ", line))
    assert re.search(rf"^{len(claims)} passed in [0-9.]+ s$", output, re.M)
    assert "produced by that command" in page


def test_page_is_the_first_thing_a_reader_sees():
    index = INDEX.read_text(encoding="utf-8")
    first_paragraph = index.split("\n\n")[1]
    assert "getting_started.md" in first_paragraph
    toctrees = re.findall(r"```\{toctree\}\n(.*?)```", index, re.S)
    entries = [line.strip() for line in toctrees[0].splitlines()
               if line.strip() and not line.startswith(":")]
    assert entries[0] == "getting_started"
