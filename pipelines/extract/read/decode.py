"""Bytes → text. The encoding is detected, never assumed, and recorded.

UTF-8 (with or without BOM) and UTF-16 with a BOM are recognised directly; anything else goes
to charset-normalizer, which tells GB18030/GBK from Big5. Binary files are refused.

A UTF-8 file with a few damaged bytes (a flipped bit, a download cut inside a character) is
read with the damage replaced by U+FFFD and an `encoding_damaged` finding, rather than
rejected whole: a cell the damage falls in reads as unreadable (null, with its own finding),
and the rest of the report is read as written. Few means a handful among thousands of
characters; text in another encoding read as UTF-8 fails on nearly every character instead.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from pipelines.extract.findings import Finding


@dataclass(frozen=True)
class Decoded:
    text: str | None
    encoding: str | None
    findings: tuple[Finding, ...] = ()


_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Control characters (other than tab, newline, carriage return, form feed) mark a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    return len(_CONTROL.findall(sample)) > max(2, len(sample) // 1000)


# Mainland reports not in UTF-8 are GBK/GB18030, Taiwan- and Hong Kong-style ones Big5. A
# strict decode that yields the template's own words is a detection, not a guess: bytes in
# another encoding do not decode into 政府信息公开 by chance. Anything else: charset-normalizer.
_LIKELY = ("gb18030", "big5")
_REPORT_WORDS = re.compile("政府信息公开|政府信息公開|年度报告|年度報告|主动公开|主動公開")


def decode(data: bytes) -> Decoded:
    if not data.strip():
        return Decoded(None, None, (Finding("empty_file", "the file holds no text"),))
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(name), name)
            except UnicodeDecodeError:
                break
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged
    for name in _LIKELY:  # fast: the encodings reports use, kept only if the text reads as one
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        if _REPORT_WORDS.search(text[:20000]):
            return _checked(text, name, (Finding("encoding_detected", f"not UTF-8: decoded as {name} (detected)"),))
    best = from_bytes(data).best()
    if best is None:
        return Decoded(None, None, (Finding("not_text", "no text encoding decodes the file (binary?)"),))
    name = _canonical(best.encoding)
    text = data.decode(name, errors="replace") if name == "gb18030" else str(best)
    return _checked(
        text,
        name,
        (Finding("encoding_detected", f"not UTF-8: decoded as {name} (detected)"),),
    )


# UTF-8 with at most this many invalid sequences, and at most one per this many other non-ASCII
# characters, is damaged UTF-8 (GB18030 or Big5 read as UTF-8 fails on most of its characters).
MAX_DAMAGED_SEQUENCES = 16
MIN_CHARACTERS_PER_DAMAGE = 200


def _damaged_utf8(data: bytes) -> Decoded | None:
    text = data.decode("utf-8", errors="replace")
    damage = text.count("\ufffd")
    others = sum(1 for char in text if ord(char) > 127) - damage
    if damage > MAX_DAMAGED_SEQUENCES or others < damage * MIN_CHARACTERS_PER_DAMAGE:
        return None
    lines = sorted({text.count("\n", 0, at) + 1 for at in _positions(text, "\ufffd")})
    where = ", ".join(map(str, lines[:5])) + (", …" if len(lines) > 5 else "")
    finding = Finding(
        "encoding_damaged",
        f"{damage} byte sequence{'s' if damage != 1 else ''} not valid UTF-8 (damaged?), replaced with U+FFFD "
        f"on line{'s' if len(lines) != 1 else ''} {where}",
        line=lines[0],
    )
    return _checked(text, "utf-8", (finding,))


def _positions(text: str, char: str) -> list[int]:
    found, at = [], text.find(char)
    while at >= 0:
        found.append(at)
        at = text.find(char, at + 1)
    return found


def _canonical(name: str) -> str:
    # GB2312 and GBK are subsets of GB18030: decode with the superset, name it so.
    return "gb18030" if name.lower() in {"gb2312", "gbk", "gb18030", "cp936"} else name.lower()


def _checked(text: str, encoding: str, findings: tuple[Finding, ...] = ()) -> Decoded:
    if _looks_binary(text):
        return Decoded(None, encoding, (Finding("not_text", f"decodes as {encoding} but holds control bytes: binary"),))
    return Decoded(text.lstrip("\ufeff"), encoding, findings)
