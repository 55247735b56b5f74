"""Limits on containers (DOCX, PDF, HTML), checked before a library builds anything from them.

The plan refuses a file over 30 MB (`file_too_large`, plan.py), but a container's size says
little about what it unpacks to: a 3.6 MB .docx inflated to 1.5 GB and took the extraction to
23.8 GB (issue 17). So each format is measured first, cheaply and in bounded memory, and a file
beyond a limit is rejected with `file_too_complex`, its message naming the limit and the value
measured. Each value sits far above what real reports measure (given beside it), and low
enough that a file just under every limit is read in a few seconds and a few hundred MB.
"""

from __future__ import annotations

MiB = 2**20

# --- DOCX (a zip): measured from the central directory, before python-docx opens the package ---
# One member, inflated. word/document.xml of a report: 42 KB as python-docx writes the seeds,
# up to a few MB from Word with every run formatted; images are a few MB. python-docx holds the
# whole tree: a 16 MiB document.xml took 2.9 s and 361 MB to read (64 MiB: 14 s and 1.1 GB).
MAX_MEMBER_BYTES = 16 * MiB
# All members, inflated: python-docx loads every part it reaches into memory at once. A report
# with its images stays under the plan's 30 MB file size, its XML parts under a few MB.
MAX_TOTAL_BYTES = 64 * MiB
# Inflated size over compressed size, for members over RATIO_CHECKED_BYTES. A seed's
# document.xml compresses 8×, python-docx's own styles.xml 29×, stylesWithEffects.xml 32×;
# deflate cannot pass about 1,032×, and a bomb is built near that (the issue's: about 420×).
MAX_RATIO = 100
RATIO_CHECKED_BYTES = 1 * MiB  # a small part may compress well and still costs nothing
# Members in the archive: a report has 10-20 (python-docx's seeds: 17) plus its images. Read from
# the end-of-central-directory record before zipfile builds a ZipInfo per member.
MAX_MEMBERS = 1_000
# A zip's declared sizes can lie: zipfile itself stops inflating a member at the size its central
# directory declares (and then fails its CRC check), and word/document.xml is inflated beforehand
# in chunks of this size and counted, so what is inflated is bounded by what was measured above.
READ_CHUNK_BYTES = 1 * MiB

# --- PDF: PDFium (pypdfium2) reads it; these are checked before and while it builds a page ---
# PDFium's own safeguards, used as they are: nested objects are parsed 64 levels deep at most
# (CPDF_SyntaxParser::kParserMaxRecursionDepth), forms drawn in forms 40 levels deep and never
# inside themselves (kMaxFormLevel and its set of forms being parsed), one Flate stream inflates
# to 1 GiB at most (kMaxTotalOutSize), an encrypted file needs its password. None bounds a page's
# size, so the caps below do: a real report is 5-20 pages (huaian-2024.pdf: 8), a few thousand
# characters and a few hundred paths a page.
MAX_PAGES = 300
MAX_PAGE_OBJECTS = 50_000  # page objects on one page, those inside forms included
MAX_PAGE_CHARS = 20_000  # a dense A4 page holds about 5,000; PDFium stops counting at 32,767
# The non-image streams of the whole file, once decompressed: PDFium inflates a page's content
# whole (a 1 MB stream of a 1 GB page took 1.9 GB); a report's streams come to a few MB.
MAX_INFLATED_BYTES = 256 * MiB
MAX_FORM_DEPTH = 8  # forms walked for rulings (PDFium's own limit is 40); reports nest 1-2
# Objects that forms drawn in forms may expand to (see pdf._check_streams): four levels of 30
# uses took 1.7 s and 255 MB in PDFium, four of 100 over 23 GB; a report draws a logo or a seal.
MAX_FORM_EXPANSION = 1_000_000

# --- HTML: lxml's HTMLParser, counted on the text before it builds the tree ---
# Elements (start tags): a report page has about 700 (pingtan-2025.cms.html: 687, with the
# portal's navigation); a million cells took lxml 1.2 s and 380 MB before any reading.
MAX_HTML_ELEMENTS = 200_000
# Table cells (`<td>`, `<th>`): a report's seven tables hold about 300 (pingtan-2025: 279).
MAX_HTML_CELLS = 50_000
# Nesting: libxml2's own limit without huge_tree (lxml's default, kept): deeper elements are not
# built, and the parse stops with a resource error, which is read as this limit (a real page: 9).
MAX_HTML_DEPTH = 256
# One text node or attribute: libxml2's own limit without huge_tree (XML_MAX_TEXT_LENGTH); past it
# the parse stops with a resource error, read as this limit (it left the text empty before).
MAX_HTML_TEXT_NODE_CHARS = 10_000_000
# Characters of the decoded page: a report page is 20-70 KB (pingtan-2025: 65 KB); the plan's
# 30 MB bounds the bytes, this the text lxml and the reading hold (a few times its size).
MAX_HTML_CHARS = 16_000_000


class TooComplex(Exception):
    """A container beyond one of these limits; the message names the limit and the measured value."""


def exceeded(measured: str, name: str) -> TooComplex:
    """`measured` (what was found, with its value) over the limit `name` of this module."""
    value = globals()[name]
    shown = f"{value // MiB} MiB" if name.endswith("_BYTES") else f"{value:,}"
    return TooComplex(f"{measured}, over the {shown} limit (limits.{name})")
