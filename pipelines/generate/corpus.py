"""Write a corpus: n reports and, beside each, its ground truth as `<name>.json`.

The only module here that touches the file system. Report i draws its variant and its seed
from (seed, i) alone, so any single report can be regenerated without the others, and the
same (n, seed) writes byte-identical files.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from random import Random

from pipelines.generate.report import Generated, generate_report, truth_json
from pipelines.generate.variants import Variant, sample_variant


def report_seed(seed: int, index: int) -> int:
    """A 63-bit seed for report `index` of corpus `seed` (sha256: stable across machines)."""
    digest = hashlib.sha256(f"disclosure-generate:{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def corpus_entry(seed: int, index: int, real_publishing: bool = False) -> tuple[Variant, Generated]:
    """Report `index` of corpus `seed`: its variant (realistic frequencies, with the
    real-publishing layouts when asked) and the report."""
    rng = Random(report_seed(seed, index))
    variant = sample_variant(rng, real_publishing)
    return variant, generate_report(variant, rng.getrandbits(63))


def generate_corpus(
    n: int, seed: int, out: Path, truth_dir: Path | None = None, real_publishing: bool = False
) -> list[Path]:
    """Write n reports into `out` (truth files beside them, or into `truth_dir`); returns the
    report paths in order. Names are `<index>_<content hash>.<txt|html|md>`. `real_publishing`
    samples the real-publishing layouts too (off by default: the parser that reads them is new,
    and corpora made before keep their bytes)."""
    if n < 0:
        raise ValueError("n must not be negative")
    out.mkdir(parents=True, exist_ok=True)
    truths = truth_dir or out
    truths.mkdir(parents=True, exist_ok=True)
    width = max(3, len(str(max(n - 1, 0))))
    paths: list[Path] = []
    for index in range(n):
        _variant, generated = corpus_entry(seed, index, real_publishing)
        path = out / f"{index:0{width}d}_{generated.name}"
        path.write_bytes(generated.data)
        (truths / f"{path.stem}.json").write_text(truth_json(generated.truth), encoding="utf-8")
        paths.append(path)
    return paths
