"""Plotly figures (graph_objects: no pandas) rendered as a <div> and a call to the shipped plotly.min.js.

Every chart sits beside an HTML table with the same numbers; the chart is the picture, the table
the record (and what tests compare with SQL).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
STATUS_COLOURS = {"ok": "#2e7d32", "partial": "#f9a825", "rejected": "#c62828"}
_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["sendDataToCloud"]}


def write_plotly_js(path: Path) -> None:
    from plotly.offline import get_plotlyjs

    path.write_text(get_plotlyjs(), encoding="utf-8")


def _layout(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title},
        "font": {"family": FONT, "size": 13},
        "margin": {"l": 60, "r": 20, "t": 50, "b": 60},
        "height": 360,
        "legend": {"orientation": "h", "y": -0.2},
        **extra,
    }


def render(div_id: str, figure: Any) -> str:
    """A chart's HTML: a div and the script that draws it (data as JSON, no network)."""
    spec = figure.to_plotly_json()
    payload = json.dumps({"data": spec.get("data", []), "layout": spec.get("layout", {})}, ensure_ascii=False)
    payload = payload.replace("</", "<\\/")
    return (
        f'<div class="chart" id="{div_id}"></div>\n<script>(function(){{var f={payload};'
        f"Plotly.newPlot({json.dumps(div_id)},f.data,f.layout,{json.dumps(_CONFIG)});}})();</script>"
    )


def stacked_bars(div_id: str, title: str, x: list[Any], series: dict[str, list[Any]], **layout: Any) -> str:
    import plotly.graph_objects as go

    figure = go.Figure(layout=_layout(title, barmode="stack", **layout))
    for name, values in series.items():
        colour = STATUS_COLOURS.get(name)
        figure.add_trace(
            go.Bar(name=name, x=[str(v) for v in x], y=values, marker={"color": colour} if colour else None)
        )
    return render(div_id, figure)


def bars(div_id: str, title: str, labels: list[str], values: list[Any], horizontal: bool = False) -> str:
    import plotly.graph_objects as go

    if horizontal:
        trace = go.Bar(y=labels[::-1], x=values[::-1], orientation="h")
        layout = _layout(title, height=max(300, 24 * len(labels) + 100), margin={"l": 220, "r": 20, "t": 50, "b": 40})
    else:
        trace = go.Bar(x=labels, y=values)
        layout = _layout(title)
    return render(div_id, go.Figure(data=[trace], layout=layout))
