"""Transcripts: reading the text file, and spelling its words in a CTC model's labels.

Normalisation changes as little as possible and reports everything it loses: case is folded to
the model's case, apostrophes unified, punctuation stripped, accents removed only when that lands
on the model's letters; other characters become the model's star token or, without one, are
dropped and reported. A word left with nothing to align stays in the transcript (``aligned=False``)
so it can be interpolated and flagged instead of vanishing.
"""

from __future__ import annotations

import codecs
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from aligner_gui.core.base.charnames import (
    char_name,
    describe_chars,
    is_invisible,
    is_variation_selector,
)
from aligner_gui.core.base.errors import TranscriptError
from aligner_gui.core.base.labels import LabelSet

_APOSTROPHES = frozenset("'\u2019\u2018\u02bc\u00b4\u0060")  # ' ’ ‘ ʼ ´ `
# Longest BOMs first: the UTF-32-LE BOM begins with the UTF-16-LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_MAX_LISTED = 12  # words listed per warning before "and N more"
# Spelling a transcript keeps a few hundred bytes per word (the word, its spelling, its tokens),
# up to ~100x the file on short words; 16 MB (about 3 million words, or 300 hours of speech at
# 150 words a minute) stays near a gigabyte, where a 60 MB file ran out of memory. No single
# recording comes close: a longer file is a mistake (or needs splitting), so it is refused at once.
MAX_TRANSCRIPT_BYTES = 16_000_000

# A word as written -> its pieces, each with the spelling to align instead (None: as written).
# The pronunciation package provides one (numbers as words, other scripts romanised).
Respell = Callable[[str], list[tuple[str, str | None]]]


# slots: a long transcript holds millions of these.
@dataclass(frozen=True, slots=True)
class TranscriptWord:
    original: str  # exactly as written, punctuation kept (e.g. "Don’t,")
    normalized: str  # spelled in the model's labels ("DON'T"); may contain the star; "" if nothing
    token_ids: tuple[int, ...]
    aligned: bool  # False: no alignable tokens; the word will be interpolated and flagged


@dataclass(frozen=True)
class Tokenized:
    words: tuple[TranscriptWord, ...]
    tokens: tuple[int, ...]  # CTC target: words' token_ids joined by the delimiter, if any
    token_word: tuple[int, ...]  # per token: index into words, or -1 for a delimiter
    warnings: tuple[str, ...]  # what was normalised away, starred or left unaligned


def read_transcript(path: str | Path) -> str:
    """The file's text with its lines joined by spaces (one utterance per line is common)."""
    p = Path(path)
    if not p.is_file():
        what = "is a folder, not a text file" if p.is_dir() else "does not exist"
        raise TranscriptError(f"Transcript file {p} {what}.")
    try:
        size = p.stat().st_size
        if size > MAX_TRANSCRIPT_BYTES:
            raise TranscriptError(
                f"Transcript file {p} is {size / 1e6:.1f} MB, more than the "
                f"{MAX_TRANSCRIPT_BYTES / 1e6:.0f} MB a transcript can have (about 300 hours of "
                "speech); split the recording and its transcript into parts."
            )
        data = p.read_bytes()
    except OSError as exc:
        raise TranscriptError(f"Transcript file {p} could not be read: {exc.strerror}.") from exc
    encoding, skip = "utf-8", 0
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, skip = name, len(bom)
            break
    body = data[skip:]
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        line = body[: exc.start].decode(encoding, errors="replace").count("\n") + 1
        label = "UTF-8" if encoding == "utf-8" else encoding.upper()
        raise TranscriptError(
            f"Transcript file {p} is not valid {label}: line {line} contains the byte "
            f"0x{body[exc.start]:02X}, which cannot be decoded (save the file as UTF-8)."
        ) from exc
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise TranscriptError(
            f"Transcript file {p} contains NUL characters from line {line} on; it is probably "
            "UTF-16 without a byte-order mark (save it as UTF-8)."
        )
    joined = " ".join(text.splitlines()).strip()
    if not joined:
        raise TranscriptError(f"Transcript file {p} is empty.")
    return joined


