"""OpenCC for the generator, its own: the generator is the parser's independent oracle, so it
converts scripts without borrowing the parser's code."""

from __future__ import annotations

from functools import lru_cache

import opencc


@lru_cache(maxsize=2)
def _converter(config: str) -> opencc.OpenCC:
    """Built on first use: building one costs milliseconds, and nothing heavy runs at import."""
    return opencc.OpenCC(config)


def to_traditional(text: str) -> str:
    """Simplified → Traditional with OpenCC's `s2t`."""
    return _converter("s2t").convert(text)


def to_simplified(text: str) -> str:
    """Traditional → Simplified with OpenCC's `t2s`."""
    return _converter("t2s").convert(text)
