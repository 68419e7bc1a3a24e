"""Messy files: each loads with the right shape and types, or raises a DataError saying what to do."""

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames

import reglab
from reglab.loading import MAX_UPLOAD_MB, read_table

DATA = Path(__file__).parent / "data"
NUM, TXT = "float64", "object"

# file → (rows, {column: dtype}) for files that must load
LOADS = {
    "accident_counts.csv": (200, {"age": NUM, "traffic": NUM, "rain": NUM, "slope": NUM, "accidents": NUM}),
    "churn_yes_no.csv": (240, {"tenure": NUM, "monthly_charges": NUM, "plan": TXT, "churned": TXT}),
    "iris_species.csv": (150, {"sepal_length": NUM, "sepal_width": NUM, "petal_length": NUM, "petal_width": NUM,
                               "species": TXT}),
    "clean.csv": (4, {"x1": NUM, "x2": NUM, "label": TXT, "y": NUM}),
    "semicolon_decimal_comma_latin1.csv": (4, {"größe": NUM, "gewicht": NUM, "stadt": TXT, "preis": NUM}),
    "utf8_bom.csv": (4, {"x1": NUM, "x2": NUM, "label": TXT, "y": NUM}),
    "utf16_le_bom.csv": (4, {"x1": NUM, "x2": NUM, "label": TXT, "y": NUM}),
    "utf16_be_bom.tsv": (4, {"x1": NUM, "x2": NUM, "label": TXT, "y": NUM}),
    "cp1252_euro.csv": (3, {"item": TXT, "price €": NUM, "note": TXT}),
    "tab_separated.tsv": (4, {"x1": NUM, "x2": NUM, "label": TXT, "y": NUM}),
    "pipe_separated.txt": (4, {"x1": NUM, "x2": NUM, "label": TXT, "y": NUM}),
    "crlf_line_endings.csv": (4, {"x1": NUM, "x2": NUM, "label": TXT, "y": NUM}),
    "blank_trailing_lines.csv": (4, {"x1": NUM, "x2": NUM, "label": TXT, "y": NUM}),
    "quoted_newlines.csv": (3, {"id": NUM, "comment": TXT, "value": NUM}),
    "missing_cells.csv": (5, {"a": NUM, "b": NUM, "c": TXT}),
    "text_column.csv": (3, {"name": TXT, "score": NUM, "city": TXT}),
    "duplicate_columns.csv": (2, {"a": NUM, "a (2)": NUM, "b": NUM, "a (3)": NUM}),
    "blank_column_names.csv": (2, {"column_1": NUM, "b": NUM, "column_3": NUM}),
    "thousands_separators.csv": (3, {"income": NUM, "age": NUM}),
    "formula_cells.csv": (3, {"x": NUM, "y": NUM, "note": TXT}),
    "html_headers.csv": (3, {"<b>x</b>": NUM, "<script>alert(1)</script>": NUM, "y": NUM}),
    "emoji_names.csv": (3, {"📈 growth": NUM, "🌡️ temp": NUM, "y": NUM}),
    "inf_and_huge.csv": (4, {"a": NUM, "b": NUM, "y": NUM}),
    "no_header_numbers.csv": (3, {"column_1": NUM, "column_2": NUM, "column_3": NUM}),
    "p_greater_than_n.csv": (10, {**{f"f{j}": NUM for j in range(40)}, "y": NUM}),
    "perfectly_collinear.csv": (20, {"a": NUM, "b": NUM, "c": NUM, "y": NUM}),
    "short_rows.csv": (3, {"a": NUM, "b": NUM, "c": NUM}),
    "single_column.csv": (3, {"y": NUM}),
    "quoted_semicolon.csv": (3, {"name": TXT, "value": NUM, "y": NUM}),
    "workbook.xlsx": (3, {"x1": NUM, "group": TXT, "y": NUM}),
    "table.parquet": (3, {"x1": NUM, "group": TXT, "y": NUM}),
}

# file → a phrase the message must contain (what is wrong / what to do)
REFUSES = {
    "empty.csv": "The file is empty",
    "whitespace_only.csv": "The file is empty",
    "header_only.csv": "header but no data rows",
    "binary_renamed.csv": "looks like a binary file",
    "gzip_renamed.csv": "looks like a binary file",
    "ragged_rows.csv": "Line 3 has 5 fields but the lines before it have 3",
    "no_numeric_columns.csv": "No column contains numbers",
    "not_really.xlsx": "named .xlsx but is not an Excel workbook",
    "legacy.xls": "Old Excel .xls files are not supported",
}