def tokenize(
    text: str,
    labels: LabelSet,
    *,
    source: str | Path | None = None,
    respell: Respell | None = None,
) -> Tokenized:
    """Split ``text`` on whitespace and spell each word in ``labels``; ``source`` names errors.

    ``respell`` may split a word and give each piece another spelling to align (romanised,
    numbers as words); the words keep their original spelling."""
    mapper = _Mapper(labels)
    words: list[TranscriptWord] = []
    for written in text.split():
        for original, spelling in respell(written) if respell else [(written, None)]:
            word = mapper.word(original, spelling)
            if word is not None:
                words.append(word)
    where = "The transcript" if source is None else f"Transcript file {source}"
    if not any(w.aligned for w in words):
        if not text.strip():
            raise TranscriptError(f"{where} is empty.")
        if not words:
            raise TranscriptError(f"{where} has no words, only punctuation.")
        sample = list(mapper.unknown_chars)[:10] or sorted(set(text) - {" "})[:10]
        shown = describe_chars("".join(sample))
        shown = " ".join(sample) if shown == "".join(sample) else shown
        raise TranscriptError(
            f"{where} has no word that can be spelled with the model's labels "
            f"(characters such as {shown} are not among them)."
        )
    tokens: list[int] = []
    token_word: list[int] = []
    delimiter = labels.delimiter_index
    for index, word in enumerate(words):
        if not word.aligned:
            continue
        if tokens and delimiter is not None:
            tokens.append(delimiter)
            token_word.append(-1)
        tokens.extend(word.token_ids)
        token_word.extend([index] * len(word.token_ids))
    return Tokenized(
        words=tuple(words),
        tokens=tuple(tokens),
        token_word=tuple(token_word),
        warnings=mapper.warnings(),
    )


