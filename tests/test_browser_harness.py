"""The headless-browser harness (tests/browser.py) can see a page and can fail: it reads the DOM after
scripts ran, and it catches a console error, an uncaught exception, a missing file and an undrawn chart."""

from __future__ import annotations

import struct

import pytest
from browser import open_page, screenshot, to_url


def write(tmp_path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text(f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><body>{body}</body></html>', "utf-8")
    return str(path)


def test_reads_a_number_the_script_wrote(browser, tmp_path):
    page = write(
        tmp_path, "ok.html", '<p id="n">0</p><script>document.getElementById("n").textContent = 6 * 7;</script>'
    )
    r = open_page(page)
    assert int(r.page.locator("#n").inner_text()) == 42
    assert r.problems == []
    assert r.charts == 0


def test_catches_a_console_error(browser, tmp_path):
    r = open_page(write(tmp_path, "err.html", '<script>console.error("数据缺失: 2024"); console.warn("旧")</script>'))
    where = f" ({to_url(tmp_path / 'err.html')}:0)"  # each message names its script's place
    assert r.console_errors == ["数据缺失: 2024" + where]
    assert r.console_warnings == ["旧" + where]
    assert r.page_errors == []
    assert r.problems == ["console error: 数据缺失: 2024" + where, "console warning: 旧" + where]


def test_catches_an_uncaught_exception(browser, tmp_path):
    r = open_page(
        write(tmp_path, "throw.html", "<script>null.length</script><script>throw new RangeError('年份')</script>")
    )
    assert len(r.page_errors) == 2
    assert r.page_errors[0].startswith("TypeError: ")
    assert r.page_errors[1] == "RangeError: 年份"
    assert r.console_errors == []


def test_catches_a_missing_file_and_any_network(browser, tmp_path):
    body = '<script src="missing.js"></script><img src="https://cdn.example.com/x.png">'
    r = open_page(write(tmp_path, "missing.html", body))
    failed = sorted(r.failed_requests)
    assert len(failed) == 2, failed
    assert failed[0].startswith(to_url(tmp_path / "missing.js") + ": net::ERR_FILE_NOT_FOUND")
    assert failed[1].startswith("https://cdn.example.com/x.png: ")


def test_query_reaches_the_page(browser, tmp_path):
    page = write(
        tmp_path,
        "view.html",
        '<p id="id"></p><script>id.textContent = new URLSearchParams(location.search).get("id")</script>',
    )
    assert open_page(page, query={"id": "北京市-2024"}).page.locator("#id").inner_text() == "北京市-2024"
    assert open_page(page + "?id=abc").page.locator("#id").inner_text() == "abc"


def test_waits_for_charts_and_fails_when_one_is_never_drawn(browser, tmp_path):
    # Plotly's markup, drawn late by a timer: open_page waits for the <svg class="main-svg">.
    drawn = """<div class="js-plotly-plot" id="c"></div><script>
      setTimeout(() => { c.innerHTML = '<svg class="main-svg"></svg>' }, 300)</script>"""
    assert open_page(write(tmp_path, "chart.html", drawn)).charts == 1
    never = '<div class="js-plotly-plot"></div><script>throw new Error("Plotly is not defined")</script>'
    with pytest.raises(pytest.fail.Exception, match=r"1 of 1 charts not drawn[\s\S]*Plotly is not defined"):
        open_page(write(tmp_path, "nochart.html", never), timeout_ms=500)


def test_screenshot_renders_chinese(browser, tmp_path):
    page = write(tmp_path, "zh.html", '<h1 style="font-size:48px">政府信息公开工作年度报告</h1>')
    out = tmp_path / "shots" / "zh.png"
    screenshot(page, out)
    png = out.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (1280, 900)
    # With CJK fonts two characters draw as two different glyphs; without, both are the same empty
    # box (tofu) or nothing.
    r = open_page(page)
    glyphs = r.page.evaluate(GLYPHS, ["政", "府"])
    assert all(ink > 50 for ink, _ in glyphs), glyphs
    assert glyphs[0][1] != glyphs[1][1]


# For each character: how many pixels it inks on a canvas and a digest of them.
GLYPHS = """chars => chars.map(ch => {
  const c = document.createElement("canvas"); c.width = c.height = 64;
  const g = c.getContext("2d"); g.font = "48px sans-serif"; g.fillText(ch, 8, 52);
  const a = g.getImageData(0, 0, 64, 64).data; let ink = 0, h = 0;
  for (let i = 3; i < a.length; i += 4) { if (a[i] > 128) ink++; h = (h * 31 + a[i]) >>> 0; }
  return [ink, h];
})"""
