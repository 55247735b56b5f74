"""MinHash signatures of shingle sets (datasketch), as one matrix: a row per section.

128 permutations from a fixed seed, so signatures computed in different runs (the lake's cache)
are comparable. Shingles are hashed with CRC-32 of their UTF-8 bytes: stable across machines and
Python versions (unlike `hash`), and a fraction of SHA-1's cost (datasketch's default).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
SEED = 20_240_101
SCHEME = "affine32"
# Bump when the normalisation, the shingles or the hashing change: cached signatures are recomputed.
VERSION = "1"


def _hash(shingle: str) -> int:
    return zlib.crc32(shingle.encode("utf-8"))


def signatures(shingle_sets: Sequence[Sequence[str]]) -> np.ndarray:
    """One row of NUM_PERM uint32 hash values per shingle set (an empty set's row is all 2^32 − 1,
    and is never compared: see text.comparable)."""
    out = np.empty((len(shingle_sets), NUM_PERM), dtype=np.uint32)
    kwargs = {"num_perm": NUM_PERM, "seed": SEED, "hashfunc": _hash, "scheme": SCHEME}
    for k, minhash in enumerate(MinHash.generator(shingle_sets, **kwargs)):
        out[k] = minhash.hashvalues
    return out


def similarity(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The MinHash estimate of the Jaccard similarity of row pairs: the share of equal hash
    values (standard error √(J(1−J)/128), at most 0.044)."""
    return (left == right).mean(axis=-1)
