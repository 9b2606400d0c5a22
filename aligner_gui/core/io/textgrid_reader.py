"""Reading Praat TextGrids the way Praat does: tokens, Praat's number rules, encodings, errors.

Why not praatio (6.2.2, measured on the shared corpus and on small hand-made edge cases):
- it accepts three files Praat refuses (texio2 ``class = 666 "IntervalTier"``, texio4
  ``tiers? 666.6 <exists>``, texio9 truncated before ``intervals: size``), and its refusals
  carry no line number ("Expected field in Textgrid missing.", a bare IndexError for texio8,
  "could not convert string to float: 'nope0'");
- it refuses valid files: the 1e-7 s overlaps of kbg_*_format (TextgridStateError, even with
  reportingMode="silence"), duplicate tier names (DuplicateTierName), and the minimal-text
  files readtextgrid_comment/short ("could not convert string to float: '<exists>'");
- it silently changes data: it drops the last interval of a short file without a final newline
  (aeneas_sonnet001_short: 14 of 15), strips label whitespace, leaves doubled quotes in point
  marks, drops the minus sign of negative tier xmin and point times and cannot read ``1e-05``.
So this module reads the way Praat's ``abcio.cpp`` does: the text is a stream of free-standing
numbers, "strings" (``""`` is a quote; they may span lines) and <flags>; every other word is
skipped, and ``!`` at the start of a word comments out the rest of the line. Errors carry the line
Praat would report. Deliberate differences: a missing ``<exists>`` before the tier count is
accepted (some old writers omit it); numbers Praat reads as undefined or infinite (``0e``,
``+.5``, ``1/0``), negative counts, counts that are no number at all (``+``, which Praat's strtoll
reads as 0) and an unclosed quote (reported where it opens) are refused.
Intervals are kept in file order, overlaps and gaps included, so a grid round-trips exactly.
Besides the ooTextFile formats (long, short, free) it reads Praat's chronological format.
Each rule below names the Praat function it follows (sys/abcio.cpp, melder/melder_atof.cpp,
fon/TextGrid.cpp).
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from aligner_gui.core.base.errors import TextGridError
from aligner_gui.core.io.textgrid import (
    Interval,
    IntervalTier,
    Point,
    PointTier,
    TextGrid,
    Tier,
    praat_number,
)
from aligner_gui.core.io.textgrid_decode import decode_textgrid

__all__ = ["parse_textgrid", "read_textgrid"]

# Unicode White_Space, which modern Praat uses to end words (older Praat: only space/tab/CR/LF).
_WS = " \t\n\v\f\r\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# What getReal, getInteger, getString and getEnum skip before their token: white space, a "!"
# comment to the end of the line, and any word not starting like a number, a string or a flag.
_SKIP = re.compile(f'(?:[{_WS}]+|![^\n\r]*|[^{_WS}!"<+\\-0-9][^{_WS}]*)*')
_WORD = re.compile(f"[^{_WS}]*")
_IS_WS = re.compile(f"[{_WS}]")
_QUOTED = re.compile(r'"(?:[^"\n]|"")*"?')  # a quoted text, for error messages only
_DECIMAL = re.compile(r"([+-]?[0-9]+(?:\.[0-9]*)?)([eE][+-]?[0-9]+|[eE])?(%)?")
_HEX = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?")
_INTEGER = re.compile(r"[+-]?[0-9]+")
_CHRONOLOGICAL = '"Praat chronological TextGrid text file"'
_MAX_NUMBER_CHARS = 40  # getReal/getInteger refuse longer number words ("Found long text")
_INT32_MAX = 2**31 - 1


def _praat_atof(word: str) -> float | None:
    """Melder_a8tof: the value of a number word, or None where Praat's is undefined.

    findEndOfNumericString accepts ``[+-]digits[.digits][(e|E)[+-]digits][%]`` followed by
    anything; strtod then reads the word itself (so ``0x1.8p1`` is hexadecimal), and a ``%`` right
    after the number multiplies it by 0.01.
    """
    if (hexmatch := _HEX.match(word)) is not None:
        sign, whole, frac, exponent = hexmatch.groups()
        if not whole and not frac:
            return 0.0  # strtod reads just the "0" of "0x"
        try:
            return float.fromhex(f"{sign}0x{whole or '0'}.{frac or ''}p{exponent or '0'}")
        except OverflowError:
            return None
    match = _DECIMAL.match(word)
    if match is None or match.group(2) in ("e", "E"):  # Praat: "2.1E" is not a number
        return None
    value = float(match.group(1) + (match.group(2) or ""))
    # Praat multiplies by 0.01, which differs from dividing by 100 in the last bit (35% etc.).
    return 0.01 * value if match.group(3) else value


def _praat_real(word: str) -> float | None:
    """getReal (behind texgetr64) on one word: Melder_a8tof on each side of a ``/``."""
    numerator, slash, denominator = word.partition("/")
    if not slash:
        value = _praat_atof(word)
    else:
        top, bottom = _praat_atof(numerator), _praat_atof(denominator)
        value = None if top is None or bottom is None or bottom == 0.0 else top / bottom
    # Praat would keep "undefined" or infinite times; we refuse them, since nothing can use them.
    return value if value is not None and math.isfinite(value) else None


def _describe(word: str) -> str:
    first_line = word.split("\n", 1)[0]
    return repr(first_line if len(first_line) <= 40 else first_line[:40] + "…")


class _Scanner:
    """Praat's text reader: each ``expect_*`` skips to the next token and reads it or complains."""

    def __init__(self, text: str, path: str | Path | None) -> None:
        self.text = text
        self.path = path
        self.pos = 0  # next character to read
        self.token_pos = 0  # first character of the token read last

    def line(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def fail(self, pos: int, reason: str) -> TextGridError:
        return TextGridError(self.path, self.line(pos), reason)

    def _next(self, what: str, wanted: str) -> str:
        """Skip to the next token; return its first character."""
        start = _SKIP.match(self.text, self.pos).end()  # type: ignore[union-attr]
        self.token_pos = self.pos = start
        if start >= len(self.text):
            raise self.fail(start, f"the file ends too early: {wanted} for {what} is missing")
        return self.text[start]

    def _word(self) -> str:
        word = _WORD.match(self.text, self.token_pos).group()  # type: ignore[union-attr]
        self.pos = self.token_pos + len(word)
        return word

    def _unexpected(self, first: str, what: str, wanted: str) -> TextGridError:
        if first == '"':
            quoted = _QUOTED.match(self.text, self.token_pos).group()  # type: ignore[union-attr]
            found = f"the text {_describe(quoted)}"
        else:
            found = _describe(_WORD.match(self.text, self.token_pos).group())  # type: ignore[union-attr]
        return self.fail(self.token_pos, f"expected {wanted} for {what} but found {found}")

    def _number_word(self, what: str) -> str:
        """getReal/getInteger's word: ASCII ("Found strange text") and at most 40 characters."""
        word = self._word()
        strange = next((c for c in word[:_MAX_NUMBER_CHARS] if ord(c) > 127), None)
        if strange is not None:
            raise self.fail(
                self.token_pos, f"the number {_describe(word)} for {what} contains {strange!r}"
            )
        if len(word) > _MAX_NUMBER_CHARS:
            raise self.fail(self.token_pos, f"the number for {what} is too long: {_describe(word)}")
        return word

    def expect_real(self, what: str) -> float:
        """getReal (texgetr64)."""
        while True:
            first = self._next(what, "a number")
            if first in '"<':
                raise self._unexpected(first, what, "a number")
            word = self._number_word(what)
            if word != "+":  # Praat skips a lone "+" (it separates complex numbers)
                break
        value = _praat_real(word)
        if value is None:
            raise self.fail(self.token_pos, f"{_describe(word)} is not a valid number for {what}")
        return value

    def expect_count(self, what: str) -> int:
        """getInteger (behind texgeti32/texgetinteger): strtoll of the word, within int32."""
        first = self._next(what, "a whole number")
        if first in '"<':
            raise self._unexpected(first, what, "a whole number")
        return self._count_from_word(self._number_word(what), what)

    def _count_from_word(self, word: str, what: str) -> int:
        match = _INTEGER.match(word)  # like strtoll: "3E" and "3.0" are 3
        if match is None:
            raise self.fail(self.token_pos, f"{_describe(word)} is not a whole number for {what}")
        value = int(match.group())
        if not 0 <= value <= _INT32_MAX:
            raise self.fail(self.token_pos, f"{value} is not a possible count for {what}")
        return value

    def at_end(self) -> bool:
        """Whether only white space, comments and skipped words are left."""
        self.pos = _SKIP.match(self.text, self.pos).end()  # type: ignore[union-attr]
        return self.pos >= len(self.text)

    def expect_tier_number(self, tiers: int, what: str) -> int:
        """A tier number 1..tiers (Praat: texgeti32, then TextGrid_checkSpecifiedTierNumberWithinRange)."""
        first = self._next(what, "a tier number")
        if first in '"<':
            raise self._unexpected(first, what, "a tier number")
        word = self._number_word(what)
        match = _INTEGER.match(word)  # like strtoll: "2.0" is 2
        if match is None:
            raise self.fail(self.token_pos, f"{_describe(word)} is not a tier number for {what}")
        number = int(match.group())
        if not 1 <= number <= tiers:
            raise self.fail(
                self.token_pos, f"there is no tier {number} for {what}: the file has {tiers} tiers"
            )
        return number

    def expect_string(self, what: str) -> str:
        """getString (texgetw16): a doubled quote is one quote; the closing one needs white space."""
        first = self._next(what, "a quoted text")
        if first != '"':
            raise self._unexpected(first, what, "a quoted text")
        text, start = self.text, self.token_pos
        search = start + 1
        while True:
            close = text.find('"', search)
            if close < 0:
                raise self.fail(start, f"the quoted text for {what} that starts here never ends")
            if text.startswith('"', close + 1):  # a doubled quote stands for one quote
                search = close + 2
                continue
            after = text[close + 1 : close + 2]
            if after and not _IS_WS.match(after):
                raise self.fail(
                    close + 1,
                    f"the quoted text for {what} is followed by {after!r}; "
                    'a quote inside a text must be written twice ("")',
                )
            self.pos = close + 2
            return text[start + 1 : close].replace('""', '"')

    def expect_exists(self, what: str) -> bool | int:
        """getEnum (texgetex): ``<exists>`` -> True, ``<absent>`` -> False; a bare tier count
        (some old writers omit the flag) -> the count."""
        first = self._next(what, "<exists>")
        if first == '"':
            raise self._unexpected(first, what, "<exists>")
        if first != "<":
            # A bare tier count is read like any number (getInteger's 40-character limit), so a
            # 5000-digit count gets one line instead of int()'s ValueError.
            word = self._number_word(what)
            if _INTEGER.fullmatch(word) is None:
                raise self._unexpected(first, what, "<exists>")
            return self._count_from_word(word, what)
        word = self._word()
        end = word.find(">")
        flag = word[1:end] if end > 0 else word
        if end < 0 or flag not in ("exists", "absent"):
            raise self.fail(
                self.token_pos, f"expected <exists> for {what} but found {_describe(word)}"
            )
        self.pos = self.token_pos + end + 1
        return flag == "exists"


def read_textgrid(path: str | Path) -> TextGrid:
    """Read a TextGrid file in any of Praat's text formats and encodings."""
    try:
        data = Path(path).read_bytes()
    except OSError as err:
        raise TextGridError(path, None, f"the file cannot be read ({err.strerror})") from err
    return parse_textgrid(decode_textgrid(data, path), path)


def _check_domain(scan: _Scanner, xmin: float, xmax: float, what: str) -> None:
    if xmax < xmin:  # Praat's Function reader refuses exactly this ("Wrong xmin and xmax")
        reason = f"{what} ends ({praat_number(xmax)} s) before it starts ({praat_number(xmin)} s)"
        raise scan.fail(scan.token_pos, reason)


def _parse_header(scan: _Scanner) -> None:
    text = scan.text
    first_line = text.split("\n", 1)[0]
    if not text.strip():
        raise TextGridError(scan.path, None, "the file is empty")
    if "ooTextFile" not in first_line:
        kind = "a binary Praat file" if "ooBinaryFile" in first_line else "not a Praat text file"
        raise scan.fail(0, f"this is {kind} (its first line should mention ooTextFile)")
    scan.pos = len(first_line)
    object_class = scan.expect_string("the object class")
    if object_class.split(" ")[0] != "TextGrid":
        raise scan.fail(scan.token_pos, f"this is a Praat {object_class} file, not a TextGrid")


def _tier_class(scan: _Scanner, number: int) -> str:
    kind = scan.expect_string(f"the class of tier {number}")
    if kind not in ("IntervalTier", "TextTier"):
        raise scan.fail(
            scan.token_pos, f"tier {number} is a {kind!r}; expected IntervalTier or TextTier"
        )
    return kind


def _parse_tier(scan: _Scanner, number: int) -> Tier:
    kind = _tier_class(scan, number)
    name = scan.expect_string(f"the name of tier {number}")
    tier = f"tier {number} ({name!r})"
    xmin = scan.expect_real(f"the start time (xmin) of {tier}")
    xmax = scan.expect_real(f"the end time (xmax) of {tier}")
    _check_domain(scan, xmin, xmax, f"Tier {number} ({name!r})")
    if kind == "TextTier":
        count = scan.expect_count(f"the number of points of {tier}")
        points = []
        for k in range(1, count + 1):
            time = scan.expect_real(f"the time of point {k} of {tier}")
            points.append(Point(time, scan.expect_string(f"the mark of point {k} of {tier}")))
        return PointTier(name, xmin, xmax, tuple(points))
    count = scan.expect_count(f"the number of intervals of {tier}")
    intervals = []
    for k in range(1, count + 1):
        start = scan.expect_real(f"the start time of interval {k} of {tier}")
        end = scan.expect_real(f"the end time of interval {k} of {tier}")
        _check_domain(scan, start, end, f"Interval {k} of {tier}")
        intervals.append(
            Interval(start, end, scan.expect_string(f"the text of interval {k} of {tier}"))
        )
    return IntervalTier(name, xmin, xmax, tuple(intervals))


def _parse_chronological(scan: _Scanner) -> TextGrid:
    """Praat's TextGrid_readFromChronologicalTextFile: the grid's domain, the number of tiers,
    each tier's class, name and domain, then every interval or point as its tier number followed
    by its times and text, ordered by time, until the text ends.

    Praat files each element into its tier's sorted set (dropping one that starts where another
    of the same tier starts); like the other formats, we keep every element in file order.
    """
    scan.expect_string("the file type")
    xmin = scan.expect_real("the TextGrid's start time (xmin)")
    xmax = scan.expect_real("the TextGrid's end time (xmax)")
    _check_domain(scan, xmin, xmax, "The TextGrid")
    count = scan.expect_count("the number of tiers")
    heads: list[tuple[str, str, float, float]] = []
    for number in range(1, count + 1):
        kind = _tier_class(scan, number)
        name = scan.expect_string(f"the name of tier {number}")
        tier = f"tier {number} ({name!r})"
        tier_xmin = scan.expect_real(f"the start time (xmin) of {tier}")
        tier_xmax = scan.expect_real(f"the end time (xmax) of {tier}")
        _check_domain(scan, tier_xmin, tier_xmax, f"Tier {number} ({name!r})")
        heads.append((kind, name, tier_xmin, tier_xmax))
    items: list[list[Interval | Point]] = [[] for _ in heads]
    element = 0
    while not scan.at_end():  # Praat stops at "Early end of text" while seeking a tier number
        element += 1
        number = scan.expect_tier_number(count, f"element {element} (an interval or point)")
        kind, name, _, _ = heads[number - 1]
        tier = f"tier {number} ({name!r})"
        if kind == "TextTier":
            time = scan.expect_real(f"the time of a point of {tier}")
            items[number - 1].append(
                Point(time, scan.expect_string(f"the mark of a point of {tier}"))
            )
            continue
        start = scan.expect_real(f"the start time of an interval of {tier}")
        end = scan.expect_real(f"the end time of an interval of {tier}")
        _check_domain(scan, start, end, f"An interval of {tier}")
        items[number - 1].append(
            Interval(start, end, scan.expect_string(f"the text of an interval of {tier}"))
        )
    tiers: list[Tier] = []
    for (kind, name, tier_xmin, tier_xmax), elements in zip(heads, items, strict=True):
        if kind == "TextTier":
            points = tuple(e for e in elements if isinstance(e, Point))
            tiers.append(PointTier(name, tier_xmin, tier_xmax, points))
        else:
            intervals = tuple(e for e in elements if isinstance(e, Interval))
            tiers.append(IntervalTier(name, tier_xmin, tier_xmax, intervals))
    return TextGrid(xmin, xmax, tuple(tiers))


def parse_textgrid(text: str, path: str | Path | None = None) -> TextGrid:
    """Parse the text of a long, short, free-format or chronological TextGrid (LF line breaks)."""
    scan = _Scanner(text, path)
    # Praat's Data_readFromFile recognises the chronological format by these first 40 characters.
    if text.startswith(_CHRONOLOGICAL):
        return _parse_chronological(scan)
    _parse_header(scan)
    xmin = scan.expect_real("the TextGrid's start time (xmin)")
    xmax = scan.expect_real("the TextGrid's end time (xmax)")
    _check_domain(scan, xmin, xmax, "The TextGrid")
    exists = scan.expect_exists("the TextGrid's tiers")
    if exists is False:
        return TextGrid(xmin, xmax, ())
    count = scan.expect_count("the number of tiers") if exists is True else exists
    tiers = tuple(_parse_tier(scan, number) for number in range(1, count + 1))
    return TextGrid(xmin, xmax, tiers)  # like Praat, ignore whatever follows the last tier
