"""Reading the tables people actually have: messy CSV/TSV/TXT, Excel (.xlsx) and Parquet.

What is detected, and by what:

* encoding — byte-order marks first (UTF-8, UTF-16), then strict UTF-8, then
  charset-normalizer; among equally plausible single-byte code pages the tie goes to
  cp1252 (the WHATWG fallback: short Western-European files score cp1250/cp1252 alike);
* delimiter and quote character — clevercsv's detector on a sample of the text;
* decimal comma and thousands separators — from the cells themselves (see
  :func:`_to_number`), decided once per file so one column cannot read ``1,5`` as 1.5
  while another reads it as 15;
* header problems — blank and duplicate names are renamed visibly, never merged.

Every file ends as a DataFrame (numbers as float64, text as ``object``) or as a
:class:`~reglab.DataError` whose message names the problem and the fix.  Every decision
made along the way is recorded in :attr:`Loaded.notes`, shown to the user.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Union

import numpy as np
import pandas as pd

from .errors import DataError

#: Largest file accepted, in megabytes; `.streamlit/config.toml` sets the same upload limit.
MAX_UPLOAD_MB = 50
TEXT_EXTENSIONS = {".csv", ".tsv", ".txt", ".dat", ".tab", ""}
DELIMITERS = [",", ";", "\t", "|"]
#: Separator used for one-column files (ASCII unit separator: never in real text).
SINGLE_COLUMN = "\x1f"
#: Cells read as "missing" (case-insensitive, after trimming spaces).
NA_TOKENS = {"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a", "#na", "missing", ".", "--"}
_SAMPLE_CHARS = 64_000

Source = Union[str, os.PathLike, bytes, bytearray, BinaryIO]

_PLAIN = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity)", re.IGNORECASE)
_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d+(?:[eE][+-]?\d+)?")
_THOUSANDS_COMMA = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_THOUSANDS_DOT = re.compile(r"[+-]?\d{1,3}(?:\.\d{3})+(?:,\d+)?")
_THOUSANDS_SPACE = re.compile(r"[+-]?\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?:[.,]\d+)?")


@dataclass(frozen=True)
class Loaded:
    """A table read from a file, with what was detected and done."""

    frame: pd.DataFrame
    file_type: str
    encoding: str | None
    delimiter: str | None
    decimal: str
    notes: tuple[str, ...]


def _read_bytes(source: Source, max_mb: float) -> tuple[bytes, str | None]:
    limit = int(max_mb * 1024 * 1024)
    name: str | None = None
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        name = path.name
        if not path.is_file():
            raise DataError(f"There is no file at {str(path)!r}.")
        if path.stat().st_size > limit:
            raise DataError(_too_large(path.stat().st_size, max_mb))
        data = path.read_bytes()
    elif hasattr(source, "read"):
        name = getattr(source, "name", None)
        data = source.read(limit + 1)
        if isinstance(data, str):
            data = data.encode("utf-8")
    else:
        raise DataError(f"Cannot read a table from a {type(source).__name__}; give a path, bytes or an open file.")
    if len(data) > limit:
        raise DataError(_too_large(len(data), max_mb))
    return data, (os.path.basename(str(name)) if name else None)


def _too_large(size: int, max_mb: float) -> str:
    return (
        f"The file is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB limit. "
        "Upload a sample of the rows, or drop columns you do not need."
    )


def _decode(data: bytes) -> tuple[str, str]:
    """Text and the encoding used; raises DataError for binary data."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 with BOM"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            raise DataError("The file starts like UTF-16 text but cannot be decoded as UTF-16. Re-save it as UTF-8 CSV.") from None
    head = data[:4096]
    # UTF-16 without a BOM: every other byte of ASCII text is NUL.
    if len(head) >= 4 and head.count(b"\x00") * 2 >= len(head) * 0.8:
        for enc, zeros in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
            if zeros.count(0) >= len(zeros) * 0.9:
                try:
                    return data.decode(enc), "UTF-16"
                except UnicodeDecodeError:
                    break
    if b"\x00" in head:
        raise _binary_error()
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    non_ascii = sum(1 for b in data[:200_000] if b >= 0x80)
    if non_ascii < 16:
        # Too few non-ASCII bytes for any statistical detector to tell code pages apart:
        # take the WHATWG default for legacy Western text.
        for fallback, label in (("cp1252", "Windows-1252 (Latin-1)"), ("latin_1", "Latin-1")):
            try:
                return data.decode(fallback), label
            except UnicodeDecodeError:
                continue
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(data[:200_000]))
    if not matches:
        raise _binary_error()
    from charset_normalizer.md import mess_ratio

    best = matches[0]
    encoding, text = best.encoding, str(best)
    # charset-normalizer collapses code pages that decode a sample identically and may keep
    # cp1250 for Western text; prefer cp1252 whenever it reads the bytes just as cleanly.
    if encoding != "cp1252":
        for candidate in ("cp1252", "latin_1"):  # latin_1 decodes the 5 bytes cp1252 leaves undefined
            try:
                western = data.decode(candidate)
            except UnicodeDecodeError:
                continue
            if mess_ratio(western[:200_000]) <= best.chaos + 0.01:
                encoding, text = candidate, western
            break
    else:
        text = data.decode(encoding)
    if _control_share(text) > 0.01:
        raise _binary_error()
    label = {"cp1252": "Windows-1252 (Latin-1)", "latin_1": "Latin-1"}.get(encoding, encoding)
    return text, label


