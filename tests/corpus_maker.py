"""Small corpora built on the fly for corpus-mode tests: MFA layout, with the usual mess.

Speech is espeak-ng's when the library is installed, otherwise a synthetic vowel-like signal
(the tiny random models used in tests cannot tell the difference; only the layout matters).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

RATE = 16000

SENTENCES = (
    "the quick brown fox jumps over the lazy dog",
    "she sells sea shells by the sea shore",
    "a stitch in time saves nine",
    "every cloud has a silver lining",
    "the early bird catches the worm",
    "all that glitters is not gold",
    "actions speak louder than words",
    "practice makes perfect in the end",
)


def speech(text: str, seed: int = 0) -> np.ndarray:
    """float32 mono audio of ``text`` at RATE."""
    from aligner_gui.demo import espeak

    if espeak.espeak_available():
        return espeak.synthesize(text, "en-us").samples
    rng = np.random.default_rng(seed)
    seconds = 0.35 * len(text.split()) + 0.4
    t = np.arange(int(seconds * RATE)) / RATE
    tone = np.sin(2 * np.pi * 140 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
    return (0.3 * tone + 0.01 * rng.standard_normal(t.size)).astype(np.float32)


def write_pair(folder: Path, stem: str, text: str, *, ext: str = ".wav", text_ext: str = ".lab",
               seed: int = 0) -> None:  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    sf.write(folder / f"{stem}{ext}", speech(text, seed), RATE)
    (folder / f"{stem}{text_ext}").write_text(text + "\n", encoding="utf-8")


# Expected status of every file of `make_messy_corpus`, as the report lists it.
MESSY_FILES = {
    "alice/a01.wav": ("alice", "aligned"),
    "alice/a02.flac": ("alice", "aligned"),
    "bob/b01.wav": ("bob", "aligned"),
    "bob/zoë ñandú.wav": ("bob", "aligned"),
    "bob/broken.wav": ("bob", "failed"),
    "carol/empty.wav": ("carol", "failed"),
    "carol/c01.wav": ("carol", "aligned"),
}
MESSY_IGNORED = {
    ".DS_Store": "hidden file",
    "bob/._b01.wav": "macOS AppleDouble file (metadata, not a recording)",
    "bob/orphan.wav": "recording without a transcript (.lab, .txt or .TextGrid of the same name)",
    "bob/notes/deep.lab": "in a folder below a speaker folder",
    "bob/notes/deep.wav": "in a folder below a speaker folder",
    "carol/lonely.lab": "transcript without a recording of the same name",
    "readme.md": "not a recording or transcript",
}


def make_messy_corpus(root: Path) -> Path:
    """Speaker folders, a FLAC with a .txt, a non-ASCII name, one corrupt recording, one empty
    transcript, one recording without a transcript, AppleDouble and hidden files, a deeper
    folder, a stray transcript and a stray document."""
    write_pair(root / "alice", "a01", SENTENCES[0])
    write_pair(root / "alice", "a02", SENTENCES[1], ext=".flac", text_ext=".txt", seed=1)
    write_pair(root / "bob", "b01", SENTENCES[2], seed=2)
    write_pair(root / "bob", "zoë ñandú", SENTENCES[3], seed=3)
    (root / "bob" / "broken.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt garbage" * 4)
    (root / "bob" / "broken.lab").write_text(SENTENCES[4] + "\n", encoding="utf-8")
    sf.write(root / "bob" / "orphan.wav", speech(SENTENCES[5], 5), RATE)
    (root / "bob" / "._b01.wav").write_bytes(b"\x00\x05\x16\x07 AppleDouble")
    (root / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (root / "bob" / "notes").mkdir()
    sf.write(root / "bob" / "notes" / "deep.wav", speech(SENTENCES[6], 6), RATE)
    (root / "bob" / "notes" / "deep.lab").write_text(SENTENCES[6], encoding="utf-8")
    write_pair(root / "carol", "c01", SENTENCES[7], seed=7)
    sf.write(root / "carol" / "empty.wav", speech(SENTENCES[0], 8), RATE)
    (root / "carol" / "empty.lab").write_text("  \n", encoding="utf-8")
    (root / "carol" / "lonely.lab").write_text("nobody reads this", encoding="utf-8")
    (root / "readme.md").write_text("a corpus\n", encoding="utf-8")
    return root


def make_flat_corpus(root: Path, count: int, *, sentences: int = 2) -> Path:
    """``count`` recordings of a few sentences each, directly in ``root``."""
    for i in range(count):
        text = " ".join(SENTENCES[(i + k) % len(SENTENCES)] for k in range(sentences))
        write_pair(root, f"utt{i:03d}", text, seed=i)
    return root


def write_long_pair(folder: Path, stem: str, repeats: int) -> Path:
    """One long recording (a sentence said ``repeats`` times, ~3 s each) with its transcript:
    several of the model's 30 s windows, so that progress within the file can be seen."""
    folder.mkdir(parents=True, exist_ok=True)
    once = speech(SENTENCES[0])
    gap = np.zeros(int(0.3 * RATE), np.float32)
    sf.write(folder / f"{stem}.wav", np.concatenate([once, gap] * repeats), RATE)
    (folder / f"{stem}.lab").write_text(" ".join([SENTENCES[0]] * repeats) + "\n", "utf-8")
    return folder / f"{stem}.wav"
