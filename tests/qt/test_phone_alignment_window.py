"""Phones in the window: the dictionary and the language chosen in the Alignment menu reach the
aligner; a tiny IPA phone model then gives words + phones tiers; the words espeak-ng pronounced
(not in the dictionary) are underlined, explained in their tooltip, and listed as dictionary
lines to copy; a letter model's alignment says that it made no phones tier."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QPushButton

from aligner_gui.core.pronunciation.dictionary import parse_dictionary
from aligner_gui.core.pronunciation.g2p import espeak_available
from aligner_gui.qt import dialogs
from aligner_gui.qt.main_window import MainWindow
from aligner_gui.qt.pronunciation_menu import GuessedWordsDialog
from aligner_gui.qt.settings import Settings
from aligner_gui.qt.worker import AlignmentJob

from gui_helpers import aligning_window, view_pixel
from sample_pronunciations import IPA_PHONES
from tiny_models import make_tiny_checkpoint

pytestmark = pytest.mark.gui
REPO = Path(__file__).resolve().parents[2]
SAMPLE_WAV = REPO / "resources" / "sample.wav"
SAMPLE_TXT = REPO / "resources" / "sample.txt"
JOB_TIMEOUT_MS = 60_000
PHONES = IPA_PHONES
# Every word of the sample but "traveller" and "cloak", which espeak-ng must pronounce.
DICTIONARY = """\
the\tDH AH0
north\tN AO1 R TH
wind\tW IH1 N D
and\tAE1 N D
sun\tS AH1 N
were\tW ER1
disputing\tD IH0 S P Y UW1 T IH0 NG
which\tW IH1 CH
was\tW AA1 Z
stronger\tS T R AO1 NG G ER0
when\tW EH1 N
a\tAH0
came\tK EY1 M
along\tAH0 L AO1 NG
wrapped\tR AE1 P T
in\tIH0 N
warm\tW AO1 R M
"""
needs_espeak = pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not installed")


@pytest.fixture(scope="module")
def phone_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiny_checkpoint(tmp_path_factory.mktemp("model") / "phones.pt", PHONES)


@pytest.fixture
def window(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, one_torch_thread):
    monkeypatch.setattr(dialogs, "ask_replace_edited", lambda *a: "replace")
    yield from aligning_window(qtbot, tmp_path, monkeypatch)


def copied_from_guessed_dialog(trigger: Callable[[], None]) -> str:
    """Open the G2P words dialog with ``trigger``, click its Copy button, close it: what the
    clipboard then holds."""
    copied: list[str] = []

    def use_dialog() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, GuessedWordsDialog):
            QTimer.singleShot(10, use_dialog)
            return
        button = next(b for b in dialog.findChildren(QPushButton) if "Copy" in b.text())
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        copied.append(QGuiApplication.clipboard().text())
        dialog.reject()

    QTimer.singleShot(0, use_dialog)
    trigger()
    assert copied, "the dialog did not open"
    return copied[0]


def choose_in_menu(qtbot: Any, menu: QMenu, text: str) -> None:
    """Open ``menu`` and click the entry ``text`` with the mouse."""
    menu.popup(QPoint(100, 100))
    qtbot.waitUntil(menu.isVisible, timeout=2000)
    action = next(a for a in menu.actions() if a.text().replace("&", "") == text)
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(action).center())  # fmt: skip
    qtbot.waitUntil(lambda: not menu.isVisible(), timeout=2000)


def align(qtbot: Any, win: MainWindow) -> None:
    with qtbot.waitSignal(win.controller.finished, timeout=JOB_TIMEOUT_MS):
        assert win.session.open_alignment(SAMPLE_WAV, SAMPLE_TXT)
    qtbot.wait(30)


@needs_espeak
def test_dictionary_and_language_from_the_menu_give_words_phones_and_marked_guesses(
    qtbot: Any, window: MainWindow, phone_model: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    dict_path = tmp_path / "english.dict"
    dict_path.write_text(DICTIONARY, encoding="utf-8")
    window.settings.model_name = str(phone_model)
    menus = window.actions_.pronunciation
    monkeypatch.setattr(dialogs, "ask_open_path", lambda *a: dict_path)
    choose_in_menu(qtbot, menus.dictionary_menu, "Choose dictionary file…")
    choose_in_menu(qtbot, menus.language_menu, "English (eng)")
    assert window.settings.dictionary_path == dict_path and window.settings.language == "eng"
    # Remembered: a new Settings on the same file reads them back.
    window.settings.sync()
    again = Settings.from_file(tmp_path / "settings.ini")
    assert again.dictionary_path == dict_path and again.language == "eng"

    align(qtbot, window)
    job = window.controller.job()
    assert isinstance(job, AlignmentJob)
    assert (job.dictionary, job.language) == (dict_path, "eng")
    doc = window.model.document
    assert doc is not None
    assert doc.tier_names()[:2] == ["words", "phones"] and "chars" not in doc.tier_names()
    assert doc.tier("phones").parent == "words"
    assert [v.tier_name for v in window.stack.tiers.views][:2] == ["words", "phones"]
    assert "2 words pronounced by G2P" in window.statusBar().currentMessage()
    guessed = {g.word: g.phones for g in doc.provenance.guessed}
    assert set(guessed) == {"traveller", "cloak."}
    assert doc.provenance.language == "eng"

    # The guessed words are underlined in the words tier, and their tooltip says why.
    view = window.stack.tiers.view("words")
    words = doc.tier("words").segments
    cloak = next(i for i, s in enumerate(words) if s.label == "cloak.")
    traveller = next(i for i, s in enumerate(words) if s.label == "traveller")
    assert sorted(view.item.notes) == sorted([cloak, traveller])
    window.stack.zoom_to(words[traveller].start - 0.3, words[cloak].end + 0.3)
    qtbot.wait(30)
    view.repaint()
    assert set(view.item.painted_marks) == {cloak, traveller}
    seg = words[cloak]
    QTest.mouseMove(view.viewport(), view_pixel(view, 0.5 * (seg.start + seg.end), 0.5))
    qtbot.waitUntil(lambda: "guessed" in view.item.toolTip(), timeout=2000)
    phones = " ".join(guessed["cloak."])
    assert (f"pronunciation guessed by espeak-ng (English): /{phones}/ — add it to your "
            "dictionary") in view.item.toolTip()  # fmt: skip
    phone_labels = [s.label for s in doc.tier("phones").segments
                    if s.label and seg.start <= s.start < seg.end]  # fmt: skip
    assert phone_labels == list(guessed["cloak."])

    # Listed as dictionary lines, copied with a click, and they read as a dictionary.
    listed = parse_dictionary(copied_from_guessed_dialog(menus.guessed.trigger).splitlines())
    assert sorted(listed.entries) == ["cloak", "traveller"]
    assert listed.lookup("cloak")[0].phones == guessed["cloak."]

    # A guessed word the user relabels is theirs: its mark goes, and comes back with an undo.
    window.model.relabel("words", cloak, "coat.")
    assert sorted(view.item.notes) == [traveller]
    window.model.undo_stack.undo()
    assert sorted(view.item.notes) == sorted([cloak, traveller])


def test_choosing_no_dictionary_and_no_language_forgets_them(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    window.settings.dictionary_path = tmp_path / "old.dict"
    window.settings.language = "deu"
    menus = window.actions_.pronunciation
    choose_in_menu(qtbot, menus.dictionary_menu, "None (G2P pronounces every word)")
    choose_in_menu(qtbot, menus.language_menu, "Not set")
    assert window.settings.dictionary_path is None and window.settings.language is None


def test_a_letter_model_says_it_made_no_phones_tier(
    qtbot: Any, window: MainWindow, tmp_path: Path
) -> None:
    window.settings.model_name = str(make_tiny_checkpoint(tmp_path / "letters.pt"))
    align(qtbot, window)
    doc = window.model.document
    assert doc is not None and "phones" not in doc.tier_names()
    message = window.statusBar().currentMessage()
    assert "The model aligns letters, not phones: there is no phones tier." in message


@needs_espeak
def test_a_bad_dictionary_is_one_line_and_keeps_the_document(
    qtbot: Any, window: MainWindow, phone_model: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    window.settings.model_name = str(phone_model)
    align(qtbot, window)  # G2P for every word: no dictionary chosen
    before = window.model.document
    bad = tmp_path / "bad.dict"
    bad.write_text("the\tDH AH0\ncloak\t1.5\n", encoding="utf-8")
    window.settings.dictionary_path = bad
    errors: list[str] = []
    monkeypatch.setattr(dialogs, "show_error", lambda _parent, message, *a: errors.append(message))
    with qtbot.waitSignal(window.controller.failed, timeout=JOB_TIMEOUT_MS):
        assert window.session.open_alignment(SAMPLE_WAV, SAMPLE_TXT)
    assert len(errors) == 1 and "\n" not in errors[0]
    assert "line 2" in errors[0] and str(bad) in errors[0]
    assert window.model.document is before


@needs_espeak
def test_a_corpus_batch_aligns_with_the_menu_dictionary_and_language(
    qtbot: Any, window: MainWindow, phone_model: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    dict_path = tmp_path / "english.dict"
    lacking = [line for line in DICTIONARY.splitlines() if not line.startswith("cloak\t")]
    dict_path.write_text("\n".join(lacking) + "\n", encoding="utf-8")
    window.settings.model_name = str(phone_model)
    menus = window.actions_.pronunciation
    batch = window.corpus.batch.batch_settings()
    assert (batch.dictionary, batch.language) == (None, None)
    monkeypatch.setattr(dialogs, "ask_open_path", lambda *a: dict_path)
    choose_in_menu(qtbot, menus.dictionary_menu, "Choose dictionary file…")
    choose_in_menu(qtbot, menus.language_menu, "German (deu)")
    batch = window.corpus.batch.batch_settings()
    assert (batch.dictionary, batch.language) == (str(dict_path), "deu")

    # Align all: the dictionary's phones for every file; "cloak" left to G2P, and said so.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("one", "two"):
        shutil.copy(SAMPLE_WAV, corpus / f"{name}.wav")
        shutil.copy(SAMPLE_TXT, corpus / f"{name}.txt")
    with qtbot.waitSignal(window.corpus.opened, timeout=JOB_TIMEOUT_MS):
        assert window.corpus.open_corpus(corpus, tmp_path / "out")
    qtbot.mouseClick(window.corpus.panel.align_all, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.corpus.batch.is_aligning(), timeout=JOB_TIMEOUT_MS)
    assert "Aligned 2 files, 0 failed. 1 word pronounced by G2P: see g2p_words.dict" in (
        window.corpus.panel.current_file.text()
    )
    assert "cloak\t" in (tmp_path / "out" / "g2p_words.dict").read_text(encoding="utf-8")

    # Corpus > Words not in the dictionary: the corpus's G2P words, copied with a click.
    copied = copied_from_guessed_dialog(window.corpus_actions.guessed.trigger)
    assert ";;; said 2 times in 2 files" in copied
    assert sorted(parse_dictionary(copied.splitlines()).entries) == ["cloak"]
