"""Build hook: the installed app carries the demo model, the sample and the icon.

``resources/`` at the top of the repository stays the source of truth: a checkout (and an
editable install) reads it directly. A wheel has no such folder, so ``build_py`` copies the files
the app needs into ``aligner_gui/resources/`` of the build, where
``aligner_gui.core.base.resources.resource_path`` looks first. MANIFEST.in puts ``resources/`` in
the sdist, so a wheel built from the sdist gets them too. Everything else is in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RESOURCES = Path(__file__).resolve().parent / "resources"
# What the installed app opens: `--model demo`, the review queue's ranker, the sample to try it
# on, the window icon.
# (screenshot.png is for the README, sample_words.json for the demo's tests: not shipped.)
SHIPPED = (
    "demo_phones.pt",
    "demo_model.pt",
    "review_queue_trees.json",
    "sample.wav",
    "sample.txt",
    "aligner-gui.svg",
)


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install finds the checkout's resources/ itself
        for source, target in self._resource_files():
            self.mkpath(str(target.parent))
            self.copy_file(str(source), str(target))

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        extra = [] if getattr(self, "editable_mode", False) else self._resource_files()
        return [*super().get_outputs(include_bytecode), *(str(t) for _, t in extra)]

    def _resource_files(self) -> list[tuple[Path, Path]]:
        target = Path(self.build_lib) / "aligner_gui" / "resources"
        return [(RESOURCES / name, target / name) for name in SHIPPED]


setup(cmdclass={"build_py": BuildPyWithResources})
