"""Fuzz the extraction: mutated reports in every format, extracted in a subprocess whose memory is watched.

    python bench/fuzz.py                          # 600 cases, seed 17, a few minutes on 2 cores
    python bench/fuzz.py --cases 2000 --seed 3 --batch 200
    python bench/fuzz.py --kinds zip_inflate pdf_stream_inflate html_nest_div   # only these mutations

Sources: the five seeds (data/raw), the real reports in ../shared/realworld/raw (when present;
read in place, never copied into the project), generated reports with the real-publishing
layouts (pipelines.generate), and HTML, Word and PDF renderings of the seeds and of generated
reports (tests/report_formats.py). Each case takes one source and one mutation drawn from
(--seed, case number) alone: byte flips, truncations, duplicated and deleted regions (every
format); zip members swapped, removed or inflated into a bomb, and a central directory that
lies about sizes (DOCX); a stream's bytes flipped, the xref broken, a FlateDecode stream
inflated into a bomb (PDF); nesting blown up, a million cells, entity tricks (HTML).

The cases are written into a temporary raw folder in batches of --batch, and each batch is
extracted cold by `python -m pipelines.cli extract --full` in a subprocess (its own session,
RLIMIT_AS of --address-limit per process so the machine survives, killed after --timeout or
when the tree's RSS passes --kill-rss). The tree's RSS is sampled from /proc while it runs; the
largest process's peak comes from wait4. The unmutated sources are extracted first the same
way: that run is the reference for the cells and for time and memory.

It asserts, and exits 1 when any fails:
  - no crash: every run exits 0 with no traceback;
  - no run lost: the lake exists and `reports` has a row for every file of the batch;
  - each file accounted for: status ok, partial or rejected, a rejected one with a finding;
  - no silent damage: a mutated file whose report is `ok` with no finding at all has every cell
    as its unmutated source has it (a differing, missing or extra cell is a violation);
  - memory: the tree's peak RSS in every run under --max-rss.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from random import Random

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the renderers of seeds as HTML, Word and PDF

from pipelines.extract.findings import REJECTING  # noqa: E402

REAL_RAW = ROOT.parent / "shared" / "realworld" / "raw"
SEEDS = ROOT / "data" / "raw"
GIB = 1 << 30
MIB = 1 << 20
TEXT, HTML, DOCX, PDF = "text", "html", "docx", "pdf"
EXTENSIONS = {TEXT: "txt", HTML: "html", DOCX: "docx", PDF: "pdf"}
STATUSES = ("ok", "partial", "rejected")


@dataclass(frozen=True)
class Source:
    """An unmutated report: where it came from (seed, real, generated, rendered) and its bytes."""

    name: str
    origin: str
    data: bytes
    format: str


@dataclass
class Case:
    number: int
    source: Source
    kind: str  # the mutation
    data: bytes
    file: str = ""  # its name in the raw folder

    @property
    def format(self) -> str:
        return self.source.format


# ---------------------------------------------------------------- sources


def load_sources(seed: int, generated: int) -> list[Source]:
    """Seeds, real reports, generated reports and their renderings in other formats."""
    from report_formats import to_docx, to_html, to_pdf
    from samples import golden

    from pipelines.extract.read.formats import detect_format
    from pipelines.generate.corpus import corpus_entry

    found: list[tuple[str, str, bytes]] = []
    renderable: list[tuple[str, str, dict]] = []  # (name, text, truth) to render in other formats
    for path in sorted(SEEDS.glob("*.txt")):
        found.append((f"seed-{path.stem}", "seed", path.read_bytes()))
        renderable.append((f"seed-{path.stem}", path.read_text(encoding="utf-8"), golden(path.name)))
    if REAL_RAW.is_dir():
        found += [(f"real-{p.name}", "real", p.read_bytes()) for p in sorted(REAL_RAW.iterdir()) if p.is_file()]
    for index in range(generated):
        _variant, report = corpus_entry(seed, index, real_publishing=True, copy_shares=(0.0, 0.0))
        found.append((f"gen-{index:03d}", "generated", report.data))
        if report.name.endswith(".txt"):
            renderable.append((f"gen-{index:03d}", report.text, report.truth))
    renderers: dict[str, Callable[[str, dict], bytes]] = {
        "html": to_html,
        "docx": to_docx,
        "pdf": to_pdf,
        "ruled-pdf": lambda text, truth: to_pdf(text, truth, ruled=True),
    }
    for name, text, truth in renderable:
        for label, render in renderers.items():
            # a layout whose headings or tables the renderer cannot find is not rendered
            with contextlib.suppress(AssertionError, KeyError, ValueError, IndexError):
                found.append((f"{name}.{label}", "rendered", render(text, truth)))
    return [Source(name, origin, data, detect_format(data)) for name, origin, data in found]


# ---------------------------------------------------------------- mutations of any format


def byte_flip(data: bytes, rng: Random, bomb: int) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        at = rng.randrange(len(out))
        out[at] ^= rng.randrange(1, 256)
    return bytes(out)


def truncate(data: bytes, rng: Random, bomb: int) -> bytes:
    return data[: rng.randrange(0, len(data))]


def _region(data: bytes, rng: Random) -> tuple[int, int]:
    length = rng.randint(1, max(1, len(data) // rng.choice((100, 20, 5))))
    start = rng.randrange(0, max(1, len(data) - length))
    return start, start + length


def duplicate_region(data: bytes, rng: Random, bomb: int) -> bytes:
    start, end = _region(data, rng)
    at = rng.randrange(0, len(data) + 1)
    return data[:at] + data[start:end] * rng.choice((1, 1, 2, 50)) + data[at:]


def delete_region(data: bytes, rng: Random, bomb: int) -> bytes:
    start, end = _region(data, rng)
    return data[:start] + data[end:]


# ---------------------------------------------------------------- DOCX (zip)


def _members(data: bytes) -> list[tuple[zipfile.ZipInfo, bytes]]:
    with zipfile.ZipFile(BytesIO(data)) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def _zip(members: list[tuple[str, bytes]]) -> bytes:
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, body in members:
            archive.writestr(name, body)
    return out.getvalue()


def zip_swap(data: bytes, rng: Random, bomb: int) -> bytes:
    """Two members' contents swapped (word/document.xml one of them, mostly)."""
    members = [(info.filename, body) for info, body in _members(data)]
    names = [name for name, _ in members]
    first = names.index("word/document.xml") if "word/document.xml" in names and rng.random() < 0.7 else None
    a = first if first is not None else rng.randrange(len(names))
    b = rng.choice([i for i in range(len(names)) if i != a])
    members[a], members[b] = (members[a][0], members[b][1]), (members[b][0], members[a][1])
    return _zip(members)