def _control_share(text: str) -> float:
    sample = text[:20_000]
    if not sample:
        return 0.0
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t")
    return controls / len(sample)


def _binary_error() -> DataError:
    return DataError(
        "This file does not contain text: it looks like a binary file (an image, a zip, an old .xls…) "
        "saved with a table's name. Export the table as CSV (UTF-8), .xlsx or .parquet and upload that."
    )


def _detect_dialect(text: str) -> tuple[str, str]:
    """Delimiter and quote character, from clevercsv's data-consistency detector on a sample."""
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS:
        cut = sample.rfind("\n")
        sample = sample[:cut] if cut > 0 else sample
    import clevercsv

    dialect = None
    try:
        dialect = clevercsv.Detector().detect(sample, delimiters=DELIMITERS)
    except Exception:  # clevercsv raises assorted errors on odd input; fall back below
        dialect = None
    delimiter = getattr(dialect, "delimiter", "") or ""
    quotechar = getattr(dialect, "quotechar", "") or '"'
    if delimiter not in DELIMITERS:
        # One column, or undetectable: the stdlib sniffer, then the most frequent candidate.
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
        except csv.Error:
            first = sample.split("\n", 1)[0]
            counts = {d: first.count(d) for d in DELIMITERS}
            delimiter = max(counts, key=counts.get) if max(counts.values()) > 0 else ","
    header = sample.lstrip("\r\n").split("\n", 1)[0]
    if delimiter not in header:
        # A table's header holds its separator; without one, a "1,5" in the body is a
        # decimal comma of a one-column file, not a second field.
        in_header = [d for d in DELIMITERS if d in header]
        delimiter = max(in_header, key=header.count) if in_header else SINGLE_COLUMN
    return delimiter, quotechar


def _parse_text(text: str, delimiter: str, quotechar: str) -> pd.DataFrame:
    """All cells as strings; ragged rows are padded (short) or refused (long, with content)."""
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            quotechar=quotechar,
            header=None,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=True,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        match = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if match:
            expected, line, saw = match.groups()
            raise DataError(
                f"Line {line} has {saw} fields but the lines before it have {expected} "
                f"(separator detected: {_delimiter_name(delimiter)}). Check that line for an unquoted "
                "separator or a stray quote, or re-export the file as CSV."
            ) from None
        raise DataError(f"The file could not be parsed as a table ({str(exc).strip()}). Re-export it as CSV.") from None
    except pd.errors.EmptyDataError:
        raise DataError("The file is empty: there is no header and no data. Upload a file with a table in it.") from None
    # Short rows are padded with empty cells by the parser; they surface as missing values
    # in the preprocessing report, so nothing disappears unseen.
    return raw


def _delimiter_name(delimiter: str | None) -> str:
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", SINGLE_COLUMN: "nothing (one column)"}
    return names.get(delimiter or "", repr(delimiter))


