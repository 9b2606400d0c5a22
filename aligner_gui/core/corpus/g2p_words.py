"""``g2p_words.dict``: every word of the corpus that G2P pronounced (not in the dictionary, or no
dictionary given), with the phones it was aligned with, in MFA's dictionary format.

MFA lists a corpus's out-of-vocabulary words so that the linguist can add them to the
dictionary; here the list comes with espeak-ng's pronunciations already in the model's phones,
the most frequent words first, so the usual loop is: review the file, correct the phones that
are wrong, append it to the dictionary (or pass it as the dictionary when there was none), and
align again with ``--dictionary``. A word aligned with two forms (an English function word's
citation and weak forms) has a line for each, as a dictionary lists variants.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from aligner_gui.core.alignment.pipeline import AlignmentResult
from aligner_gui.core.corpus.database import CorpusDatabase
from aligner_gui.core.document.provenance import g2p_word_phones
from aligner_gui.core.io.fileio import atomic_write_text
from aligner_gui.core.pronunciation.dictionary import dictionary_lines, entry_word

G2P_DICTIONARY_NAME = "g2p_words.dict"
# A word as a dictionary writes it, the phones it was aligned with, how often the file says so.
Guessed = tuple[str, tuple[str, ...], int]


def guessed_counts(results: Iterable[AlignmentResult]) -> tuple[Guessed, ...]:
    """How often each G2P word of ``results`` (a file's one alignment, or an interview's
    utterances) was aligned with each of its forms, in order of first appearance."""
    counts = Counter(
        (entry_word(word), phones) for result in results for word, phones in g2p_word_phones(result)
    )
    return tuple((word, phones, n) for (word, phones), n in counts.items())


def write_g2p_dictionary(db: CorpusDatabase, out_dir: Path) -> tuple[Path, int, int] | None:
    """Write ``g2p_words.dict`` from the database (every aligned file, this run's or earlier);
    return its path, how many words and how many times the corpus says them; None, and no
    file left over from an earlier run, when G2P pronounced nothing."""
    path = out_dir / G2P_DICTIONARY_NAME
    rows = db.guessed()
    if not rows:
        path.unlink(missing_ok=True)
        return None
    header = (
        ";;; Words of this corpus pronounced by G2P (espeak-ng), not by a dictionary, with the\n"
        ";;; phones they were aligned with, the most said first. Correct what is wrong, then add\n"
        ";;; the lines to your dictionary (--dictionary, or Alignment > Pronunciation dictionary).\n"
    )
    atomic_write_text(path, header + dictionary_text(rows))
    return path, len({word for word, *_ in rows}), sum(said for _, _, said, _ in rows)


def dictionary_text(rows: Iterable[tuple[str, tuple[str, ...], int, int]]) -> str:
    """``CorpusDatabase.guessed`` rows as MFA dictionary lines, each under a comment saying how
    often the corpus says it."""
    return "".join(
        f";;; said {plural(said, 'time')} in {plural(files, 'file')}\n"
        + dictionary_lines([(word, phones)])
        for word, phones, said, files in rows
    )


def plural(n: int, noun: str) -> str:
    """``n`` with ``noun``, in the plural unless it is 1 ("1 file", "2 files")."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