def zip_remove(data: bytes, rng: Random, bomb: int) -> bytes:
    members = [(info.filename, body) for info, body in _members(data)]
    names = [name for name, _ in members]
    gone = "word/document.xml" if rng.random() < 0.4 else rng.choice(names)
    return _zip([(name, body) for name, body in members if name != gone])


_BOMB_UNITS = {  # what word/document.xml is inflated with, repeated
    "runs": b"<w:r><w:t>0</w:t></w:r>",
    "rows": b"<w:tr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>",
    "text": b"0",
}
_bomb_cache: dict[tuple, bytes] = {}  # bombs by source, mode and size: deflating takes seconds


def zip_inflate(data: bytes, rng: Random, bomb: int) -> bytes:
    """word/document.xml rewritten with a huge repeated run, table or text (`bomb` bytes
    inflated, a few hundred KB deflated): a decompression bomb."""
    mode = rng.choice(sorted(_BOMB_UNITS))
    key = (hash(data), mode, bomb)
    if key not in _bomb_cache:
        members = _members(data)
        body = dict((info.filename, raw) for info, raw in members)["word/document.xml"]
        at = body.rfind(b"</w:body>")
        unit = _BOMB_UNITS[mode]
        open_, close = {
            "runs": (b"<w:p>", b"</w:p>"),
            "rows": (b"<w:tbl>", b"</w:tbl>"),
            "text": (b"<w:p><w:r><w:t>", b"</w:t></w:r></w:p>"),
        }[mode]
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        chunk = unit * (MIB // len(unit))
        parts = [body[:at] + open_, *[chunk] * max(1, bomb // len(chunk)), close + body[at:]]
        deflated = b"".join(compressor.compress(part) for part in parts) + compressor.flush()
        size, crc = sum(len(part) for part in parts), 0
        for part in parts:
            crc = zlib.crc32(part, crc)
        _bomb_cache[key] = _zip_with_raw(members, "word/document.xml", deflated, size, crc)
    return _bomb_cache[key]


def _zip_with_raw(
    members: list[tuple[zipfile.ZipInfo, bytes]], name: str, deflated: bytes, size: int, crc: int
) -> bytes:
    """The archive with member `name` replaced by an already-deflated body of `size` bytes and
    checksum `crc` (so a bomb never has to exist inflated in this process): a valid archive."""
    out = BytesIO()
    central = []
    for info, body in members:
        offset = out.tell()
        fname = info.filename.encode()
        if info.filename == name:
            payload, checksum, usize = deflated, crc, size
        else:
            payload, checksum, usize = zlib.compress(body, 9)[2:-4], zlib.crc32(body), len(body)
        dos_date = 33  # 1980-01-01
        sizes = (checksum, len(payload), usize)
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, dos_date, *sizes, len(fname), 0) + fname)
        out.write(payload)
        header = struct.pack(
            "<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, dos_date, *sizes, len(fname), 0, 0, 0, 0, 0, offset
        )
        central.append(header + fname)
    start = out.tell()
    directory = b"".join(central)
    out.write(directory)
    out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), start, 0))
    return out.getvalue()