def _header(raw: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Use the first row as the header (unless it is all numbers); fix blank/duplicate names."""
    first = [str(v).strip() for v in raw.iloc[0].tolist()]
    looks_numeric = all(_PLAIN.fullmatch(v) or _COMMA_DECIMAL.fullmatch(v) for v in first if v) and any(first)
    if looks_numeric:
        names = [f"column_{j + 1}" for j in range(raw.shape[1])]
        body = raw
        notes.append("The first row holds numbers, not names: columns were named column_1, column_2, …")
    else:
        names = first
        body = raw.iloc[1:]
    fixed: list[str] = []
    seen: dict[str, int] = {}
    for j, name in enumerate(names):
        original = name
        if not name:
            name = f"column_{j + 1}"
            notes.append(f"Column {j + 1} had no name: called it {name!r}.")
        base, k = name, 1
        while name in seen:
            k += 1
            name = f"{base} ({k})"
        if name != original and original:
            notes.append(f"Column {j + 1} repeats the name {original!r}: renamed it {name!r} (nothing merged).")
        seen[name] = j
        fixed.append(name)
    body = body.copy()
    body.columns = fixed
    return body.reset_index(drop=True)


def _number_style(cells: pd.Series, delimiter: str | None) -> str:
    """``","`` when the file writes decimals with a comma, else ``"."`` (decided once per file)."""
    sample = cells.head(20_000)
    comma = int(sample.str.fullmatch(_COMMA_DECIMAL).sum() + sample.str.fullmatch(_THOUSANDS_DOT).sum())
    dot = int(sample.str.fullmatch(r"[+-]?\d*\.\d+(?:[eE][+-]?\d+)?").sum())
    if delimiter == ",":
        return "."  # a comma decimal would have to be quoted in every cell: rare
    return "," if comma > dot else "."


def _to_number(column: pd.Series, decimal: str) -> tuple[pd.Series | None, int]:
    """Parse a column of stripped strings as numbers; None if any non-missing cell is not one.

    Accepted: plain decimals and exponents, ``inf``; with ``decimal=","`` also ``1,5`` and
    ``1.234,5``; with ``decimal="."`` also ``1,234.5``; thousands groups separated by
    spaces.  Returns the floats and the number of missing-token cells.
    """
    lowered = column.str.lower()
    missing = lowered.isin(NA_TOKENS)
    values = column[~missing]
    try:  # fast path: plain numbers (most columns of most files)
        if decimal == "." and values.str.fullmatch(_PLAIN).all():
            out = pd.Series(np.nan, index=column.index, dtype=float)
            out[~missing] = pd.to_numeric(values).astype(float)
            return out, int(missing.sum())
    except (ValueError, TypeError):
        pass
    cleaned = values.str.replace(r"(?<=\d)[ \u00a0\u202f](?=\d{3}\b)", "", regex=True)
    if decimal == ",":
        ok = cleaned.str.fullmatch(_PLAIN) & ~cleaned.str.contains(".", regex=False)
        ok |= cleaned.str.fullmatch(_COMMA_DECIMAL) | cleaned.str.fullmatch(_THOUSANDS_DOT)
        if not ok.all():
            return None, 0
        cleaned = cleaned.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        ok = cleaned.str.fullmatch(_PLAIN) | cleaned.str.fullmatch(_THOUSANDS_COMMA)
        if not ok.all():
            return None, 0
        cleaned = cleaned.str.replace(",", "", regex=False)
    out = pd.Series(np.nan, index=column.index, dtype=float)
    try:
        out[~missing] = pd.to_numeric(cleaned).astype(float)
    except (ValueError, TypeError):
        return None, 0
    return out, int(missing.sum())


def _type_columns(body: pd.DataFrame, delimiter: str | None, notes: list[str]) -> tuple[pd.DataFrame, str]:
    """Convert string columns to float where every cell is a number or a missing token."""
    stripped = {c: body[c].astype(str).str.strip() for c in body.columns}
    all_cells = pd.concat(list(stripped.values()), ignore_index=True) if stripped else pd.Series([], dtype=str)
    decimal = _number_style(all_cells, delimiter)
    if decimal == ",":
        notes.append("Numbers use a decimal comma (e.g. 1,5 = 1.5); read them that way.")
    columns: dict[str, pd.Series] = {}
    for name, col in stripped.items():
        numbers, n_missing = _to_number(col, decimal)
        if numbers is not None and numbers.notna().any():
            columns[name] = numbers
        else:
            text = col.where(~col.str.lower().isin(NA_TOKENS), None)
            columns[name] = text.astype(object)
    frame = pd.DataFrame(columns, index=body.index)
    return frame, decimal


def _drop_empty_rows(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    empty = frame.isna().all(axis=1)
    if empty.any():
        notes.append(f"{int(empty.sum())} completely empty row(s) skipped.")
        frame = frame[~empty].reset_index(drop=True)
    return frame


def _finish(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    frame = _drop_empty_rows(frame, notes)
    if frame.shape[0] == 0:
        raise DataError("The file has a header but no data rows. Upload a file with at least two rows of data.")
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    if not numeric:
        raise DataError(
            "No column contains numbers, so there is nothing to fit. Check that the file is a data table "
            "(not a report or a list of names); if numbers are written with units (e.g. '12 kg'), remove the units."
        )
    n_inf = int(np.isinf(frame[numeric].to_numpy(dtype=float)).sum())
    if n_inf:
        notes.append(f"{n_inf} cell(s) hold infinity; they will be treated as missing when preparing the model.")
    return frame


def _from_excel(data: bytes, notes: list[str]) -> pd.DataFrame:
    try:
        raw = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        raise DataError(f"This .xlsx file could not be opened ({type(exc).__name__}). Re-save it from Excel, or export CSV.") from None
    if raw.empty:
        raise DataError("The first sheet of this workbook is empty. Put the table on the first sheet.")
    raw = raw.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    body = _header(raw, notes)
    frame, _ = _type_columns(body, ",", notes)  # Excel stores real numbers: never a decimal comma
    return frame


def _from_parquet(data: bytes, notes: list[str]) -> pd.DataFrame:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError… for damaged files
        raise DataError(f"This Parquet file could not be read ({type(exc).__name__}). Re-export it.") from None
    frame = frame.reset_index(drop=True)
    frame.columns = [str(c) for c in frame.columns]
    for c in frame.columns:
        if pd.api.types.is_bool_dtype(frame[c]) or pd.api.types.is_numeric_dtype(frame[c]):
            frame[c] = frame[c].astype(float)
        else:
            frame[c] = frame[c].astype(object).where(frame[c].notna(), None)
    return frame


def read_table(source: Source, filename: str | None = None, max_mb: float = MAX_UPLOAD_MB) -> Loaded:
    """Read a CSV/TSV/TXT, ``.xlsx`` or ``.parquet`` table and report what was detected.

    Parameters
    ----------
    source : path, bytes or binary file-like
    filename : str, optional
        Used for its extension (and messages) when ``source`` is bytes or a file object.
    max_mb : float
        Size limit in megabytes (the app's upload limit).

    Raises
    ------
    DataError
        Empty, binary, unparseable or too large files, and tables without any numeric column.
    """
    data, detected_name = _read_bytes(source, max_mb)
    name = filename or detected_name or ""
    ext = Path(name).suffix.lower()
    notes: list[str] = []
    if not data.strip():
        raise DataError("The file is empty: there is no header and no data. Upload a file with a table in it.")
    if data.startswith(b"PAR1") or ext == ".parquet":
        return Loaded(_finish(_from_parquet(data, notes), notes), "Parquet", None, None, ".", tuple(notes))
    if data.startswith(b"PK\x03\x04") or ext in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK\x03\x04"):
            raise DataError("This file is named .xlsx but is not an Excel workbook. Re-save it from Excel, or export CSV.")
        return Loaded(_finish(_from_excel(data, notes), notes), "Excel workbook", None, None, ".", tuple(notes))
    if ext == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError("Old Excel .xls files are not supported. In Excel, save as .xlsx or CSV (UTF-8) and upload that.")
    text, encoding = _decode(data)
    if encoding != "UTF-8":
        notes.append(f"Text encoding detected: {encoding}.")
    text = text.lstrip("\ufeff")
    delimiter, quotechar = _detect_dialect(text)
    notes.append("One column (no separator found)." if delimiter == SINGLE_COLUMN else f"Columns separated by {_delimiter_name(delimiter)}.")
    raw = _parse_text(text, delimiter, quotechar)
    body = _header(raw, notes)
    frame, decimal = _type_columns(body, delimiter, notes)
    return Loaded(_finish(frame, notes), "delimited text", encoding, delimiter, decimal, tuple(notes))


def load_table(source: Source, filename: str | None = None, max_mb: float = MAX_UPLOAD_MB) -> pd.DataFrame:
    """The table of :func:`read_table` as a DataFrame (detection notes in ``frame.attrs['notes']``)."""
    loaded = read_table(source, filename, max_mb)
    frame = loaded.frame
    frame.attrs["notes"] = list(loaded.notes)
    return frame


def load_csv(source: Source, max_mb: float = MAX_UPLOAD_MB) -> pd.DataFrame:
    """Read a delimited text file (any common encoding, separator and decimal style).

    ``source`` is a path, bytes or a binary file object.  Raises :class:`~reglab.DataError`
    with a message for the person who uploaded the file when it cannot be used.
    """
    return load_table(source, filename=None, max_mb=max_mb)
