"""The editor's entry point: ``aligner-gui AUDIO [TRANSCRIPT] [--textgrid FILE] ...``, or
``aligner-gui CORPUS_DIR [-o OUT_DIR]`` to open a corpus beside the editor.

The window is shown before anything imports torch: the model is loaded by the worker thread when
an alignment starts, so the editor opens in a fraction of a second.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from aligner_gui import __version__
from aligner_gui.core.base.resources import resource_path

DEVICES = ("auto", "cpu", "cuda")
# Start-up timing for benchmarks/gui_bench.py: with this set to 1, print the seconds from process
# start to the window shown on stdout and quit.
EXIT_AFTER_SHOW = "ALIGNER_GUI_EXIT_AFTER_SHOW"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aligner-gui",
        description="Open the alignment editor; with files, align them (or open a TextGrid) at once. "
        "Subcommands 'align' and 'convert' work without a window (see 'aligner-gui align -h').",
    )
    parser.add_argument("audio", nargs="?", type=Path, help="the recording, or a corpus folder")
    parser.add_argument("transcript", nargs="?", type=Path, help="its transcript (.txt, .lab)")
    parser.add_argument("--textgrid", type=Path, help="open this TextGrid for correction instead")
    parser.add_argument("-o", "--output", type=Path,
                        help="with a corpus folder: where its alignments and state go "
                        "(default: remembered, else CORPUS_DIR_aligned beside it)")  # fmt: skip
    parser.add_argument(
        "--model", help="a bundle name, 'demo', 'demo-letters', or a local checkpoint path"
    )
    parser.add_argument("--device", choices=DEVICES, help="where the model runs (remembered)")
    parser.add_argument("--settings", type=Path, help="keep preferences in this INI file")
    parser.add_argument("-V", "--version", action="version", version=f"aligner-gui {__version__}")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication([sys.argv[0] if sys.argv else "aligner-gui"])
    app.setApplicationName("aligner-gui")
    app.setApplicationVersion(__version__)
    app.setOrganizationName("aligner-gui")
    icon = resource_path("aligner-gui.svg")
    if icon.is_file():
        app.setWindowIcon(QIcon(str(icon)))

    # Imported after QApplication exists: pyqtgraph reads the palette for its defaults.
    from aligner_gui.qt.main_window import MainWindow
    from aligner_gui.qt.settings import Settings
    from aligner_gui.qt.theme import apply_theme_setting

    settings = Settings.from_file(args.settings) if args.settings else Settings()
    if args.model:
        settings.model_name = args.model
    if args.device:
        settings.device = args.device
    apply_theme_setting(settings.theme)
    window = MainWindow(settings)
    window.show()
    timing_only = os.environ.get(EXIT_AFTER_SHOW) == "1"
    named_a_file = start_from_arguments(window, args)
    corpus_only = args.audio is not None and args.audio.is_dir()
    if (corpus_only or not named_a_file) and not timing_only:
        # Work a crashed or killed editor left behind is offered once the window is up.
        QTimer.singleShot(0, window.session.offer_recovery)
    if timing_only:
        QTimer.singleShot(0, lambda: _report_shown(app))  # runs once the shown window is up
    return app.exec()


def _report_shown(app: QApplication) -> None:
    sys.stdout.write(f"window shown {_seconds_since_process_start():.3f} s after start\n")
    sys.stdout.flush()
    app.quit()


def _seconds_since_process_start() -> float:
    try:  # Linux: the process's start in clock ticks after boot, against the uptime
        with open("/proc/self/stat", encoding="ascii") as stat:
            ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as uptime:
            return float(uptime.read().split()[0]) - ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return time.process_time()  # elsewhere, the CPU time so far as a rough stand-in


def start_from_arguments(window, args: argparse.Namespace) -> bool:
    """Align or open what the command line names (errors are shown in the window); False when
    it names nothing."""
    if args.audio is not None and args.audio.is_dir():
        window.corpus.open_corpus(args.audio, args.output)
    elif args.textgrid is not None:
        window.session.open_textgrid(args.textgrid, args.audio)
    elif args.audio is not None and args.transcript is not None:
        window.session.open_alignment(args.audio, args.transcript)
    elif args.audio is not None:
        window.session.open_files([args.audio])
    else:
        return False
    return True
