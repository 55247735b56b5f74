"""Normalisation and value reading on their own."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pipelines.extract.read.lines import source_lines
from pipelines.extract.read.normalize import (
    BLANK,
    NUMBER,
    SIMPLIFIED,
    TRADITIONAL,
    UNREADABLE,
    detect_script,
    label_key,
    read_value,
)


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("（三）不予公開", "不予公开"),
        ("3.危及“三安全一穩定”", "危及三安全一稳定"),
        ("四、政府信息公開行政複議、行政訴訟情況", "政府信息公开行政复议行政诉讼情况"),
        ("\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开区分处理的只计这一情形不计其他情形"),
        ("(二)部分公開(區分處理的,隻計這一情形,不計其他情形)", "部分公开区分处理的只计这一情形不计其他情形"),
        ("行政強製", "行政强制"),  # the common mis-conversion folds to the right label
        ("結果\n\xa0 糾正", "结果纠正"),  # a label wrapped over lines
        ("本年收費金額（單位：萬元）", "本年收费金额单位万元"),
        ("２.重複申請", "重复申请"),  # full-width enumerator
        ("一、本年新收政府信息公开申请数量", "本年新收政府信息公开申请数量"),
    ],
)
def test_label_key(label: str, key: str) -> None:
    assert label_key(label) == key


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("0", NUMBER, 0),
        ("\xa00", NUMBER, 0),
        ("0\xa0", NUMBER, 0),
        ("\xa0\n\n0", NUMBER, 0),  # a cell split over lines
        ("１２", NUMBER, 12),  # full-width digits
        (" 12 ", NUMBER, 12),  # spaces around
        ("1 2", UNREADABLE, None),  # one number or two? never guessed
        ("1\n\n8", UNREADABLE, None),
        ("1,234", NUMBER, 1234),
        ("3.00", NUMBER, 3),
        ("", BLANK, None),
        ("\xa0", BLANK, None),
        ("-", BLANK, None),
        ("—", BLANK, None),
        ("/", BLANK, None),
        ("无", BLANK, None),
        ("O", UNREADABLE, None),
        ("3件", UNREADABLE, None),
        ("1.5", UNREADABLE, None),  # a count cannot have a fraction
        ("-3", UNREADABLE, None),
    ],
)
def test_read_value_counts(text: str, kind: str, value: int | None) -> None:
    got = read_value(text)
    assert (got.kind, got.value) == (kind, value)


def test_read_value_amounts_keep_decimals() -> None:
    assert read_value("12.35", decimal=True).value == Decimal("12.35")
    assert read_value("1,200.5", decimal=True).value == Decimal("1200.5")
    assert read_value("０.５", decimal=True).value == Decimal("0.5")


def test_blank_is_never_zero() -> None:
    for text in ("", "-", "—", "/", "无", "無", "\xa0"):
        assert read_value(text).value is None


def test_detect_script() -> None:
    assert detect_script("杭州市投資促進局2023年度政府信息公開工作年度報告。本年度收到相關依申請公開1件") == TRADITIONAL
    assert detect_script("杭州市投资促进局2023年度政府信息公开工作年度报告。本年度收到相关依申请公开1件") == SIMPLIFIED
    # One variant character in a Simplified report does not make it Traditional.
    assert detect_script("杭州市余杭区商务局" * 20 + "於") == SIMPLIFIED


def test_source_lines_keep_numbering_and_drop_strays() -> None:
    text = "[bookmark: _GoBack]2021年我局\r\n-4-\n\f第 2 页 共 9 页\n\t0\n6"
    lines = source_lines(text)
    assert lines == ["2021年我局", "", "", "\t0", "6"]