def zip_lie(data: bytes, rng: Random, bomb: int) -> bytes:
    """The central directory lies about a member (word/document.xml mostly): its uncompressed or
    compressed size, its CRC, or where its local header is."""
    out = bytearray(data)
    end = data.rfind(b"PK\x05\x06")
    count, _size, start = struct.unpack_from("<H2L", data, end + 10)
    entries = []
    at = start
    for _ in range(count):
        name_len, extra_len, comment_len = struct.unpack_from("<3H", data, at + 28)
        entries.append((at, data[at + 46 : at + 46 + name_len]))
        at += 46 + name_len + extra_len + comment_len
    chosen = [e for e in entries if e[1] == b"word/document.xml"]
    at, _ = chosen[0] if chosen and rng.random() < 0.7 else rng.choice(entries)
    field_at, value = rng.choice(
        [
            (24, rng.choice((0, 1, 100, 0xFFFFFFFE))),  # uncompressed size
            (24, bomb),
            (20, rng.choice((0, 1, 0xFFFFFFFE))),  # compressed size
            (16, rng.getrandbits(32)),  # CRC-32
            (42, rng.randrange(0, len(data))),  # local header offset
        ]
    )
    struct.pack_into("<L", out, at + field_at, value)
    return bytes(out)


# ---------------------------------------------------------------- PDF


_STREAM = re.compile(rb"stream\r?\n")


def _streams(data: bytes) -> list[tuple[int, int]]:
    """(start, end) of every stream's bytes."""
    spans = []
    for match in _STREAM.finditer(data):
        if data[max(0, match.start() - 3) : match.start()] == b"end":
            continue
        end = data.find(b"endstream", match.end())
        if end > match.end():
            spans.append((match.end(), end))
    return spans


def pdf_stream_flip(data: bytes, rng: Random, bomb: int) -> bytes:
    spans = _streams(data)
    if not spans:
        return byte_flip(data, rng, bomb)
    start, end = rng.choice(spans)
    out = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        out[rng.randrange(start, max(start + 1, end))] ^= rng.randrange(1, 256)
    return bytes(out)


def pdf_xref_break(data: bytes, rng: Random, bomb: int) -> bytes:
    """startxref pointing elsewhere, the xref table's offsets scrambled, or the table gone."""
    mode = rng.choice(("startxref", "offsets", "gone"))
    if mode == "startxref":
        return re.sub(rb"startxref\s+\d+", b"startxref\n%d" % rng.randrange(0, len(data) * 2), data)
    xref = data.rfind(b"\nxref")
    trailer = data.find(b"trailer", xref)
    if xref < 0 or trailer < 0:
        return truncate(data, rng, bomb)
    if mode == "gone":
        return data[:xref] + data[trailer:]
    table = bytearray(data[xref:trailer])
    for match in list(re.finditer(rb"\d{10}", bytes(table))):
        if rng.random() < 0.5:
            table[match.start() : match.end()] = b"%010d" % rng.randrange(0, 10**10)
    return data[:xref] + bytes(table) + data[trailer:]


_PDF_BOMB_UNITS = {  # a content stream inflated with these, repeated
    "text": b"BT /F1 9 Tf 30 800 Td (12) Tj ET\n",
    "paths": b"30 800 m 300 800 l S\n",
    "spaces": b" " * 64,
}


