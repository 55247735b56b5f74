"""The HTML reader's XSLT pass reads every page exactly as the Python walk does (the walk is the
reference, and still reads the pages the pass cannot): the same text, source lines, findings and
layout, for the seeds, generated pages, odd markup and random tag soup."""

from __future__ import annotations

from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from report_formats import to_html
from samples import RAW, ROOT, SEED_NAMES, golden

from pipelines.extract.read.formats import convert
from pipelines.extract.read.formats import html as reader
from pipelines.generate import all_variants, generate_report
from pipelines.generate.variants import CMS_HTML, CONVERTER_MD, HTML

REAL = ROOT.parent / "shared" / "realworld" / "raw"


def _read(data: bytes) -> list[object]:
    out: list[object] = []
    for read in (reader.html_to_text, reader.html_layout):
        try:
            out.append(read(data))
        except Exception as exc:  # the walk raises on some text; the pass must raise the same
            out.append((type(exc), str(exc)))
    return out


def _walked(data: bytes) -> list[object]:
    needed = reader._walk_needed
    reader._walk_needed = lambda text: True
    try:
        return _read(data)
    finally:
        reader._walk_needed = needed


def _same(data: bytes) -> None:
    fast, walked = _read(data), _walked(data)
    assert fast[0] == walked[0]
    assert fast[1] == walked[1]


ODD = {
    "empty": b"",
    "comment only": b"<!-- x -->",
    "xml declaration": b'<?xml version="1.0" encoding="utf-8"?><html><body><p>x</p></body></html>',
    "nested tables": b"<table><tr><td>a<table><tr><td>b</td><td>c<br>d</td></tr></table>e</td><td>f</td></tr></table>t",
    "a row inside a row": b"<table><tr><td><div>a<tr><td>b</div></td><td>c</td></tr><tr><td>d</td></tr></table>",
    "spans": (
        b"<table><tr><td rowspan=2>a</td><td colspan=3>b</td><td rowspan='x'>c</td></tr>"
        b"<tr><td colspan=0>d</td><td rowspan=99999>e</td><td colspan=' 2 '>f</td></tr></table>"
    ),
    "malformed": b"<p>a<div>b<p>c</td></tr><td>d<tr>e</table></div><b>f<i>g</b>h</i><br/>i<br>j",
    "scripts and styles": (
        b"<html><head><script>var a='<p>x</p>';</script></head><body><style>p{}</style><p>a<script>s</script>b</p>"
        b"<noscript><table><tr><td>n</td></tr></table></noscript>tail<table><tr><td>x<script>y</script>z</td></tr>"
        b"</table></body></html>"
    ),
    "text between blocks": b"<div>first\n  second \n\n third<p>p</p>tail\n more\n<span>s</span></div>",
    "cells of blocks": (
        b"<table><tr><td><p>a</p><p>b</p></td><td><div>c<br>d</div> e </td><td><p>&nbsp;</p></td></tr></table>"
    ),
    "unicode spaces": "<table><tr><td>\u3000x\u3000</td><td>a\xa0\xa0b\u2028c</td><td>\t a \u2003</td></tr>".encode(),
    "tag names": b"<div><dd|div>x</dd|div><o:p>y</o:p><h1|h2>z</h1|h2></div>",
    "character references": b"<p>&#12288;a&#160;b&#x3000;c</p><table><tr><td>&#12288;1&#12288;</td></tr></table>",
    "carriage returns": b"<p>a\rb</p>\r<table>\r<tr>\r<td>c\r\nd</td>\r</tr>\r</table>",
}


@pytest.mark.parametrize("name", list(ODD))
def test_odd_markup_reads_as_the_walk_reads_it(name: str) -> None:
    _same(ODD[name])


@pytest.mark.parametrize("name", SEED_NAMES)
def test_seeds_as_html_read_as_the_walk_reads_them(name: str) -> None:
    text = (RAW / name).read_text(encoding="utf-8")
    for data in (to_html(text, golden(name)), to_html(text, golden(name), charset="gb18030")):
        assert not reader._walk_needed(reader._decode(data)[0])
        _same(data)


def test_generated_pages_read_as_the_walk_reads_them() -> None:
    layouts = {HTML: 0, CMS_HTML: 0, CONVERTER_MD: 0}
    for seed, variant in enumerate(all_variants()):
        if layouts.get(variant.layout, 3) < 3:
            layouts[variant.layout] += 1
            _same(generate_report(variant, seed).data)
    assert set(layouts.values()) == {3}


@pytest.mark.skipif(not REAL.is_dir(), reason="the real set (../shared/realworld) is not here")
def test_real_fragment_reads_as_the_walk_reads_it() -> None:
    for path in sorted(REAL.glob("*.html")):
        _same(path.read_bytes())


def test_pages_the_pass_cannot_read_go_to_the_walk() -> None:
    assert reader._walk_needed("<p>a\x01b</p>")  # lxml refuses it: the walk raises
    assert reader._walk_needed("<p>a&#1;b</p>") and reader._walk_needed("<p>a&#x0B</p>")
    assert reader._walk_needed("<p>\ufdd0</p>") and reader._walk_needed("<p>&#xFDD0;</p>")
    assert reader._walk_needed("<p>a</p>" + "\n" * 65001)  # past 65534 lines libxml2 numbers differently
    assert not reader._walk_needed("<p>&#12288;\t\u3000x\r\n</p>" + "\n" * 60000)
    # the walk's error on text lxml refuses is kept: a finding, as before
    found = convert(b"<html><body><div>a\x01b<p>c</p></div></body></html>").findings
    assert [f.code for f in found] == ["not_text"]
    for data in (b"<div>a\x01b<p>c</p></div>", b"<p>a</p>" + b"\n" * 70000 + b"<table><tr><td>z</td></tr></table>"):
        assert _read(data) == _walked(data)


TOKENS = [
    b"<p>", b"</p>", b"<div>", b"</div>", b"<table>", b"</table>", b"<tr>", b"</tr>", b"<td>", b"</td>", b"<th>",
    b"<br>", b"<td rowspan=2>", b"<td colspan=3>", b"<span>", b"</span>", b"<li>", b"<ul>", b"</ul>", b"<script>",
    b"</script>", b"<!--", b"-->", b"&nbsp;", b"&amp;", b"&#12288;", b" ", b"\n", b"\t", b"\r", "中".encode(), b"12",
    b"<body>", b"</body>", b"<head>", b"<html>", b"<h1>", b"<hr>", b"<o:p>", b"<tbody>", b"<pre>", "\u3000".encode(),
    "\xa0".encode(), b"<noscript>", b"<template>", b"<?x?>", b"<title>", b"<center>", b"<dd>", b"<select>",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=120).map(b"".join))
def test_tag_soup_reads_as_the_walk_reads_it(data: bytes) -> None:
    _same(data)


def test_a_real_looking_page_mutated_reads_as_the_walk_reads_it() -> None:
    page = to_html((RAW / SEED_NAMES[1]).read_text(encoding="utf-8"), golden(SEED_NAMES[1]))
    rng = Random(5)
    for _ in range(60):
        data = bytearray(page)
        for _ in range(rng.randint(1, 10)):
            at = rng.randrange(len(data))
            if rng.random() < 0.6:
                data[at:at] = rng.choice(TOKENS)
            else:
                del data[at : at + rng.randint(1, 300)]
        _same(bytes(data))