def test_corpus_covers_every_file_and_at_least_25_cases():
    files = {p.name for p in DATA.iterdir() if p.is_file() and p.suffix != ".py"}
    assert files == set(LOADS) | set(REFUSES)
    assert len(files) >= 25


@pytest.mark.parametrize("name", sorted(LOADS))
def test_messy_file_loads_with_right_shape_and_types(name):
    rows, dtypes = LOADS[name]
    frame = reglab.load_table(DATA / name)
    assert list(frame.columns) == list(dtypes)
    assert frame.shape[0] == rows
    assert {c: str(t) for c, t in frame.dtypes.items()} == dtypes


@pytest.mark.parametrize("name", sorted(REFUSES))
def test_unusable_file_raises_a_specific_data_error(name):
    with pytest.raises(reglab.DataError, match=REFUSES[name]):
        reglab.load_table(DATA / name)


def test_values_are_read_as_written():
    latin = reglab.load_table(DATA / "semicolon_decimal_comma_latin1.csv")
    assert latin["preis"].tolist() == [1234.5, 2000.0, 999.99, 12345.67]
    assert latin["stadt"].tolist() == ["Zürich", "München", "Köln", "Düsseldorf"]
    assert latin["größe"].tolist() == [1.75, 1.80, 1.62, 1.90]
    assert reglab.load_table(DATA / "cp1252_euro.csv")["note"].tolist() == ["café", "naïve", "crème"]
    assert reglab.load_table(DATA / "thousands_separators.csv")["income"].tolist() == [1234.5, 12000.0, 999.0]
    comment = reglab.load_table(DATA / "quoted_newlines.csv")["comment"].tolist()
    assert comment == ["first line\nsecond line", "plain", "a, with comma"]
    missing = reglab.load_table(DATA / "missing_cells.csv")
    assert missing["a"].isna().tolist() == [False, False, True, True, False]
    assert missing["b"].isna().sum() == 2
    huge = reglab.load_table(DATA / "inf_and_huge.csv")["b"].tolist()
    assert huge[0] == np.inf and huge[1] == 1e308 and huge[2] == -np.inf
    assert reglab.load_table(DATA / "formula_cells.csv")["note"].tolist()[0] == "=1+1"  # kept as text, never evaluated


def test_detection_is_reported():
    loaded = read_table(DATA / "semicolon_decimal_comma_latin1.csv")
    assert loaded.encoding.startswith("Windows-1252") and loaded.delimiter == ";" and loaded.decimal == ","
    assert any("decimal comma" in n for n in loaded.notes)
    assert any("renamed it 'a (2)'" in n for n in read_table(DATA / "duplicate_columns.csv").notes)


def test_size_limit_is_enforced_with_a_clear_message(tmp_path):
    big = tmp_path / "big.csv"
    big.write_bytes(b"a,b\n" + b"1,2\n" * 300_000)  # 1.2 MB
    with pytest.raises(reglab.DataError, match=r"over the 1 MB limit"):
        reglab.load_table(big, max_mb=1)
    with pytest.raises(reglab.DataError, match=r"over the 1 MB limit"):
        reglab.load_table(io.BytesIO(big.read_bytes()), filename="big.csv", max_mb=1)


def test_upload_limit_matches_streamlit_config():
    config = (Path(__file__).parents[1] / ".streamlit" / "config.toml").read_text()
    assert f"maxUploadSize = {MAX_UPLOAD_MB}" in config


def test_bytes_and_file_objects_load_like_paths():
    raw = (DATA / "semicolon_decimal_comma_latin1.csv").read_bytes()
    from_path = reglab.load_csv(DATA / "semicolon_decimal_comma_latin1.csv")
    pd.testing.assert_frame_equal(reglab.load_csv(raw), from_path)
    pd.testing.assert_frame_equal(reglab.load_csv(io.BytesIO(raw)), from_path)


# ---------------------------------------------------------------- property: random tables round-trip

finite = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)
# Names never contain a candidate separator: a one-column file headed "a|b" is ambiguous to
# any reader (is "|" a separator?), so such names say nothing about the loader.
names = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp"), exclude_characters=',;\t|"'),
    min_size=1,
    max_size=8,
)


@st.composite
def tables(draw):
    n_cols = draw(st.integers(1, 5))
    cols = draw(st.lists(names.map(str.strip).filter(bool), min_size=n_cols, max_size=n_cols, unique=True))
    cols = [c for c in cols if c.lower() not in {"na", "n/a", "nan", "null", "none", "missing", "-", "?", ".", "--"}]
    if not cols or all(c.replace(".", "").replace("-", "").replace("+", "").replace("e", "").replace("E", "").isdigit() for c in cols):
        cols = ["a"]
    frame = draw(data_frames([column(c, elements=finite) for c in cols], index=st.just(pd.RangeIndex(draw(st.integers(2, 30))))))
    return frame


