"""A report to send: one self-contained HTML file (no server, no network, no script), built from sections.

Every text — headings, sentences, table cells and headers, code — is escaped (``html.escape``), so a
file's column names and cells stay text; charts are inline SVG drawn by vl-convert (their text is
escaped by Vega's SVG renderer); tables are plain HTML. The file loads nothing: no link, image, font or
script from anywhere, so it opens the same offline, in any browser, years later.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pandas as pd

from .export import chart_svg


@dataclass(frozen=True)
class Section:
    """One heading and its blocks, in order: each a ``(kind, content)`` pair, kind one of ``"text"``
    (a sentence), ``"list"`` (strings), ``"table"`` (a DataFrame), ``"chart"`` (an Altair chart or a
    Vega-Lite spec dict, with its caption: ``(chart, caption)``) or ``"code"`` (``(language, text)``)."""

    heading: str
    blocks: list[tuple[str, object]] = field(default_factory=list)


_STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; max-width: 980px; margin: 2rem auto;
       padding: 0 1rem; color: #1f1f1f; line-height: 1.45; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
  border-bottom: 1px solid #ddd; padding-bottom: .2rem; }
.meta, figcaption { color: #666; font-size: .9rem; }
table { border-collapse: collapse; font-size: .9rem; margin: .6rem 0; }
th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; }
td.number { text-align: right; font-variant-numeric: tabular-nums; }
pre { background: #f5f5f5; padding: .8rem; overflow-x: auto; font-size: .82rem; white-space: pre-wrap; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
"""


def _number(value: object) -> str:
    if isinstance(value, float):
        return "" if pd.isna(value) else f"{value:.6g}"
    return str(value)


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = "".join(f'<td class="number">{html.escape(_number(v))}</td>' if isinstance(v, (int, float))
                        else f"<td>{html.escape(_number(v))}</td>" for v in values)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


#: Charts are drawn this wide (px) in a report: on the page they take the container's width, which a
#: file does not have (vl-convert would fall back to a narrow default).
REPORT_CHART_WIDTH = 760


def _svg(chart) -> str:
    """The chart as inline SVG at the report's width, without its XML declaration."""
    sized = {**chart, "width": REPORT_CHART_WIDTH} if isinstance(chart, dict) else chart.properties(width=REPORT_CHART_WIDTH)
    text = chart_svg(sized).decode("utf-8")
    return text[text.index("<svg"):] if "<svg" in text else text


def _block(kind: str, content: object) -> str:
    if kind == "text":
        return f"<p>{html.escape(str(content))}</p>"
    if kind == "list":
        return "<ul>" + "".join(f"<li>{html.escape(str(item))}</li>" for item in content) + "</ul>"
    if kind == "table":
        return _table(content)
    if kind == "chart":
        chart, caption = content
        return f"<figure>{_svg(chart)}<figcaption>{html.escape(caption)}</figcaption></figure>"
    if kind == "code":
        language, text = content
        return f'<pre><code class="language-{html.escape(language)}">{html.escape(text)}</code></pre>'
    raise ValueError(f"Unknown report block {kind!r}.")


def html_report(title: str, sections: list[Section], generated: datetime | None = None) -> bytes:
    """The sections as one self-contained HTML document (UTF-8 bytes)."""
    when = (generated or datetime.now(timezone.utc)).strftime("%Y-%m-%d %H:%M UTC")
    body = "".join(f"<section><h2>{html.escape(s.heading)}</h2>{''.join(_block(k, c) for k, c in s.blocks)}</section>"
                   for s in sections)
    document = (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
                f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_STYLE}</style></head>'
                f'<body><h1>{html.escape(title)}</h1><p class="meta">Regularization Lab report, generated {when}. '
                "Self-contained: it loads nothing from anywhere.</p>"
                f"{body}</body></html>")
    return document.encode("utf-8")
