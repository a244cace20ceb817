"""The gallery's examples save their figures when run as scripts, and leave them to
sphinx-gallery (which shows the open figures) when the gallery runs them."""

import os
import runpy
import subprocess
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("plot_*.py"))
QUICK = ROOT / "examples" / "plot_r9_tightness.py"  # next_moment_range only: a second


def _run_script(args, cwd):
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, str(QUICK), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_an_example_run_as_a_script_saves_its_figure(tmp_path):
    pytest.importorskip("matplotlib")
    done = _run_script([], tmp_path)
    assert done.returncode == 0, done.stderr
    saved = tmp_path / "plot_r9_tightness-1.png"
    assert saved.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"saved {os.path.join('.', saved.name)}" in done.stdout


def test_the_folder_is_the_scripts_argument(tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "figures"
    out.mkdir()
    done = _run_script([str(out)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in out.iterdir()] == ["plot_r9_tightness-1.png"]
    assert not list(tmp_path.glob("*.png"))


def test_the_gallery_build_writes_no_file_and_keeps_the_figures_open(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    monkeypatch.chdir(tmp_path)
    monkeypatch.setitem(sys.modules, "sphinx_gallery", types.ModuleType("sphinx_gallery"))
    plt.close("all")
    try:
        runpy.run_path(str(QUICK), run_name="__main__")
        assert len(plt.get_fignums()) == 1  # for sphinx-gallery to capture
    finally:
        plt.close("all")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_saves_its_figures_as_a_script(example):
    text = example.read_text()
    assert 'if __name__ == "__main__":' in text and "savefig(path" in text
    assert '"sphinx_gallery" not in sys.modules' in text