@settings(max_examples=int(__import__("os").environ.get("REGLAB_HYPOTHESIS_EXAMPLES", 80)))
@given(
    frame=tables(),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    decimal_comma=st.booleans(),
    crlf=st.booleans(),
)
def test_random_tables_round_trip_through_any_dialect_and_encoding(frame, delimiter, encoding, decimal_comma, crlf):
    if len(set(frame.columns)) != len(frame.columns) or any(
        ch in c for c in frame.columns for ch in ("\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85")
    ):
        frame.columns = [f"col{j}" for j in range(frame.shape[1])]
    try:
        "".join(frame.columns).encode(encoding)
    except UnicodeEncodeError:
        frame.columns = [f"col{j}" for j in range(frame.shape[1])]
    decimal_comma = decimal_comma and delimiter != ","
    text = frame.to_csv(index=False, sep=delimiter, decimal="," if decimal_comma else ".", float_format="%.17g",
                        lineterminator="\r\n" if crlf else "\n", quoting=csv.QUOTE_MINIMAL)
    data = text.encode(encoding)
    if encoding == "cp1252":
        # Bytes that are also valid UTF-8 (e.g. "Â¡" is C2 A1, UTF-8's "¡") are read as UTF-8, the likelier
        # writer: no reader can tell them apart, so such a table is not this test's to check.
        try:
            assume(data.decode("utf-8") == text)
        except UnicodeDecodeError:
            pass
    loaded = reglab.load_csv(data)
    assert list(loaded.columns) == list(frame.columns)
    np.testing.assert_allclose(loaded.to_numpy(dtype=float), frame.to_numpy(dtype=float), rtol=1e-12, atol=0)


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("name", ["cyl\r(count)", "cyl\r\n(count)", "cyl\n(count)"])
def test_a_quoted_line_break_in_the_header_is_part_of_the_name(ending, name):
    """R's write.csv quotes every name; a name holding a carriage return was refused ("Line 2 has 10
    fields…") in a file whose lines end in \\n, and any quoted break in the header made it one column."""
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.integers(0, 9, (30, 10)), columns=[f"c{j}" for j in range(10)]).rename(columns={"c2": name})
    loaded = read_table(frame.to_csv(index=False, lineterminator=ending).encode(), "mtcars.csv")
    assert loaded.frame.shape == (30, 10)
    assert loaded.frame.columns[2] == "cyl (count)"
    np.testing.assert_array_equal(loaded.frame.to_numpy(dtype=float), frame.to_numpy(dtype=float))


def read_carefully(data: bytes, name: str, monkeypatch):
    """read_table with the fast numeric reader switched off: every cell as a string, then typed."""
    import reglab.loading as loading

    with monkeypatch.context() as patch:
        patch.setattr(loading, "_read_fast", lambda *args, **kwargs: None)
        return read_table(data, name)


def assert_same_reading(data: bytes, name: str, monkeypatch) -> None:
    """The fast path for clean numeric tables never changes a result: the same frame (values,
    dtypes, names), notes and error as the careful reader."""
    try:
        careful = read_carefully(data, name, monkeypatch)
    except reglab.DataError as exc:
        with pytest.raises(reglab.DataError) as raised:
            read_table(data, name)
        assert str(raised.value) == str(exc)
        return
    fast = read_table(data, name)
    pd.testing.assert_frame_equal(fast.frame, careful.frame, check_exact=True)
    assert fast.notes == careful.notes and fast.decimal == careful.decimal


@pytest.mark.parametrize("path", sorted(p for p in DATA.iterdir() if p.suffix in (".csv", ".tsv", ".txt")),
                         ids=lambda p: p.name)
def test_the_fast_reader_agrees_with_the_careful_one_on_the_corpus(path, monkeypatch):
    assert_same_reading(path.read_bytes(), path.name, monkeypatch)


@settings(max_examples=60, deadline=None)
@given(data_frames([column(f"c{j}", dtype=float) for j in range(3)]),
       st.sampled_from([",", ";", "\t"]), st.sampled_from(["\n", "\r\n"]), st.sampled_from(["", "NA", "nan"]))
def test_the_fast_reader_agrees_with_the_careful_one_on_any_numbers(frame, sep, ending, na):
    import _pytest.monkeypatch

    data = frame.to_csv(index=False, sep=sep, lineterminator=ending, na_rep=na, float_format=None).encode()
    with _pytest.monkeypatch.MonkeyPatch.context() as monkeypatch:
        assert_same_reading(data, "numbers.csv", monkeypatch)


