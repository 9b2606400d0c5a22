"""A wheel built from the sdist, installed in a fresh virtual environment, aligns the bundled
sample with `--model demo` from a folder outside the checkout (issue: "A wheel that works").

Offline and quick: the sdist and the wheel are built with the setuptools of the running
environment (no build isolation, no index), the wheel is installed without dependencies, and the
new environment sees this one's packages (torch, PySide6...) through a .pth file instead of
downloading them again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

from aligner_gui.core.io.textgrid import read_textgrid

pytestmark = pytest.mark.wheel
REPO = Path(__file__).resolve().parents[2]
SHIPPED = {
    "demo_phones.pt",
    "demo_model.pt",
    "review_queue_trees.json",
    "sample.wav",
    "sample.txt",
    "aligner-gui.svg",
}
# Build output and caches of the checkout are not sources.
NOT_SOURCES = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis", "out"
)


def run(args: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, f"{args}\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def test_the_installed_wheel_aligns_the_sample_with_the_demo_model(tmp_path: Path) -> None:
    # Nothing of the checkout may leak into the installed program.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1", PIP_NO_CACHE_DIR="1")
    source = tmp_path / "checkout"
    shutil.copytree(REPO, source, ignore=NOT_SOURCES)

    # sdist first, as `python -m build` does: the wheel is built from what the sdist carries.
    dist = tmp_path / "dist"
    hook = (
        "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    )
    sdist_name = run([sys.executable, "-c", hook, dist], source, env).strip().splitlines()[-1]
    with tarfile.open(dist / sdist_name) as sdist:
        names = sdist.getnames()
        assert {f"{sdist_name[:-7]}/resources/{name}" for name in SHIPPED} <= set(names)
        sdist.extractall(tmp_path / "unpacked", filter="data")
    unpacked = tmp_path / "unpacked" / sdist_name[:-7]
    wheels = tmp_path / "wheels"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-w", wheels,
         unpacked], tmp_path, env)  # fmt: skip
    (wheel,) = wheels.glob("aligner_gui-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        packaged = {n.split("/")[-1] for n in archive.namelist() if "/resources/" in n}
    assert packaged == SHIPPED

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], tmp_path, env)
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--no-deps", wheel], tmp_path, env)
    # Only now (so that pip saw a clean environment) lend it this environment's dependencies.
    site = run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
               tmp_path, env).strip()  # fmt: skip
    shared = dict.fromkeys(sysconfig.get_paths()[key] for key in ("purelib", "platlib"))
    (Path(site) / "shared-environment.pth").write_text("\n".join(shared) + "\n", "utf-8")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    where = "import aligner_gui.core.base.resources as r; print(r.resource_path('aligner-gui.svg'))"
    icon = Path(run([python, "-c", where], elsewhere, env).strip())
    installed = Path(site) / "aligner_gui" / "resources"
    assert icon == installed / "aligner-gui.svg"
    # The review queue's ranker is read from the installed copy too.
    ranker = (
        "from aligner_gui.core.corpus import queue_model as q; print(len(q.shipped_ranker().trees))"
    )
    assert int(run([python, "-c", ranker], elsewhere, env)) > 10
    run([venv / "bin" / "aligner-gui", "align", installed / "sample.wav",
         installed / "sample.txt", "--model", "demo", "-o", "out.TextGrid", "-q"],
        elsewhere, env)  # fmt: skip
    grid = read_textgrid(elsewhere / "out.TextGrid")
    assert [tier.name for tier in grid.tiers][:2] == ["words", "phones"]
    words = [iv.label for iv in grid.tier("words").intervals if iv.label]  # type: ignore[union-attr]
    assert words == (REPO / "resources" / "sample.txt").read_text("utf-8").split()