def pdf_stream_inflate(data: bytes, rng: Random, bomb: int) -> bytes:
    """A page's content stream (or another FlateDecode stream) replaced by a deflate bomb of
    drawing operators, its /Length and the xref's offsets fixed so the file stays well formed."""
    spans = _streams(data)
    if not spans:
        return duplicate_region(data, rng, bomb)
    contents = {int(n) for n in re.findall(rb"/Contents\s+(\d+)\s+0\s+R", data)}
    pages = [
        span for span in spans if _object_number(data, span[0]) in contents and b"/Flate" in _dict_of(data, span[0])
    ]
    flate = [span for span in spans if b"/Flate" in _dict_of(data, span[0])]
    start, end = rng.choice(pages or flate or spans)
    if data[end - 2 : end] == b"\r\n":
        end -= 2
    elif data[end - 1 : end] == b"\n":
        end -= 1
    mode = rng.choice(sorted(_PDF_BOMB_UNITS))
    if (mode, bomb) not in _bomb_cache:
        compressor = zlib.compressobj(9)
        chunk = _PDF_BOMB_UNITS[mode] * (MIB // len(_PDF_BOMB_UNITS[mode]))
        parts = [compressor.compress(chunk) for _ in range(max(1, bomb // len(chunk)))]
        _bomb_cache[(mode, bomb)] = b"".join(parts) + compressor.flush()
    payload = _bomb_cache[(mode, bomb)]
    head = _dict_of(data, start)
    head_start = start - len(head)
    new_head = re.sub(rb"/Length\s+\d+(?!\s+\d+\s+R)", b"/Length %d" % len(payload), head, count=1)
    new_head = re.sub(rb"/Filter\s*(?:\[[^\]]*\]|/\w+)", b"", new_head)  # e.g. [ /ASCII85Decode /FlateDecode ]
    new_head = new_head.replace(b"<<", b"<< /Filter /FlateDecode", 1)
    new_head = re.sub(rb"/DecodeParms\s*<<[^>]*>>", b"", new_head)
    return _replace_span(data, head_start, end, new_head + payload)


def _dict_of(data: bytes, stream_start: int) -> bytes:
    """The bytes from the stream's object header to its `stream` keyword's line end."""
    obj = data.rfind(b" obj", 0, stream_start)
    return data[obj + 4 : stream_start] if obj >= 0 else b""


def _object_number(data: bytes, stream_start: int) -> int | None:
    obj = data.rfind(b" obj", 0, stream_start)
    match = re.search(rb"(\d+)\s+\d+$", data[max(0, obj - 24) : obj])
    return int(match[1]) if match else None


def _replace_span(data: bytes, start: int, end: int, new: bytes) -> bytes:
    """`data` with [start, end) replaced, the classic xref's offsets after it and startxref shifted."""
    delta = len(new) - (end - start)
    out = data[:start] + new + data[end:]

    def shift(match: re.Match[bytes]) -> bytes:
        offset = int(match[1])
        return b"%010d%s" % (offset + delta if offset >= end else offset, match[2])

    xref = out.rfind(b"\nxref")
    trailer = out.find(b"trailer", xref)
    if xref < start or trailer < 0:
        return out
    table = re.sub(rb"(\d{10})( \d{5} n)", shift, out[xref:trailer])
    tail = re.sub(rb"startxref\s+(\d+)", lambda m: b"startxref\n%d" % (int(m[1]) + delta), out[trailer:])
    return out[:xref] + table + tail


# ---------------------------------------------------------------- HTML


def _html_at(data: bytes, rng: Random) -> int:
    """Where to insert markup: inside the first table's first cell, after <body>, or anywhere."""
    for pattern in (rb"<td[^>]*>", rb"<body[^>]*>"):
        match = re.search(pattern, data, re.IGNORECASE)
        if match and rng.random() < 0.7:
            return match.end()
    return rng.randrange(0, len(data) + 1)


def html_nest_div(data: bytes, rng: Random, bomb: int) -> bytes:
    depth = rng.choice((1_000, 10_000, 100_000, 1_000_000))
    at = _html_at(data, rng)
    closed = rng.random() < 0.5  # or left open to the end of the page
    return data[:at] + b"<div>" * depth + (b"</div>" * depth if closed else b"") + data[at:]


def html_nest_table(data: bytes, rng: Random, bomb: int) -> bytes:
    depth = rng.choice((1_000, 10_000, 100_000))
    at = _html_at(data, rng)
    return data[:at] + b"<table><tr><td>1" * depth + b"</td></tr></table>" * depth + data[at:]


def html_million_td(data: bytes, rng: Random, bomb: int) -> bytes:
    """A row of a million cells (or a hundred thousand rows) inside the page's first table."""
    cells = rng.choice((100_000, 1_000_000))
    if rng.random() < 0.5:
        block = b"<tr>" + b"<td>1</td>" * cells + b"</tr>"
    else:
        block = b"<tr><td>1</td><td>2</td></tr>" * (cells // 10)
    match = re.search(rb"<tr[^>]*>", data, re.IGNORECASE)
    at = match.start() if match else _html_at(data, rng)
    return data[:at] + block + data[at:]


_LAUGHS = (
    b'<!DOCTYPE html [<!ENTITY a "1234567890"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
    b'<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
)
_CELL_NUMBER = re.compile(rb"(<td[^>]*>\s*)(\d+)(\s*</td>)", re.IGNORECASE)


def html_entities(data: bytes, rng: Random, bomb: int) -> bytes:
    """Entity tricks: nested entity definitions (billion laughs) used in a cell, digits in cells
    written as numeric entities (the same number), or invalid and unknown entities in cells."""
    mode = rng.choice(("laughs", "numeric", "invalid"))
    if mode == "laughs":
        body = re.sub(rb"<!DOCTYPE[^>]*>", b"", data, count=1, flags=re.IGNORECASE)
        return _LAUGHS + _CELL_NUMBER.sub(lambda m: m[1] + b"&h;" + m[3], body, count=rng.randint(1, 5))
    if mode == "numeric":
        hexa = rng.random() < 0.5
        return _CELL_NUMBER.sub(
            lambda m: m[1] + b"".join((b"&#x%x;" if hexa else b"&#%d;") % c for c in m[2]) + m[3], data
        )
    junk = (b"&#0;", b"&#xD800;", b"&#99999999999;", b"&#x110000;", b"&foo;", b"&nbsp", b"&#65296;", b"&amp;#49;")
    matches = list(_CELL_NUMBER.finditer(data))
    if not matches:
        return data + rng.choice(junk) * 1000
    out = data
    for match in sorted(rng.sample(matches, min(len(matches), rng.randint(1, 10))), key=lambda m: -m.start()):
        digits = match[2]
        cut = rng.randrange(0, len(digits) + 1)
        out = out[: match.start(2)] + digits[:cut] + rng.choice(junk) + digits[cut:] + out[match.end(2) :]
    return out


# ---------------------------------------------------------------- the cases

Mutation = Callable[[bytes, Random, int], bytes]
ANY: dict[str, Mutation] = {
    "byte_flip": byte_flip,
    "truncate": truncate,
    "duplicate_region": duplicate_region,
    "delete_region": delete_region,
}
BY_FORMAT: dict[str, dict[str, Mutation]] = {
    TEXT: {},
    DOCX: {"zip_swap": zip_swap, "zip_remove": zip_remove, "zip_inflate": zip_inflate, "zip_lie": zip_lie},
    PDF: {
        "pdf_stream_flip": pdf_stream_flip,
        "pdf_xref_break": pdf_xref_break,
        "pdf_stream_inflate": pdf_stream_inflate,
    },
    HTML: {
        "html_nest_div": html_nest_div,
        "html_nest_table": html_nest_table,
        "html_million_td": html_million_td,
        "html_entities": html_entities,
    },
}
BOMBS = {"zip_inflate": "docx", "pdf_stream_inflate": "pdf"}  # which --bomb size each takes
# Containers blown up: left out when a crashed run's batch is extracted again
HEAVY = {*BOMBS, "zip_lie", "html_nest_div", "html_nest_table", "html_million_td", "html_entities"}


def make_cases(
    sources: list[Source], n: int, seed: int, bombs: dict[str, int], kinds: list[str] | None = None
) -> list[Case]:
    """Case i from (seed, i) alone: a format, a source of it, a mutation for it, the bytes."""
    by_format: dict[str, list[Source]] = defaultdict(list)
    for source in sources:
        by_format[source.format].append(source)
    formats = sorted(by_format)
    cases = []
    for number in range(n):
        rng = Random(f"fuzz:{seed}:{number}")
        fmt = rng.choice(formats)
        mutations = {**ANY, **BY_FORMAT[fmt]}
        if kinds:
            mutations = {k: v for k, v in mutations.items() if k in kinds}
            if not mutations:
                fmt = rng.choice([f for f in formats if {**ANY, **BY_FORMAT[f]}.keys() & set(kinds)])
                mutations = {k: v for k, v in {**ANY, **BY_FORMAT[fmt]}.items() if k in kinds}
        source = rng.choice(by_format[fmt])
        kind = rng.choice(sorted(mutations))
        bomb = bombs.get(BOMBS.get(kind, ""), 0)
        cases.append(Case(number, source, kind, mutations[kind](source.data, rng, bomb)))
    return cases


# ---------------------------------------------------------------- running the extraction


def _children(pid: int) -> list[int]:
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(child) for child in handle.read().split()]
    except OSError:
        pass
    return found


def tree_rss(root: int) -> int:
    """Resident bytes of `root` and its descendants."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/statm") as handle:
                total += int(handle.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        stack += _children(pid)
    return total


@dataclass
class Run:
    files: int
    seconds: float = 0.0
    returncode: int | None = None
    peak_tree: int = 0  # sampled
    peak_process: int = 0  # wait4's ru_maxrss: the largest single process of the tree
    killed: str = ""  # why the bench killed it (timeout, memory)
    stderr: str = ""
    lake: Path = Path()

    @property
    def crashed(self) -> bool:
        return self.returncode != 0 or "Traceback (most recent call last)" in self.stderr

    def cause(self) -> str:
        if self.killed:
            return self.killed
        if self.returncode is not None and self.returncode < 0:
            return f"killed by signal {signal.Signals(-self.returncode).name}"
        lines = [line for line in self.stderr.strip().splitlines() if line.strip()]
        return f"exit {self.returncode}: " + (lines[-1][:200] if lines else "(no message)")


def run_extract(raw: Path, lake: Path, args: argparse.Namespace) -> Run:
    """`disclosure extract --full` on `raw` in its own session, watched: RSS sampled, killed
    on --timeout or --kill-rss, every process capped at --address-limit of address space."""
    env = {
        **os.environ,
        "DISCLOSURE_RAW_DIR": str(raw),
        "DISCLOSURE_LAKE_DIR": str(lake),
        "DISCLOSURE_DATA_DIR": str(lake.parent),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    limit = int(args.address_limit * GIB)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    run = Run(files=sum(1 for _ in raw.iterdir()), lake=lake)
    errors = lake.parent / f"{lake.name}.stderr"
    started = time.perf_counter()
    with open(errors, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "pipelines.cli", "extract", "--full"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=cap,
            start_new_session=True,
        )
        done = threading.Event()

        def watch() -> None:
            while not done.wait(0.05):
                rss = tree_rss(process.pid)
                run.peak_tree = max(run.peak_tree, rss)
                elapsed = time.perf_counter() - started
                why = ""
                if rss > args.kill_rss * GIB:
                    why = f"killed by the bench: tree RSS {rss / GIB:.1f} GiB over --kill-rss {args.kill_rss} GiB"
                elif elapsed > args.timeout:
                    why = f"killed by the bench: still running after --timeout {args.timeout} s"
                if why and not run.killed:
                    run.killed = why
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(process.pid, signal.SIGKILL)  # the session this bench started

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        watcher.join()
        with contextlib.suppress(ProcessLookupError, PermissionError):  # a worker left behind in its session
            os.killpg(process.pid, signal.SIGKILL)
    run.seconds = time.perf_counter() - started
    run.returncode = process.returncode
    run.peak_process = usage.ru_maxrss * 1024
    run.peak_tree = max(run.peak_tree, run.peak_process)
    run.stderr = errors.read_text(encoding="utf-8", errors="replace")
    return run


# ---------------------------------------------------------------- reading the lake


Cells = dict[tuple[str, str, str], float | None]


@dataclass
class Outcome:
    """What the lake says about each file of a run."""

    status: dict[str, str] = field(default_factory=dict)  # file -> status
    findings: dict[str, list[str]] = field(default_factory=dict)  # file -> codes
    cells: dict[str, Cells] = field(default_factory=dict)


def read_outcome(lake: Path) -> Outcome | None:
    from pipelines.extract.lake import read_table

    if not (lake / "reports").exists():
        return None
    reports = read_table(lake, "reports")
    by_id = dict(zip(reports["report_id"].to_list(), reports["source_path"].to_list(), strict=True))
    outcome = Outcome(status=dict(zip(reports["source_path"].to_list(), reports["status"].to_list(), strict=True)))
    outcome.findings = {path: [] for path in outcome.status}
    outcome.cells = {path: {} for path in outcome.status}
    for report_id, code in read_table(lake, "report_findings").select("report_id", "code").iter_rows():
        outcome.findings[by_id[report_id]].append(code)
    cells = read_table(lake, "report_cells").select("report_id", "table_key", "row_key", "column_key", "value")
    for report_id, table, row, column, value in cells.iter_rows():
        outcome.cells[by_id[report_id]][(table, row, column)] = value
    return outcome


def cell_differences(original: Cells, mutated: Cells) -> list[str]:
    """Cells of the mutated report that are not as its source has them (changed, missing, extra)."""
    out = []
    for key in sorted(set(original) | set(mutated), key=str):
        before, after = original.get(key, "absent"), mutated.get(key, "absent")
        if before != after and not (before is None and after is None):
            out.append(f"{'/'.join(map(str, key))}: {before} -> {after}")
    return out


# ---------------------------------------------------------------- the bench


def _write(folder: Path, cases: list[Case]) -> None:
    folder.mkdir(parents=True)
    for case in cases:
        case.file = f"{case.number:05d}_{case.kind}.{EXTENSIONS[case.format]}"
        (folder / case.file).write_bytes(case.data)


def _gib(value: int) -> str:
    return f"{value / GIB:.2f} GiB"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=600)
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--batch", type=int, default=100, help="cases per extraction run")
    parser.add_argument("--generated", type=int, default=12, help="generated reports among the sources")
    parser.add_argument("--kinds", nargs="*", default=None, help="only these mutations")
    parser.add_argument("--docx-bomb-mb", type=int, default=256, help="word/document.xml inflated to this size")
    parser.add_argument("--pdf-bomb-mb", type=int, default=16, help="a PDF content stream inflated to this size")
    parser.add_argument("--max-rss", type=float, default=2.0, help="GiB: the bound on a run's process tree")
    parser.add_argument("--address-limit", type=float, default=6.0, help="GiB: RLIMIT_AS of each process run")
    parser.add_argument("--kill-rss", type=float, default=8.0, help="GiB: the tree is killed past this")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds a run may take")
    parser.add_argument("--examples", type=int, default=10, help="violations and crashes listed")
    parser.add_argument(
        "--no-rerun", dest="rerun", action="store_false", help="no second run of a crashed batch without its bombs"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep the raw folders and lakes here")
    args = parser.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # each run's line as it finishes, even into a file

    clock = time.perf_counter()
    sources = load_sources(args.seed, args.generated)
    bombs = {"docx": args.docx_bomb_mb * MIB, "pdf": args.pdf_bomb_mb * MIB}
    cases = make_cases(sources, args.cases, args.seed, bombs, args.kinds)
    prepared = time.perf_counter() - clock
    origins = Counter(source.origin for source in sources)
    print(
        f"fuzz: {len(cases)} cases from {len(sources)} sources ("
        + ", ".join(f"{n} {origin}" for origin, n in sorted(origins.items()))
        + f"; by format {dict(sorted(Counter(s.format for s in sources).items()))}), seed {args.seed}, "
        f"runs of {args.batch} files; prepared in {prepared:.1f} s"
    )
    if not REAL_RAW.is_dir():
        print(f"(no real reports: {REAL_RAW} is absent)")

    work = args.keep or Path(tempfile.mkdtemp(prefix="disclosure-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return _bench(args, sources, cases, work, clock)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def _bench(args: argparse.Namespace, sources: list[Source], cases: list[Case], work: Path, clock: float) -> int:
    # the reference: the unmutated sources, extracted the same way
    reference_raw = work / "raw-reference"
    reference_raw.mkdir()
    names = {}
    for k, source in enumerate(sources):
        names[source.name] = f"{k:03d}_{re.sub(r'[^0-9A-Za-z.-]', '_', source.name)}.{EXTENSIONS[source.format]}"
        (reference_raw / names[source.name]).write_bytes(source.data)
    reference = run_extract(reference_raw, work / "lake-reference", args)
    original = read_outcome(work / "lake-reference") if not reference.crashed else None
    print(
        f"reference run (the {len(sources)} sources unmutated): {reference.seconds:.1f} s, peak RSS tree "
        f"{_gib(reference.peak_tree)}, largest process {_gib(reference.peak_process)}"
        + (f"; CRASHED: {reference.cause()}" if reference.crashed else "")
    )
    if original is not None:
        print(f"  sources by status: {dict(sorted(Counter(original.status.values()).items()))}")

    runs: list[tuple[Run, list[Case]]] = []
    outcomes: dict[int, str] = {}  # case -> ok/partial/rejected/lost/unaccounted
    violations: list[tuple[Case, list[str]]] = []
    unaccounted: list[tuple[Case, str]] = []
    silent_info = 0  # differing cells with info findings only (not asserted)
    reruns: list[Run] = []
    recovered = 0  # files of a crashed run recorded by its re-run
    rejections: Counter[str] = Counter()
    for start in range(0, len(cases), args.batch):
        batch = cases[start : start + args.batch]
        raw = work / f"raw-{start:05d}"
        _write(raw, batch)
        run = run_extract(raw, work / f"lake-{start:05d}", args)
        runs.append((run, batch))
        outcome = None if run.crashed else read_outcome(run.lake)
        rerun = None
        if outcome is None and args.rerun:
            # the batch again without its containers blown up, so the other files' cells are still checked
            for case in batch:
                if case.kind in HEAVY:
                    (raw / case.file).unlink()
            rerun = run_extract(raw, work / f"lake-{start:05d}-rerun", args)
            reruns.append(rerun)
            outcome = None if rerun.crashed else read_outcome(rerun.lake)
        for case in batch:
            status = outcome.status.get(case.file) if outcome else None
            if outcome is None or status is None:
                outcomes[case.number] = "lost"
                continue
            if run.crashed:
                recovered += 1
            codes = outcome.findings[case.file]
            if status not in STATUSES or (status == "rejected" and not codes):
                outcomes[case.number] = "unaccounted"
                unaccounted.append((case, f"status {status}, findings {codes}"))
                continue
            outcomes[case.number] = status
            if status == "rejected":
                rejections.update(code for code in codes if code in REJECTING)
            if original is None or status != "ok":
                continue
            diffs = cell_differences(original.cells.get(names[case.source.name], {}), outcome.cells[case.file])
            if diffs and not codes:
                violations.append((case, diffs))
            elif diffs:
                silent_info += 1
        print(
            f"  run {len(runs)}: {len(batch)} files, {run.seconds:.1f} s, peak RSS tree {_gib(run.peak_tree)}"
            + (f", CRASHED ({run.cause()}), every file lost" if run.crashed else "")
        )
        if rerun is not None:
            lost = sum(outcomes[c.number] == "lost" for c in batch)
            heavy = sum(c.kind in HEAVY for c in batch)
            print(
                f"    re-run without its {heavy} blown-up containers: {rerun.files} files, {rerun.seconds:.1f} s, "
                f"peak RSS tree {_gib(rerun.peak_tree)}"
                + (f", CRASHED ({rerun.cause()})" if rerun.crashed else "")
                + f"; {lost} files still without a row"
            )
        if args.keep is None:
            shutil.rmtree(raw, ignore_errors=True)
            for lake in work.glob(f"lake-{start:05d}*"):
                shutil.rmtree(lake, ignore_errors=True)
    lost_in_crashes = sum(len(batch) for run, batch in runs if run.crashed)
    return _report(
        args,
        cases,
        reference,
        runs,
        reruns,
        outcomes,
        violations,
        unaccounted,
        silent_info,
        lost_in_crashes,
        recovered,
        rejections,
        clock,
    )


def _report(
    args: argparse.Namespace,
    cases: list[Case],
    reference: Run,
    runs: list[tuple[Run, list[Case]]],
    reruns: list[Run],
    outcomes: dict[int, str],
    violations: list[tuple[Case, list[str]]],
    unaccounted: list[tuple[Case, str]],
    silent_info: int,
    lost_in_crashes: int,
    recovered: int,
    rejections: Counter[str],
    clock: float,
) -> int:
    columns = ("ok", "partial", "rejected", "lost", "unaccounted")
    table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for case in cases:
        table[(case.format, case.kind)][outcomes[case.number]] += 1
    print(f"\n{'format':<6} {'mutation':<20} {'cases':>6} " + " ".join(f"{c:>11}" for c in columns))
    for (fmt, kind), counts in sorted(table.items()):
        print(f"{fmt:<6} {kind:<20} {sum(counts.values()):6d} " + " ".join(f"{counts[c]:11d}" for c in columns))
    totals = Counter(outcomes.values())
    print(f"{'all':<27} {len(cases):6d} " + " ".join(f"{totals[c]:11d}" for c in columns))

    all_runs = [reference] + [run for run, _ in runs] + reruns
    crashed = [(run, batch) for run, batch in runs if run.crashed]
    peak_tree = max(run.peak_tree for run in all_runs)
    peak_process = max(run.peak_process for run in all_runs)
    over = [run for run in all_runs if run.peak_tree > args.max_rss * GIB]
    print(
        f"\ncrashes: {len(crashed) + reference.crashed} of {len(all_runs)} runs (the reference, {len(runs)} batches, "
        f"{len(reruns)} re-runs without blown-up containers; a re-run's crash counts too)"
    )
    for run, batch in crashed[: args.examples]:
        heavy = Counter(case.kind for case in batch if case.kind in HEAVY)
        print(f"  {run.cause()} [{run.files} files; blown-up containers among them: {dict(sorted(heavy.items()))}]")
    lost_alone = sum(outcomes[c.number] == "lost" for run, batch in runs if not run.crashed for c in batch)
    print(
        f"lost files: {lost_in_crashes + lost_alone} (no row in `reports` after their run): {lost_alone} in runs that "
        f"finished, {lost_in_crashes} in crashed runs, of which {recovered} recorded by {len(reruns)} re-runs "
        "without the blown-up containers (the table's statuses)"
    )
    print(
        f"unaccounted files: {len(unaccounted)} (a status outside ok/partial/rejected, or rejected without a finding)"
    )
    for case, why in unaccounted[: args.examples]:
        print(f"  {case.file} ({case.source.name}): {why}")
    print(
        f"violations: {len(violations)} reports `ok` with no finding whose cells differ from their source's "
        f"({sum(len(d) for _, d in violations)} cells); {silent_info} more with info findings only (not counted)"
    )
    for case, diffs in violations[: args.examples]:
        print(f"  {case.file} from {case.source.name}: {len(diffs)} cells, e.g. " + "; ".join(diffs[:3]))
    print(
        f"peak RSS: process tree {_gib(peak_tree)} (sampled every 50 ms), largest process {_gib(peak_process)} "
        f"(wait4); bound --max-rss {args.max_rss} GiB: {len(over)} runs over"
    )
    seconds = time.perf_counter() - clock
    extracting = sum(run.seconds for run in all_runs)
    print(f"time: {seconds:.0f} s ({extracting:.0f} s in extraction runs)")
    if rejections:
        print("rejected files by finding: " + ", ".join(f"{c} {n}" for c, n in rejections.most_common()))
    failed = [
        name
        for name, bad in (
            ("crashes", crashed or reference.crashed or any(run.crashed for run in reruns)),
            ("lost files", lost_in_crashes or lost_alone),
            ("unaccounted files", unaccounted),
            ("violations", violations),
            ("memory", over),
        )
        if bad
    ]
    print("FAIL: " + ", ".join(failed) if failed else "PASS: no crash, no file lost, no silent damage, memory bounded")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
