"""Script and bytes: Simplified → Traditional (with real-world slips), then the encoding.

Reports are composed in Simplified and converted whole with OpenCC `s2t`, as Traditional
reports are produced in practice; `slips` then writes the mis-conversions that naive converters
leave (`行政強製` for 行政強制, `隻計`, `反複`), which readers must still match.
"""

from __future__ import annotations

from pipelines.generate.script import to_traditional
from pipelines.generate.variants import TRADITIONAL

# (correct Traditional, as real reports misprint it). Every slip converts back to the right
# Simplified word with OpenCC `t2s`.
SLIPS: tuple[tuple[str, str], ...] = (
    ("強制", "強製"),
    ("制發", "製發"),
    ("只計", "隻計"),
    ("反覆", "反複"),
    ("方面", "方麵"),
    ("全面", "全麵"),
    ("制度", "製度"),
    ("責任制", "責任製"),
    ("答覆", "答複"),
)

# OpenCC writes the OpenCC-standard forms; Big5 has only the Taiwan forms of these characters,
# which is what a real Big5 report holds. Each maps back to the same Simplified with `t2s`.
BIG5_FORMS: dict[str, str] = {
    "爲": "為", "衆": "眾", "羣": "群", "裏": "裡", "綫": "線", "僞": "偽", "啓": "啟",
    "峯": "峰", "牀": "床", "溼": "濕", "鷄": "雞", "脣": "唇", "綳": "繃",
}  # fmt: skip
_BIG5_TABLE = str.maketrans(BIG5_FORMS)


def to_script(text: str, script: str, slips: bool, encoding: str = "utf-8") -> str:
    """The text in the report's script; for Big5, in the character forms Big5 can hold."""
    if script != TRADITIONAL:
        return text
    converted = to_traditional(text)
    if slips:
        for right, wrong in SLIPS:
            converted = converted.replace(right, wrong)
    return converted.translate(_BIG5_TABLE) if encoding == "big5" else converted


def html_charset(encoding: str) -> str:
    """The charset an HTML page declares for its bytes."""
    return {"utf-8-sig": "utf-8"}.get(encoding, encoding)


def encode(text: str, encoding: str) -> bytes:
    """The report's bytes; `utf-16` and `utf-8-sig` start with a BOM. Strict: an unencodable
    character is a generator bug, never silently replaced."""
    return text.encode(encoding)