def test_a_clean_numeric_table_takes_the_fast_reader():
    """The 75,000 × 20 table `make bench` loads: read straight to floats (and equal to pandas)."""
    import reglab.loading as loading

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(3_000, 5)), columns=[f"c{j}" for j in range(5)])
    text = frame.to_csv(index=False)
    fast = loading._read_fast(text, ",", '"', "\n", [])
    assert fast is not None
    np.testing.assert_array_equal(fast.to_numpy(), pd.read_csv(io.StringIO(text)).to_numpy())


def test_a_text_cell_past_the_checked_rows_sends_the_table_to_the_careful_reader(monkeypatch):
    rows = [f"{i},{i * 0.5}" for i in range(1_500)]
    rows[1_200] = "1200,not a number"
    data = ("a,b\n" + "\n".join(rows) + "\n").encode()
    assert_same_reading(data, "late_text.csv", monkeypatch)
    assert read_table(data, "late_text.csv").frame["b"].dtype == object  # text, as the careful reader says


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(allow_nan=True, allow_infinity=False, width=32),
                          st.sampled_from(["a", "b c", " padded ", "NA", "", "x,y", 'say "hi"', "n/a", "Ünï"]),
                          st.integers(-5, 5)), min_size=1, max_size=40),
       st.sampled_from([",", ";", "\t"]))
def test_the_fast_reader_agrees_with_the_careful_one_on_text_and_numbers(rows, sep):
    import _pytest.monkeypatch

    frame = pd.DataFrame(rows, columns=["x", "label", "k"])
    data = frame.to_csv(index=False, sep=sep).encode()
    with _pytest.monkeypatch.MonkeyPatch.context() as monkeypatch:
        assert_same_reading(data, "mixed.csv", monkeypatch)


def test_a_table_with_a_text_column_takes_the_fast_reader_too():
    import reglab.loading as loading

    text = (DATA / "iris_species.csv").read_text(encoding="utf-8")
    fast = loading._read_fast(text, ",", '"', "\n", [])
    assert fast is not None and fast.shape == read_table((DATA / "iris_species.csv").read_bytes(), "iris.csv").frame.shape
    assert sum(pd.api.types.is_object_dtype(d) for d in fast.dtypes) == 1  # the species, as text


def big_table_bytes(variant: str) -> bytes:
    """~1.6 MB of ASCII CSV (past the 1 MB head the plain-ASCII route detects on), with a twist."""
    rng = np.random.default_rng(5)
    n = 50_000
    frame = pd.DataFrame({"x": rng.normal(size=n), "k": rng.integers(-9, 9, n), "label": rng.choice(["a", "b c", "NA"], n),
                          "y": rng.normal(size=n).round(3)})
    if variant == "missing tokens":
        frame.loc[::7, "x"] = np.nan
        frame["label"] = frame["label"].replace("NA", "n/a")
    text = frame.to_csv(index=False, na_rep="NA")
    if variant == "late text":  # a word past the first megabyte in a number column
        lines = text.split("\n")
        lines[45_000] = "oops," + lines[45_000].split(",", 1)[1]
        text = "\n".join(lines)
    elif variant == "blank lines first":
        text = "\n\n" + text
    elif variant == "quoted text":
        text = text.replace(",b c,", ',"b, c",')
    return text.encode("ascii")


@pytest.mark.parametrize("variant", ["plain", "late text", "blank lines first", "quoted text", "missing tokens"])
def test_a_big_plain_ascii_file_reads_as_the_careful_reader_reads_it(variant, monkeypatch):
    data = big_table_bytes(variant)
    assert len(data) > 1 << 20
    assert_same_reading(data, "big.csv", monkeypatch)


def test_a_big_plain_ascii_file_goes_to_pyarrow_as_bytes_without_decoding(monkeypatch):
    import reglab.loading as loading

    def no_decode(data):
        raise AssertionError("the whole file was decoded")

    monkeypatch.setattr(loading, "_decode", no_decode)
    loaded = read_table(big_table_bytes("plain"), "big.csv")
    assert loaded.frame.shape == (50_000, 4) and loaded.notes == ("Columns separated by comma.",)


@given(st.binary(max_size=300), st.integers(1, 64))
def test_the_line_count_that_bounds_a_big_file_counts_every_newline(data, chunk):
    # The size check counts a plain file's lines in chunks; a newline on a chunk's edge counts once.
    from reglab.loading import _newlines

    assert _newlines(data, chunk) == data.count(b"\n")
