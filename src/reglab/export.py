"""Downloads: spreadsheet-safe CSV and chart images (vl-convert, no browser needed)."""

from __future__ import annotations

import pandas as pd

#: A spreadsheet treats a cell starting with one of these as a formula (CSV injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralize(value: object) -> object:
    """Prefix text that a spreadsheet could run as a formula with ``'`` (numbers are left alone).

    Spreadsheets skip leading spaces and control characters (NUL included) before deciding
    that a cell is a formula, so those are looked through too.
    """
    if not isinstance(value, str):
        return value
    if value[:1].isspace() or (value and ord(value[0]) < 0x20):
        return "'" + value
    if value.lstrip().startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_csv(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads it as UTF-8) whose text cells and headers cannot run as formulas.

    Records end with CRLF (RFC 4180), so the writer quotes any field holding a CR or LF: one
    row of the frame is always one record of the file.
    """
    clean = frame.copy()
    clean.columns = [neutralize(str(c)) for c in clean.columns]
    for column in clean.columns:
        if clean[column].dtype == object or pd.api.types.is_string_dtype(clean[column]):
            clean[column] = clean[column].map(neutralize)
    return clean.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def json_spec(spec: dict) -> dict:
    """A spec dict with any dataset held as Arrow IPC bytes (Streamlit's wire format, see
    ``reglab.ui.explore.wire_spec``) read back into rows, as Vega-Lite JSON needs."""
    datasets = spec.get("datasets")
    if not isinstance(datasets, dict) or not any(isinstance(rows, bytes) for rows in datasets.values()):
        return spec
    import pyarrow as pa

    return {**spec, "datasets": {name: pa.ipc.open_stream(rows).read_all().to_pylist() if isinstance(rows, bytes) else rows
                                 for name, rows in datasets.items()}}


def _spec_json(chart) -> str:
    """Vega-Lite JSON of an Altair chart or of a spec dict."""
    import json

    from .charts import to_spec

    return json.dumps(json_spec(chart) if isinstance(chart, dict) else to_spec(chart))


def chart_png(chart, scale: float = 2.0) -> bytes:
    """PNG of an Altair chart (or Vega-Lite spec dict) through vl-convert."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(_spec_json(chart), scale=scale)


def chart_svg(chart) -> bytes:
    """SVG of an Altair chart (or Vega-Lite spec dict) through vl-convert."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(_spec_json(chart)).encode("utf-8")