class _Mapper:
    """Maps words to label ids and collects, per kind of loss, the words it affected."""

    def __init__(self, labels: LabelSet) -> None:
        special = {labels.blank, labels.star, labels.delimiter_index}
        # Only single characters take part: multi-character labels ("<unk>") are never spelled.
        self.index = {
            label: i
            for i, label in enumerate(labels.labels)
            if i not in special and len(label) == 1
        }
        letters = [c for c in self.index if c.isalpha() and c.lower() != c.upper()]
        if letters and all(c.isupper() for c in letters):
            self.case = "upper"
        elif letters and all(c.islower() for c in letters):
            self.case = "lower"
        else:
            self.case = "keep"
        self.star = labels.star
        self.names = {i: label for label, i in self.index.items()}
        if labels.star is not None:
            self.names[labels.star] = labels.labels[labels.star]
        self.apostrophe = self.index.get("'")
        # Dicts as ordered sets: membership tests stay O(1) on transcripts of millions of words.
        self.unknown_chars: dict[str, None] = {}
        self.affected: dict[str, dict[str, None]] = {}

    def word(self, original: str, spelling: str | None = None) -> TranscriptWord | None:
        # A respelling's spaces ("nineteen eighty four") are not aligned: one word, one span.
        source = original if spelling is None else "".join(spelling.split())
        text = self._fold(unicodedata.normalize("NFC", source))
        ids: list[int] = []
        kinds: set[str] = set()
        dropped = ""
        hidden: dict[str, None] = {}  # invisible characters removed, to name them
        content = False  # anything besides punctuation and invisible characters
        for cluster in _clusters(text):
            mapped = self._cluster(cluster)
            if mapped is not None:
                content = True
                ids.extend(mapped)
                if self._simplified(cluster, mapped):
                    kinds.add("accents")
                continue
            category = unicodedata.category(cluster[0])
            if category == "Pd":
                kinds.add("hyphens")
            elif category[0] in "PS":
                kinds.add("punctuation")
            elif category[0] in "CZ" or is_variation_selector(cluster[0]):
                kinds.add("invisible")
                hidden.update((c, None) for c in cluster if is_invisible(c))
            else:
                content = True
                self.unknown_chars.update((char, None) for char in cluster)
                if self.star is None:
                    kinds.add("dropped")
                    dropped += cluster
                elif not ids or ids[-1] != self.star:  # a run of unknowns is one star
                    ids.append(self.star)
                    kinds.add("star")
        quoted = f"\u201c{original}\u201d"
        names = f"{quoted} ({', '.join(char_name(c) for c in hidden)})" if hidden else quoted
        if not content:
            if kinds == {"invisible"}:
                self._note("invisible", names)
            else:
                self._note("punctuation-only", quoted)
            return None
        normalized = "".join(self._label(i) for i in ids)
        details = {
            "accents": f"{quoted} \u2192 {normalized}",
            "dropped": f"{quoted} (lost {describe_chars(dropped)})",
            "invisible": names,
        }
        if spelling is not None:
            kinds.discard("accents")
            self._note("respelled", f"{quoted} \u2192 {normalized}")
        for kind in sorted(kinds):
            self._note(kind, details.get(kind, quoted))
        if not ids:
            self._note("unaligned", quoted)
        return TranscriptWord(original, normalized, tuple(ids), aligned=bool(ids))

    def warnings(self) -> tuple[str, ...]:
        messages = {
            "punctuation-only": "Dropped words made only of punctuation (they carry no sound)",
            "respelled": "Spelled for the model's alphabet (numbers as words, other scripts "
            "romanised)",
            "punctuation": "Removed punctuation from",
            "hyphens": "Removed hyphens or dashes inside (each stays one word)",
            "invisible": "Removed invisible formatting characters from",
            "accents": "Removed accents or simplified characters to fit the model's alphabet in",
            "star": "Characters outside the model's alphabet are aligned as the star token in",
            "dropped": "Dropped characters outside the model's alphabet from",
            "unaligned": "Nothing to align in these words; they will be placed by interpolation "
            "and flagged",
        }
        out = []
        for kind, message in messages.items():
            words = self.affected.get(kind)
            if words:
                listed = ", ".join(list(words)[:_MAX_LISTED])
                more = len(words) - _MAX_LISTED
                out.append(f"{message}: {listed}" + (f" and {more} more." if more > 0 else "."))
        return tuple(out)

    def _cluster(self, cluster: str) -> list[int] | None:
        """Label ids for one base character with its combining marks, or None if it has none."""
        if cluster in self.index:
            return [self.index[cluster]]
        if cluster in _APOSTROPHES and self.apostrophe is not None:
            return [self.apostrophe]
        if self.case == "keep":
            for variant in (cluster.lower(), cluster.upper()):
                if variant in self.index:
                    return [self.index[variant]]
        # é -> e, å -> a, ﬁ -> fi: only when every resulting character is a label.
        plain = self._fold(
            "".join(
                c for c in unicodedata.normalize("NFKD", cluster) if not unicodedata.combining(c)
            )
        )
        if plain and plain != cluster and all(c in self.index for c in plain):
            return [self.index[c] for c in plain]
        return None

    def _simplified(self, cluster: str, mapped: list[int]) -> bool:
        spelled = "".join(self._label(i) for i in mapped)
        return cluster not in _APOSTROPHES and spelled.casefold() != cluster.casefold()

    def _fold(self, text: str) -> str:
        if self.case == "upper":
            return text.upper()
        if self.case == "lower":
            return text.casefold()
        return text

    def _label(self, i: int) -> str:
        return self.names[i]

    def _note(self, kind: str, word: str) -> None:
        self.affected.setdefault(kind, {})[word] = None


def _clusters(text: str) -> Iterator[str]:
    """Base characters each with the combining marks that follow them."""
    current = ""
    for char in text:
        if current and unicodedata.combining(char):
            current += char
            continue
        if current:
            yield current
        current = char
    if current:
        yield current
