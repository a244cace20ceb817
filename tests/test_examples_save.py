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
def test_every_example_ends_by_calling_save_figures_as_a_script(example):
    """The one function, called with the script's own path in its __main__ block."""
    import ast

    tree = ast.parse(example.read_text())
    mains = [node for node in tree.body if isinstance(node, ast.If)
             and ast.unparse(node.test) == "__name__ == '__main__'"]
    assert len(mains) == 1
    calls = [ast.unparse(n) for n in ast.walk(mains[0]) if isinstance(n, ast.Call)]
    assert calls == ["save_figures()"]
    assert "savefig" not in example.read_text()  # no copy of the function's body


def _two_figures(plt):
    plt.close("all")
    for values in ([0, 1], [1, 0]):
        plt.figure()
        plt.plot(values)


def test_save_figures_writes_every_open_figure_under_the_script_s_name(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from momentrnn.experiments.plots import save_figures

    _two_figures(plt)
    try:
        paths = save_figures("/somewhere/plot_toy.py", ["plot_toy.py", str(tmp_path)])
    finally:
        plt.close("all")
    names = [tmp_path / "plot_toy-1.png", tmp_path / "plot_toy-2.png"]
    assert paths == [str(p) for p in names]
    assert sorted(tmp_path.iterdir()) == names
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in names)
    assert capsys.readouterr().out.splitlines() == [f"saved {p}" for p in paths]


def test_save_figures_defaults_to_the_current_folder(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from momentrnn.experiments.plots import save_figures

    monkeypatch.chdir(tmp_path)
    _two_figures(plt)
    try:
        paths = save_figures("plot_toy.py", ["plot_toy.py"])
    finally:
        plt.close("all")
    assert paths == [os.path.join(".", "plot_toy-1.png"), os.path.join(".", "plot_toy-2.png")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plot_toy-1.png", "plot_toy-2.png"]


def test_save_figures_writes_nothing_under_sphinx_gallery(tmp_path, monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from momentrnn.experiments.plots import save_figures

    monkeypatch.setitem(sys.modules, "sphinx_gallery", types.ModuleType("sphinx_gallery"))
    _two_figures(plt)
    try:
        assert save_figures("plot_toy.py", ["plot_toy.py", str(tmp_path)]) == []
        assert len(plt.get_fignums()) == 2  # left open, for the gallery to capture
    finally:
        plt.close("all")
    assert list(tmp_path.iterdir()) == [] and capsys.readouterr().out == ""


def test_save_figures_names_a_folder_it_cannot_write(tmp_path):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from momentrnn.errors import OutputError
    from momentrnn.experiments.plots import save_figures

    _two_figures(plt)
    try:
        with pytest.raises(OutputError, match="no/such/folder"):
            save_figures("plot_toy.py", ["plot_toy.py", str(tmp_path / "no/such/folder")])
    finally:
        plt.close("all")


def test_save_figures_without_a_file_saves_nothing(tmp_path, monkeypatch):
    # sphinx-gallery runs an example's code without __file__: the default script is then
    # None and nothing is written (before, save_figures(__file__) raised NameError there)
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    code = ("import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
            "from momentrnn.experiments.plots import save_figures\nplt.figure()\n"
            "result = save_figures(argv=['x'])\nplt.close('all')\n")
    namespace = {"__name__": "__main__"}
    exec(compile(code, "<gallery>", "exec"), namespace)
    assert namespace["result"] == [] and list(tmp_path.iterdir()) == []


def test_save_figures_takes_the_calling_script_s_file_by_default(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delitem(sys.modules, "sphinx_gallery", raising=False)
    code = ("import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
            "from momentrnn.experiments.plots import save_figures\nplt.figure(7)\n"
            "result = save_figures(argv=['x', '.'])\nplt.close('all')\n")
    namespace = {"__name__": "__main__", "__file__": str(tmp_path / "plot_toy.py")}
    exec(compile(code, "<script>", "exec"), namespace)
    assert [Path(p).name for p in namespace["result"]] == ["plot_toy-7.png"]
