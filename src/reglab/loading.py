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

from . import limits
from .errors import DataError

#: Largest file accepted, in (decimal) megabytes; `.streamlit/config.toml` sets the same upload limit.
MAX_UPLOAD_MB = limits.MAX_UPLOAD_MB
TEXT_EXTENSIONS = {".csv", ".tsv", ".txt", ".dat", ".tab", ""}
DELIMITERS = [",", ";", "\t", "|"]
#: Separator used for one-column files (ASCII unit separator: never in real text).
SINGLE_COLUMN = "\x1f"
#: Cells read as "missing" (case-insensitive, after trimming spaces).
NA_TOKENS = {"", "na", "n/a", "nan", "null", "none", "-", "?", "#n/a", "#na", "missing", ".", "--"}
_SAMPLE_CHARS = limits.DIALECT_SAMPLE_CHARS
#: Excel's "sep=;" first line, which names the separator (European Excel writes it).
_SEP_HINT = re.compile(r'"?sep=(.)"?[ \t]*\r?\n', re.IGNORECASE)
#: Control characters and line breaks (not ordinary or no-break spaces, which are part of a name).
_CONTROL_RUN = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]+")

Source = Union[str, os.PathLike, bytes, bytearray, BinaryIO]

# Each pattern is unambiguous (no two quantifiers can share a digit), so a failed match backtracks
# in linear time: "\d+\.?\d*" took 1.4 s on a 10,000-digit cell ending in a letter (quadratic).
_PLAIN = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:inf|infinity)", re.IGNORECASE)
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
    limit = int(max_mb * 1_000_000)  # decimal MB, as Streamlit's uploader and the browser count
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
        f"The file is {size / 1_000_000:.1f} MB, over the {max_mb:g} MB limit. "
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
    if head.count(b"\x00") > max(1, len(head) // 100):  # a stray NUL in text is removed later, with a note
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


def _first_record(text: str, quotechar: str = '"') -> str:
    """The header record: text up to the first line break outside quotes (a quoted name may hold
    line breaks, as RFC 4180 allows). Linear: each newline is checked by the parity of the quote
    characters before it (an escaped quote "" keeps the parity)."""
    text = text.lstrip("\r\n")
    quotes, start = 0, 0
    while True:
        end = text.find("\n", start)
        if end < 0:
            return text
        quotes += text.count(quotechar, start, end)
        if quotes % 2 == 0:
            return text[:end]
        start = end + 1


def _detect_dialect(text: str) -> tuple[str, str]:
    """Delimiter and quote character, from clevercsv's data-consistency detector on a sample."""
    sample = text[:_SAMPLE_CHARS]
    if len(text) > _SAMPLE_CHARS:
        cut = sample.rfind("\n")
        sample = sample[:cut] if cut > 0 else sample
    first_line = _first_record(text)
    delimiter, quotechar = "", '"'
    present = [d for d in DELIMITERS if d in sample]
    if len(present) == 1 and present[0] in first_line and '"' not in sample and "'" not in sample:
        # One candidate separator in the sample, in the header, and no quotes: nothing to weigh
        # (clevercsv takes ~25 ms on a 64 kB sample to find the same answer).
        delimiter = present[0]
    elif len(first_line) <= limits.DIALECT_MAX_LINE_CHARS:
        import clevercsv

        try:
            dialect = clevercsv.Detector().detect(sample, delimiters=DELIMITERS)
        except Exception:  # clevercsv raises assorted errors on odd input; fall back below
            dialect = None
        delimiter = getattr(dialect, "delimiter", "") or ""
        quotechar = getattr(dialect, "quotechar", "") or '"'
    else:
        # clevercsv's cost explodes on very long lines (one 100 k-character header took 25 s):
        # take the candidate that splits the first lines into the same number of fields.
        delimiter = _consistent_delimiter(text.lstrip("\r\n").split("\n", 20)[:20]) or ""
    if delimiter not in DELIMITERS:
        # One column, or undetectable: the stdlib sniffer, then the most frequent candidate.
        try:
            delimiter = csv.Sniffer().sniff(sample, delimiters="".join(DELIMITERS)).delimiter
        except csv.Error:
            first = sample.split("\n", 1)[0]
            counts = {d: first.count(d) for d in DELIMITERS}
            delimiter = max(counts, key=counts.get) if max(counts.values()) > 0 else ","
    header = first_line
    if delimiter not in header:
        # A table's header holds its separator; without one, a "1,5" in the body is a
        # decimal comma of a one-column file, not a second field.
        in_header = [d for d in DELIMITERS if d in header]
        delimiter = max(in_header, key=header.count) if in_header else SINGLE_COLUMN
    return delimiter, quotechar


def _consistent_delimiter(first_lines: list[str]) -> str | None:
    """The candidate separator found equally often (and at least once) on each of the first lines."""
    lines = [line for line in first_lines if line.strip()]
    best, best_count = None, 0
    for d in DELIMITERS:
        counts = {line.count(d) for line in lines}
        if len(counts) == 1 and (count := counts.pop()) > best_count:
            best, best_count = d, count
    return best


def _sep_hint(text: str, notes: list[str]) -> tuple[str, str | None]:
    """Drop Excel's ``sep=;`` first line and return the separator it names (None without one)."""
    match = _SEP_HINT.match(text)
    if not match:
        return text, None
    delimiter = match.group(1)
    if delimiter not in DELIMITERS and delimiter not in ":,. ":
        raise DataError(f"The first line names the separator {delimiter!r}, which is not one of comma, semicolon, tab or pipe. "
                        "Re-export the file with one of those.")
    notes.append(f"The first line (\"sep={delimiter}\", written by Excel) names the separator; it is not part of the table.")
    return text[match.end():], delimiter


def _remove_nul(text: str, notes: list[str]) -> str:
    """Remove NUL characters (left by damaged transfers), saying where the first one was."""
    first = text.find("\x00")
    if first < 0:
        return text
    line = text.count("\n", 0, first) + 1
    count = text.count("\x00")
    notes.append(f"{count} NUL character(s) (\\0, a sign of a damaged file) removed, the first on line {line}. "
                 "Check that line's values.")
    return text.replace("\x00", "")


def _check_size(text: str, delimiter: str, newlines: int | None = None) -> None:
    """Refuse tables over the cell and column budgets before parsing them into strings (``newlines``:
    the count of line breaks when ``text`` is only the start of the file)."""
    header = _first_record(text)
    columns = header.count(delimiter) + 1 if delimiter != SINGLE_COLUMN else 1
    if columns > limits.MAX_COLUMNS:
        raise DataError(f"The table has {columns:,} columns; this app reads at most {limits.MAX_COLUMNS:,}. "
                        "Keep the columns you want to model and upload that.")
    # Quoted line breaks make this an overestimate: it never lets too much through.
    rows = (text.count("\n") if newlines is None else newlines) + 1
    if rows * columns > limits.MAX_CELLS:
        raise DataError(f"The table has about {rows:,} rows × {columns:,} columns, more than the {limits.MAX_CELLS:,} cells "
                        "this app reads at once. Upload a sample of the rows, or drop columns you do not need.")


def _drop_long_text_columns(text: str, raw: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Leave out each column holding a cell longer than MAX_CELL_CHARS, with a note naming it and
    where (looked for only when some line is that long). Such a column is free text (a comment,
    a pasted document): never a feature, and in every legend and table it would be unreadable."""
    if max(map(len, text.split("\n", 5_000_000)), default=0) <= limits.MAX_CELL_CHARS:
        return raw
    body = raw.iloc[1:]  # the header row's names are cut to MAX_NAME_CHARS instead, with a note
    long = []
    for j, name in enumerate(raw.columns):
        lengths = body[name].astype(str).str.len()
        if len(lengths) and lengths.max() > limits.MAX_CELL_CHARS:
            long.append(name)
            title = str(raw[name].iloc[0])[:60] if len(raw) else ""
            notes.append(f"Column {j + 1} ({title!r}) was left out: a cell in data row {int(lengths.to_numpy().argmax()) + 1} "
                         f"holds {int(lengths.max()):,} characters, more than the {limits.MAX_CELL_CHARS:,} a table cell "
                         "here may hold (free text, not a value to model).")
    if len(long) == raw.shape[1]:
        raise DataError(f"Every column holds cells longer than {limits.MAX_CELL_CHARS:,} characters: this is a "
                        "document, not a table. Upload the table as CSV, TSV or Excel.")
    kept = raw.drop(columns=long)
    return kept.set_axis(range(kept.shape[1]), axis=1)


def _line_ending(text: str) -> tuple[str, str]:
    """``(text, terminator)`` for pandas' C tokenizer, which, left to guess line endings, ends a
    record at a carriage return inside quotes when the file's lines end in \n (a name such as
    "weight\r(kg)"). So the ending is named: \n (CRLF made LF first), or \r for old Mac files
    (whose lines end in a lone \r)."""
    if "\r" not in text:  # the common case, without counting: one scan that stops at the first \r
        return text, "\n"
    crlf = text.count("\r\n")
    if text.count("\r") - crlf > text.count("\n") - crlf:
        return text.replace("\r\n", "\r"), "\r"
    return (text.replace("\r\n", "\n") if crlf else text), "\n"


def _parse_text(text: str, delimiter: str, quotechar: str, terminator: str) -> pd.DataFrame:
    """All cells as strings; ragged rows are padded (short) or refused (long, with content).
    ``text`` ends its lines in ``terminator`` (:func:`_line_ending`)."""
    try:
        raw = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            quotechar=quotechar,
            lineterminator=terminator,
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


def _separator_note(delimiter: str) -> str:
    """What the notes say of the separator found."""
    return "One column (no separator found)." if delimiter == SINGLE_COLUMN else f"Columns separated by {_delimiter_name(delimiter)}."


def _delimiter_name(delimiter: str | None) -> str:
    names = {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe", SINGLE_COLUMN: "nothing (one column)"}
    return names.get(delimiter or "", repr(delimiter))


#: Data rows the careful reader reads to check the fast one (:func:`_read_fast`).
_CHECK_ROWS = 500


def _careful(text: str, delimiter: str, quotechar: str, terminator: str, notes: list[str]
             ) -> tuple[pd.DataFrame, str]:
    """Every cell as a string, then typed column by column: the reader for any file."""
    raw = _drop_long_text_columns(text, _parse_text(text, delimiter, quotechar, terminator), notes)
    return _type_columns(_header(raw, notes), delimiter, notes)


def _read_fast(text: str, delimiter: str, quotechar: str, terminator: str, notes: list[str],
               raw: bytes | None = None) -> pd.DataFrame | None:
    """A table of plain numbers (and text columns) under a header, its rows parsed by pyarrow
    (:func:`_parse_bulk`) with each column's type taken from the careful reader's reading of the
    first rows — numbers straight to floats, not every cell as a string first — or None when it is not one: in
    a number column a cell that is no plain number, a missing-value token it does not know or an
    infinite value (a 10,000-digit cell the careful reader leaves out, or ±inf it notes); a text
    column empty in the first rows or with a cell over the length limit; a numeric header; a
    decimal comma; or any disagreement with the careful reader (:func:`_careful`) on the header
    and the first :data:`_CHECK_ROWS` rows. None means: read it carefully; the result is then the
    careful one. ``raw``: the file's bytes when ``text`` is exactly their ASCII decoding (saves a copy)."""
    if delimiter == SINGLE_COLUMN:
        return None
    lead = len(text)
    text = text.lstrip("\r\n")  # the header is the first line (skipped below)
    lead -= len(text)  # blank lines before it (still in ``raw``)
    end = -1
    for _ in range(_CHECK_ROWS + 1):  # the header and the first rows (a quoted break only makes the check fail)
        end = text.find(terminator, end + 1)
        if end < 0:
            end = len(text)
            break
    checked: list[str] = []
    try:
        sample, decimal = _careful(text[:end], delimiter, quotechar, terminator, checked)
    except DataError:
        return None
    numeric = [pd.api.types.is_float_dtype(sample[c]) for c in sample.columns]
    # A text column empty in the first rows may hold numbers further down (the careful reader
    # types a column by all its cells): only the careful reader can tell.
    if decimal != "." or not any(numeric) or any(not num and sample[c].isna().all() for c, num in zip(sample.columns, numeric)):
        return None
    encoded, start = (raw, lead) if raw is not None else (text.encode("utf-8"), 0)
    header_end = encoded.find(terminator.encode(), start)
    body = _parse_bulk(encoded, header_end + 1 if header_end >= 0 else len(encoded), delimiter, quotechar, numeric)
    if body is None:
        return None
    if body.shape[1] != sample.shape[1]:
        return None
    floats = [j for j, num in enumerate(numeric) if num]
    for j in floats:
        column = body[j]
        if pd.api.types.is_integer_dtype(column.dtype) or pd.api.types.is_float_dtype(column.dtype):
            body[j] = column.astype(np.float64)  # integers round to the nearest double, as parsing them as floats does
        else:  # a cell that is no plain number (or a missing-value token in another form)
            return None
    if np.isinf(body.iloc[:, floats].to_numpy(dtype=float)).any():
        return None
    for j, num in enumerate(numeric):
        if not num:  # as _type_columns writes text: stripped, missing-value tokens as None
            cells = body.iloc[:, j].fillna("").astype(str)
            if cells.str.len().max() > limits.MAX_CELL_CHARS:
                return None
            body[j] = _as_text(cells.str.strip())
    body.columns = sample.columns
    head = body.head(len(sample)).reset_index(drop=True)
    if len(sample) > len(body) or not head.equals(sample.reset_index(drop=True)):
        return None
    notes.extend(checked)
    return body


def _parse_bulk(encoded: bytes, start: int, delimiter: str, quotechar: str, numeric: list[bool]) -> pd.DataFrame | None:
    """The rows of ``encoded`` (UTF-8) from byte ``start`` on, by pyarrow's CSV reader (both cores,
    zero-copy: 2× pandas' C parser on an in-memory file), columns numbered: text columns (not
    ``numeric``) as strings, the others by the reader's inference (float or integer; anything else
    is returned as it came, for the caller to refuse), missing-value tokens empty. None when the
    reader refuses the rows (a row of another length, a bad quote…)."""
    import pyarrow as pa
    import pyarrow.csv as pa_csv

    missing = sorted({form for token in NA_TOKENS for form in (token, token.upper(), token.title())})
    names = [f"c{j}" for j in range(len(numeric))]
    quoted = bool(quotechar) and quotechar.encode() in encoded
    try:
        table = pa_csv.read_csv(
            pa.BufferReader(pa.py_buffer(encoded)[start:]),
            read_options=pa_csv.ReadOptions(column_names=names),
            parse_options=pa_csv.ParseOptions(delimiter=delimiter, quote_char=quotechar or False,
                                              newlines_in_values=quoted),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name, num in zip(names, numeric) if not num},
                null_values=missing, strings_can_be_null=False, quoted_strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError):
        return None
    return table.to_pandas().set_axis(range(len(numeric)), axis=1)


