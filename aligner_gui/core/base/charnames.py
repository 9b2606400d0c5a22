"""Naming characters a reader cannot see (U+FE0F, U+200B...) in messages, by their Unicode names."""

from __future__ import annotations

import unicodedata

# Marks, formatting and control characters, unassigned code points and separators other than
# the plain space show nothing (or nothing recognisable) on their own.
_INVISIBLE_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cc", "Co", "Cn", "Cs", "Zs", "Zl", "Zp"})


def is_invisible(char: str) -> bool:
    return char != " " and unicodedata.category(char) in _INVISIBLE_CATEGORIES


def is_variation_selector(char: str) -> bool:
    """Selectors pick a glyph's style (emoji or text, CJK variants); they are never a sound."""
    code = ord(char)
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or 0x180B <= code <= 0x180D


def char_name(char: str) -> str:
    """``"U+FE0F VARIATION SELECTOR-16"``; a control character without a name gets its number."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"


def describe_char(char: str) -> str:
    """The character itself when it can be seen, else its code point and name."""
    return char_name(char) if is_invisible(char) else char


def describe_chars(chars: str) -> str:
    """Characters listed for a message: visible ones as they are, invisible ones named."""
    if not any(is_invisible(c) for c in chars):
        return chars
    return ", ".join(describe_char(c) for c in chars)
