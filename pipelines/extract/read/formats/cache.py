"""PDF conversions kept by the hash of the file's bytes, so that reading a PDF is paid once.

A PDF takes ~40 ms to read (pypdfium2 geometry, the lattice, page numbers); everything after it
is as cheap as for text. The lake's manifest already skips files whose bytes did not change, but
a new parser version re-extracts the whole lake, and a file copied under another name is read
again before it is known to be a copy. The reading of a PDF depends only on its bytes and on
the PDF reader, so its result is stored under `<sha256>.json` in a folder named after the
reader's version. JSON, not pickle: the cache is data, and a damaged entry is read as a miss.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from pipelines.extract.findings import Finding
from pipelines.extract.read.formats import PDF, PDF_MAGIC, Converted, convert
from pipelines.extract.read.layout import Line, Piece

# Bump when the PDF reader's output changes: entries of other versions are not read.
PDF_READER_VERSION = "2"  # 2: refusals over a limit are file_too_complex


class ConversionCache:
    """Conversions of PDFs by content hash under `folder` (None: no cache, convert every time)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = None if folder is None else folder / f"pdf-v{PDF_READER_VERSION}"
        self.hits = self.misses = 0

    def convert(self, data: bytes, sha256: str) -> Converted:
        if self.folder is None or not data.startswith(PDF_MAGIC):  # convert() sniffs the rest
            return convert(data)
        path = self.folder / sha256[:2] / f"{sha256}.json"
        cached = _load(path)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        converted = convert(data)
        _store(path, converted)
        return converted


def _load(path: Path) -> Converted | None:
    try:
        entry = json.loads(path.read_bytes())
        return Converted(
            entry["text"],
            PDF,
            entry["encoding"],
            None,
            tuple(Finding(**f) for f in entry["findings"]),
            None if entry["layout"] is None else tuple(_line(line) for line in entry["layout"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or damaged: read the PDF again


def _line(entry: list) -> Line:
    pieces, line, grid, row, page = entry
    return Line(tuple(Piece(*piece) for piece in pieces), line, grid, row, page)


def _store(path: Path, converted: Converted) -> None:
    layout = None
    if converted.layout is not None:
        layout = [
            [[[p.text, p.line, p.col, p.x, p.page] for p in line.pieces], line.line, line.grid, line.row, line.page]
            for line in converted.layout
        ]
    entry = {
        "text": converted.text,
        "encoding": converted.encoding,
        "findings": [
            {"code": f.code, "message": f.message, "line": f.line, "table": f.table, "row": f.row, "column": f.column}
            for f in converted.findings
        ],
        "layout": layout,
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a cache that cannot be written costs time, never a result