def _header(raw: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Use the first row as the header (unless it is all numbers); fix blank/duplicate names."""
    first = [str(v).strip() for v in raw.iloc[0].tolist()]
    # A name like "Infinity" or "NaN" is a name: only cells with digits make a header row numeric.
    looks_numeric = all((_PLAIN.fullmatch(v) or _COMMA_DECIMAL.fullmatch(v)) and any(c.isdigit() for c in v)
                        for v in first if v) and any(first)
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
        name = _clean_name(name, j, notes)
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


def _clean_name(name: str, j: int, notes: list[str]) -> str:
    """Column names as one line of readable text: control characters and line breaks become
    spaces (they would split a CSV record or hide text), and very long names are cut."""
    cleaned = _CONTROL_RUN.sub(" ", name).strip()
    if cleaned != name.strip():
        notes.append(f"Column {j + 1}'s name held line breaks or control characters: read as {cleaned[:80]!r}.")
    if len(cleaned) > limits.MAX_NAME_CHARS:
        cleaned = cleaned[: limits.MAX_NAME_CHARS].rstrip() + "…"
        notes.append(f"Column {j + 1}'s name is longer than {limits.MAX_NAME_CHARS} characters: cut to {cleaned[:40]!r}….")
    return cleaned


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


def _plain_columns(all_cells: pd.Series, index: pd.Index, names: list) -> dict:
    """:func:`_to_number`'s fast path (plain numbers and missing tokens, decimal point) for every
    column at once, on the columns' cells stacked in ``all_cells``: one string operation for the
    table instead of one per column (each has a fixed cost of ~1 ms). Columns holding anything
    else are left out (the caller reads them one by one)."""
    missing = all_cells.str.lower().isin(NA_TOKENS).to_numpy()
    plain = all_cells.str.fullmatch(_PLAIN).fillna(False).to_numpy(dtype=bool) | missing
    out = {}
    n_rows = len(index)
    for j, name in enumerate(names):
        block = slice(j * n_rows, (j + 1) * n_rows)
        if not plain[block].all():
            continue
        cells = all_cells.iloc[block]
        values = pd.Series(np.nan, index=index, dtype=float)
        kept = ~missing[block]
        try:
            values[kept] = pd.to_numeric(cells[kept]).astype(float).to_numpy()
        except (ValueError, TypeError):
            continue
        out[name] = (values, int(missing[block].sum()))
    return out


def _as_text(stripped: pd.Series) -> pd.Series:
    """A text column as the tables hold it: its stripped cells, missing-value tokens as None."""
    return stripped.where(~stripped.str.lower().isin(NA_TOKENS), None).astype(object)


def _type_columns(body: pd.DataFrame, delimiter: str | None, notes: list[str]) -> tuple[pd.DataFrame, str]:
    """Convert string columns to float where every cell is a number or a missing token."""
    stripped = {c: body[c].astype(str).str.strip() for c in body.columns}
    all_cells = pd.concat(list(stripped.values()), ignore_index=True) if stripped else pd.Series([], dtype=str)
    decimal = _number_style(all_cells, delimiter)
    if decimal == ",":
        notes.append("Numbers use a decimal comma (e.g. 1,5 = 1.5); read them that way.")
    columns: dict[str, pd.Series] = {}
    plain = _plain_columns(all_cells, body.index, list(stripped)) if decimal == "." else {}
    for name, col in stripped.items():
        numbers, n_missing = plain[name] if name in plain else _to_number(col, decimal)
        if numbers is not None and numbers.notna().any():
            columns[name] = numbers
        else:
            columns[name] = _as_text(col)
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


def _xlsx_members_ok(data: bytes) -> None:
    """Refuse a workbook whose XML would expand past what MAX_CELLS can honestly need.

    zipfile stops reading a member at its declared size, so the declared sizes bound the work.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise DataError("This .xlsx file is damaged (not a readable zip archive). Re-save it from Excel, or export CSV.") from None
    # ~40 bytes of XML per cell: a workbook at the cell budget needs ~200 MB of XML.
    if expanded > 40 * limits.MAX_CELLS:
        raise DataError(f"This workbook expands to {expanded / 1e6:,.0f} MB of XML, more than a table of "
                        f"{limits.MAX_CELLS:,} cells needs. Export the table you want as CSV and upload that.")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet stores a formula (``<f>`` element), streamed without loading the sheet."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if not info.filename.startswith("xl/worksheets/"):
                continue
            with archive.open(info) as member:
                tail = b""
                while chunk := member.read(1 << 20):
                    if b"<f>" in tail + chunk or b"<f " in tail + chunk or b":f>" in tail + chunk or b":f " in tail + chunk:
                        return True
                    tail = chunk[-4:]
    return False


def _scan_sheet(sheet) -> list[tuple[int, tuple]]:
    """The non-empty rows of a read-only sheet as ``(row index, values)``, within the scan budget.

    The sheet's stored dimension is not trusted (``reset_dimensions``): rows are read as they
    are, padded only out to their own last cell, and every materialized cell, blank or not,
    counts against :data:`reglab.limits.MAX_SHEET_SCAN_CELLS`.
    """
    sheet.reset_dimensions()
    rows: list[tuple[int, tuple]] = []
    scanned = 0
    for index, values in enumerate(sheet.iter_rows(values_only=True)):
        scanned += len(values) + 1
        if scanned > limits.MAX_SHEET_SCAN_CELLS:
            raise DataError(
                f"The first sheet holds more than {limits.MAX_SHEET_SCAN_CELLS:,} cells (counting blank cells inside "
                f"rows), past row {index + 1:,}. Delete what lies outside the table, or export the table as CSV."
            )
        if any(v is not None and v != "" for v in values):
            rows.append((index, values))
    return rows


def _from_excel(data: bytes, notes: list[str]) -> pd.DataFrame:
    """The first sheet's used cells, streamed with openpyxl's read-only reader.

    pandas' reader trusts the sheet's claimed dimension and pads every row to the widest
    one: a 5 KB workbook with one cell in XFD1048576 becomes 17 billion cells. Here only
    the rows present are read, and the table is the bounding box of the non-empty cells,
    refused when that box is over :data:`reglab.limits.MAX_CELLS`.
    """
    import openpyxl
    from openpyxl.utils import get_column_letter

    _xlsx_members_ok(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except DataError:
        raise
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        raise DataError(f"This .xlsx file could not be opened ({type(exc).__name__}). Re-save it from Excel, or export CSV.") from None
    try:
        names = book.sheetnames
        sheet = book[names[0]]
        if not hasattr(sheet, "iter_rows"):
            raise DataError("The first sheet of this workbook is a chart, not a table. Put the table on the first sheet.")
        try:
            rows = _scan_sheet(sheet)
        except DataError:
            raise
        except Exception as exc:  # malformed sheet XML
            raise DataError(f"The first sheet could not be read ({type(exc).__name__}). Re-save it from Excel, or export CSV.") from None
    finally:
        book.close()
    if len(names) > 1:
        notes.append(f"The workbook has {len(names)} sheets; read the first ({names[0]!r}). Not read: "
                     + ", ".join(repr(n) for n in names[1:6]) + (", …" if len(names) > 6 else "") + ".")
    if not rows:
        raise DataError("The first sheet of this workbook is empty. Put the table on the first sheet.")
    used = [[j for j, v in enumerate(values) if v is not None and v != ""] for _, values in rows]
    first_col = min(cols[0] for cols in used)
    last_col = max(cols[-1] for cols in used)
    top, bottom = rows[0][0], rows[-1][0]
    height, width = bottom - top + 1, last_col - first_col + 1
    if height * width > limits.MAX_CELLS or width > limits.MAX_COLUMNS:
        corner = f"{get_column_letter(last_col + 1)}{bottom + 1}"
        raise DataError(
            f"The first sheet's cells span {get_column_letter(first_col + 1)}{top + 1}:{corner} "
            f"({height:,} rows × {width:,} columns), more than the {limits.MAX_CELLS:,} cells this app reads. "
            f"Delete stray cells far from the table (the farthest is in {corner}), or export the table as CSV."
        )
    grid = [["" for _ in range(width)] for _ in range(height)]
    for (index, values), cols in zip(rows, used):
        line = grid[index - top]
        for j in cols:
            value = values[j]
            line[j - first_col] = value if isinstance(value, str) else str(value)
    if _has_formulas(data):
        missing = _formulas_without_values(data, top, first_col, grid)
        if missing:
            notes.append(f"{missing} formula cell(s) have no saved result (the workbook was not recalculated since it was "
                         "written) and are read as missing. Open and save the file in Excel or LibreOffice to keep their values.")
    body = _header(pd.DataFrame(grid, dtype=object), notes)
    frame, _ = _type_columns(body, ",", notes)  # Excel stores real numbers: never a decimal comma
    return frame


def _formulas_without_values(data: bytes, top: int, first_col: int, grid: list[list[str]]) -> int:
    """How many formula cells of the first sheet have no cached value (read as empty)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
    try:
        count = 0
        for index, values in _scan_sheet(book[book.sheetnames[0]]):
            for j, value in enumerate(values):
                if isinstance(value, str) and value.startswith("="):
                    r, c = index - top, j - first_col
                    inside = 0 <= r < len(grid) and 0 <= c < len(grid[0])
                    if not inside or grid[r][c] == "":
                        count += 1
        return count
    finally:
        book.close()


def _from_parquet(data: bytes, notes: list[str]) -> pd.DataFrame:
    """A Parquet file's flat columns; nested ones (lists, structs, maps) are left out with a note.

    The size is checked from the file's metadata before any column is decoded.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        handle = pq.ParquetFile(io.BytesIO(data))
        meta, schema = handle.metadata, handle.schema_arrow
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError… for damaged files
        raise DataError(f"This Parquet file could not be read ({type(exc).__name__}). Re-export it.") from None
    if meta.num_columns > limits.MAX_COLUMNS or meta.num_rows * max(meta.num_columns, 1) > limits.MAX_CELLS:
        raise DataError(f"The table has {meta.num_rows:,} rows × {meta.num_columns:,} columns, more than the "
                        f"{limits.MAX_CELLS:,} cells (or {limits.MAX_COLUMNS:,} columns) this app reads at once. "
                        "Upload a sample of the rows, or the columns you need.")
    expanded = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if expanded > 40 * limits.MAX_CELLS:
        raise DataError(f"The table expands to {expanded / 1e6:,.0f} MB in memory; this app reads tables up to "
                        f"{40 * limits.MAX_CELLS / 1e6:,.0f} MB. Upload the columns you need.")
    nested = [f.name for f in schema if pa.types.is_nested(f.type)]
    flat = [f.name for f in schema if not pa.types.is_nested(f.type)]
    if nested:
        notes.append(f"{len(nested)} column(s) hold lists, structs or maps, which cannot be model inputs; left out: "
                     + ", ".join(repr(str(n)) for n in nested[:10]) + (", …" if len(nested) > 10 else "") + ".")
    if not flat:
        raise DataError("Every column of this Parquet file holds lists, structs or maps; there is no flat column to model.")
    try:
        frame = handle.read(columns=flat).to_pandas()
    except Exception as exc:
        raise DataError(f"This Parquet file could not be read ({type(exc).__name__}). Re-export it.") from None
    frame = frame.reset_index(drop=True)
    frame.columns = [_clean_name(str(c), j, notes) for j, c in enumerate(frame.columns)]
    if frame.columns.duplicated().any():
        raise DataError("Two columns of this Parquet file have the same name (after removing line breaks). Rename one and re-export.")
    for c in frame.columns:
        column = frame[c]
        if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
            frame[c] = column.astype(float)
        else:  # text, dates, decimals, bytes: shown and one-hot encoded as text
            present = column.notna().to_numpy()
            frame[c] = pd.Series([(v if isinstance(v, str) else str(v)) if ok else None
                                  for v, ok in zip(column.astype(object), present)], index=frame.index, dtype=object)
    return frame


#: Bytes of a plain ASCII file decoded for detection when its bulk goes straight to the fast reader.
_HEAD_BYTES = 1 << 20


def _newlines(data: bytes, chunk: int = 1 << 22) -> int:
    """The number of b"\\n" bytes in ``data``: numpy's vectorized compare, 4 MB at a time (3× faster
    than ``bytes.count`` on a 29 MB file, and no more than a chunk of temporary memory)."""
    view = np.frombuffer(data, dtype=np.uint8)
    return sum(int(np.count_nonzero(view[i:i + chunk] == 10)) for i in range(0, view.size, chunk))


def _read_plain_ascii(data: bytes, notes: list[str]) -> Loaded | None:
    """:func:`read_table` for the commonest file — ASCII, lines ending in \n, no NUL, no ``sep=`` line —
    without turning the whole file into text: the dialect, size check and the fast reader's check
    rows use its first megabyte, the bulk goes to :func:`_read_fast` as bytes. (A 29 MB file's text
    costs ~20 ms of allocation and copying that pandas' own reader never pays.) The same decisions
    and notes as the general route, which takes over (None) whenever the fast reader declines."""
    if len(data) <= _HEAD_BYTES or b"\r" in data or b"\x00" in data or not data.isascii():
        return None
    head = data[:_HEAD_BYTES]
    head = head[: head.rfind(b"\n") + 1].decode("ascii")
    if head.count("\n") <= _CHECK_ROWS + 1 or _SEP_HINT.match(head):  # (the check rows must all be in the head)
        return None
    delimiter, quotechar = _detect_dialect(head)
    _check_size(head, delimiter, newlines=_newlines(data))
    found = [_separator_note(delimiter)]
    frame = _read_fast(head, delimiter, quotechar, "\n", found, raw=data)
    if frame is None:
        return None
    notes.extend(found)
    return Loaded(_finish(frame, notes), "delimited text", "UTF-8", delimiter, ".", tuple(notes))


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
    if not data[:4096].strip() and not data.strip():  # (a stripped copy of the whole file only when its start is blank)
        raise DataError("The file is empty: there is no header and no data. Upload a file with a table in it.")
    if data.startswith(b"PAR1") or ext == ".parquet":
        return Loaded(_finish(_from_parquet(data, notes), notes), "Parquet", None, None, ".", tuple(notes))
    if data.startswith(b"PK\x03\x04") or ext in (".xlsx", ".xlsm"):
        if not data.startswith(b"PK\x03\x04"):
            raise DataError("This file is named .xlsx but is not an Excel workbook. Re-save it from Excel, or export CSV.")
        return Loaded(_finish(_from_excel(data, notes), notes), "Excel workbook", None, None, ".", tuple(notes))
    if ext == ".xls" or data.startswith(b"\xd0\xcf\x11\xe0"):
        raise DataError("Old Excel .xls files are not supported. In Excel, save as .xlsx or CSV (UTF-8) and upload that.")
    fast = _read_plain_ascii(data, notes)
    if fast is not None:
        return fast
    text, encoding = _decode(data)
    if encoding != "UTF-8":
        notes.append(f"Text encoding detected: {encoding}.")
    text = _remove_nul(text.lstrip("\ufeff"), notes)
    text, hinted = _sep_hint(text, notes)
    delimiter, quotechar = (hinted, '"') if hinted else _detect_dialect(text)
    notes.append(_separator_note(delimiter))
    _check_size(text, delimiter)
    text, terminator = _line_ending(text)  # once, for both readers
    unchanged = encoding == "UTF-8" and len(text) == len(data)  # ASCII, and no BOM, NUL, sep= line or CRLF removed
    fast = _read_fast(text, delimiter, quotechar, terminator, notes, raw=data if unchanged else None)
    frame, decimal = (fast, ".") if fast is not None else _careful(text, delimiter, quotechar, terminator, notes)
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
