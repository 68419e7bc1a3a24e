"""Work budgets: hostile files and parameters are refused quickly with a message, never by running out of memory.

Each file here is small on disk and would have cost gigabytes or minutes before the budget
checks (see reglab.limits). Every case must answer within seconds with either the right data
or a DataError that names the problem, while the process's memory stays bounded.
"""

from __future__ import annotations

import io
import json
import resource
import time
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import reglab
from reglab import limits, scenarios
from reglab.errors import DataError
from reglab.loading import read_table


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def quick(fn, seconds: float = 5.0):
    """Run ``fn``; it must return or raise DataError within ``seconds`` and grow peak RSS by < 1 GB."""
    before, start = peak_rss_mb(), time.monotonic()
    try:
        result = fn()
    except ValueError as exc:  # DataError, or a generator's ValueError for bad parameters
        result = exc
    assert time.monotonic() - start < seconds
    assert peak_rss_mb() - before < 1000
    return result


def workbook(cells: dict[str, object], sheets: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    for ref, value in cells.items():
        book.active[ref] = value
    for name in sheets:
        book.create_sheet(name)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


TABLE = {"A1": "x", "B1": "y", "A2": 1, "B2": 2.5, "A3": 2, "B3": 4.0, "A4": 3, "B4": 6.5}


def test_a_far_away_cell_in_a_small_workbook_is_refused_by_its_real_used_range():
    data = workbook({**TABLE, "XFD1048576": 1})
    assert len(data) < 10_000
    result = quick(lambda: read_table(data, "far.xlsx"))
    assert isinstance(result, DataError)
    assert "A1:XFD1048576" in str(result) and "XFD1048576" in str(result).split("farthest")[1]


def test_a_workbook_whose_dimension_claims_a_huge_range_reads_only_its_cells():
    data = workbook(TABLE)
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        members = {info.filename: src.read(info) for info in src.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    assert '<dimension ref="A1:B4"' in sheet
    members["xl/worksheets/sheet1.xml"] = sheet.replace('<dimension ref="A1:B4"', '<dimension ref="A1:XFD1048576"').encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, body in members.items():
            dst.writestr(name, body)
    loaded = quick(lambda: read_table(out.getvalue(), "lying.xlsx"))
    assert loaded.frame.shape == (3, 2) and loaded.frame["y"].tolist() == [2.5, 4.0, 6.5]


def test_a_stray_cell_inside_the_budget_is_part_of_the_table():
    loaded = read_table(workbook({**TABLE, "D10": 7}), "stray.xlsx")
    assert loaded.frame.shape[1] == 4  # x, y, an unnamed empty column, and D
    assert any("had no name" in note for note in loaded.notes)


def test_formula_cells_without_saved_values_and_other_sheets_are_noted():
    loaded = read_table(workbook({**TABLE, "C1": "z", "C2": "=A2+B2", "C3": "=A3*2", "C4": 5}, sheets=("Notes", "Old")),
                        "formulas.xlsx")
    notes = " ".join(loaded.notes)
    assert "2 formula cell(s) have no saved result" in notes
    assert "3 sheets; read the first ('Sheet')" in notes and "'Notes', 'Old'" in notes
    assert loaded.frame["z"].isna().sum() == 2


def test_an_xlsx_that_expands_past_the_budget_is_refused_before_parsing():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (40 * limits.MAX_CELLS + 1))
    assert len(out.getvalue()) < 1_000_000
    result = quick(lambda: read_table(out.getvalue(), "bomb.xlsx"))
    assert isinstance(result, DataError) and "expands to" in str(result)


def test_excel_sep_hint_line_names_the_separator():
    loaded = read_table(b"sep=;\r\nname;price;y\r\na;1,5;2\r\nb;2,5;3\r\n", "export.csv")
    assert list(loaded.frame.columns) == ["name", "price", "y"]
    assert loaded.frame["price"].tolist() == [1.5, 2.5]
    assert any("sep=;" in note for note in loaded.notes)


def test_a_100k_character_header_is_read_quickly_and_the_name_is_cut():
    data = ("a" * 100_000 + ",b\n1,2\n3,4\n").encode()
    loaded = quick(lambda: read_table(data, "long.csv"), seconds=2)
    assert loaded.frame.shape == (2, 2)
    assert len(loaded.frame.columns[0]) == limits.MAX_NAME_CHARS + 1  # cut, with an ellipsis
    assert any("longer than 200 characters" in note for note in loaded.notes)


def test_a_column_with_a_giant_cell_is_left_out_naming_where_it_is():
    """A 150,000-character comment no longer refuses the whole file: its column is left out, with a note."""
    data = b"a,comment,b\n1,fine,2\n3," + b"x" * 150_000 + b",4\n"
    loaded = quick(lambda: read_table(data, "cell.csv"))
    assert list(loaded.frame.columns) == ["a", "b"]
    assert loaded.frame["b"].tolist() == [2, 4]
    assert any("Column 2 ('comment') was left out: a cell in data row 2 holds 150,000 characters" in note
               for note in loaded.notes)
    document = quick(lambda: read_table(b"text\n" + b"y" * 20_000 + b"\n", "doc.csv"))
    assert isinstance(document, DataError) and "not a table" in str(document)


def test_too_many_cells_are_refused_before_parsing():
    rows = limits.MAX_CELLS // 2 + 1
    data = b"a,b\n" + b"1,2\n" * rows
    result = quick(lambda: read_table(data, "tall.csv"))
    assert isinstance(result, DataError) and "cells" in str(result)


def test_too_many_columns_are_refused():
    data = (",".join(f"c{j}" for j in range(limits.MAX_COLUMNS + 1)) + "\n").encode() * 2
    result = quick(lambda: read_table(data, "wide.csv"))
    assert isinstance(result, DataError) and f"{limits.MAX_COLUMNS + 1:,} columns" in str(result)


def test_a_late_nul_byte_is_removed_with_a_note_not_a_silent_text_column():
    body = "x,y\n" + "".join(f"{i},{2 * i}\n" for i in range(2000)) + "5\x00,10\n"
    loaded = read_table(body.encode(), "nul.csv")
    assert loaded.frame["x"].dtype == np.float64 and loaded.frame["x"].iloc[-1] == 5.0
    assert any("NUL" in note and "line 2002" in note for note in loaded.notes)


def test_control_characters_in_names_become_spaces():
    loaded = read_table(b'"a\rb","c\x01d",y\n1,2,3\n4,5,6\n', "names.csv")
    assert list(loaded.frame.columns) == ["a b", "c d", "y"]


def test_nested_parquet_columns_are_left_out_with_a_note():
    table = pa.table({"x": [1.0, 2, 3], "tags": [[1, 2], [3], []], "s": [{"a": 1}, {"a": 2}, {"a": 3}],
                      "when": pa.array([1, 2, 3], type=pa.timestamp("s")), "y": [2.0, 3, 5]})
    out = io.BytesIO()
    pq.write_table(table, out)
    loaded = read_table(out.getvalue(), "nested.parquet")
    assert list(loaded.frame.columns) == ["x", "when", "y"]
    assert any("'tags', 's'" in note for note in loaded.notes)
    prepared = reglab.preprocess(loaded.frame, "y", test_size=0.0)  # the app's default features: must not raise
    assert "x" in prepared.feature_names


def test_a_parquet_file_over_the_cell_budget_is_refused_from_its_metadata():
    n = limits.MAX_CELLS // 2 + 1
    table = pa.table({"a": np.zeros(n), "b": np.zeros(n)})
    out = io.BytesIO()
    pq.write_table(table, out, compression="zstd")
    result = quick(lambda: read_table(out.getvalue(), "big.parquet"))
    assert isinstance(result, DataError) and "cells" in str(result)


def test_the_upload_limit_is_counted_in_decimal_megabytes_like_the_browser():
    just_under = b"x,y\n" + b"1,2\n" * ((limits.MAX_UPLOAD_BYTES - 10) // 4)
    assert 49_900_000 < len(just_under) <= limits.MAX_UPLOAD_BYTES  # what the browser lets through as "50 MB"
    with pytest.raises(DataError, match="cells"):  # past the size check; the cell budget answers
        read_table(just_under, "big.csv")
    with pytest.raises(DataError, match="over the 50 MB limit"):
        read_table(just_under + b"1,2\n" * 10, "big.csv")


@pytest.mark.parametrize("params", [{"n": float("inf")}, {"n": 200_000, "p": 2_000}, {"p": float("nan")}])
def test_synthetic_sizes_are_bounded_from_any_source(params):
    result = quick(lambda: reglab.make_synthetic("sparse", **params), seconds=2)
    assert isinstance(result, ValueError)


SCENARIO = {"name": "a", "dataset": "d", "target": "t", "penalty": "l1", "lam": 1.0, "l1_ratio": 1.0,
            "standardize": True, "preprocessing": {"features": ["x"], "test_size": 0.25}, "coefficients": {"x": 1.0}}


def scenario_file(**changes) -> str:
    return json.dumps({"format": scenarios.FORMAT, "version": 1, "scenarios": [{**SCENARIO, **changes}]})


@pytest.mark.parametrize("text, phrase", [
    ('{"format": "reglab-scenarios", "version": 1, "scenarios": ' + "[" * 100_000 + "]" * 100_000 + "}", "levels deep"),
    (scenario_file().replace('"lam": 1.0', '"lam": 1' + "0" * 5000), "too many digits"),
    (scenario_file().replace('"lam": 1.0', '"lam": 1' + "0" * 400), "'lam' must be a finite number"),
    (scenario_file().replace('"test_size": 0.25', '"test_size": NaN'), "preprocessing 'test_size'"),
    (scenario_file(coefficients={"[click me](https://example.com)": "x"}), "must be a finite number"),
    (scenario_file(preprocessing={"a": {"b": 1}}), "preprocessing 'a'"),
])
def test_hostile_scenario_files_give_a_message(text, phrase):
    result = quick(lambda: scenarios.from_json(text), seconds=2)
    assert isinstance(result, DataError) and phrase in str(result)


def test_the_scenario_limit_is_per_session():
    store = scenarios.from_json(scenario_file()) * (limits.MAX_SCENARIOS - 1)
    scenarios.room_for(store, 1)
    with pytest.raises(DataError, match="room for 1 more, not 2"):
        scenarios.room_for(store, 2)


def test_downloads_stay_one_record_per_row_with_every_formula_trigger_neutralized():
    import csv

    from reglab.export import safe_csv

    names = ["\r=3+4", "\x00=1+2", " =SUM(A1)", "\n@cmd", "ok", "-2+3"]
    cells = ["=HYPERLINK(\"http://e\")", "a\rb", "\tx", "+1", "plain", "line\nbreak"]
    frame = pd.DataFrame({name: [cell, 1.5] for name, cell in zip(names, cells)})
    text = safe_csv(frame).decode("utf-8-sig")
    records = list(csv.reader(io.StringIO(text, newline="")))
    assert len(records) == 3  # header + two rows, whatever the line breaks inside fields
    for value in records[0] + records[1]:
        stripped = value.lstrip(" \t\r\n\x00")
        assert not stripped.startswith(("=", "+", "-", "@")) or value.startswith("'"), value
        assert value[:1] not in ("\r", "\n", "\t", "\x00"), value
    assert records[2] == ["1.5"] * len(names)  # numbers untouched


def test_a_design_over_the_feature_budget_is_refused_while_it_is_built():
    rng = np.random.default_rng(0)
    n = limits.MAX_DESIGN_CELLS // 150
    frame = pd.DataFrame({f"t{j}": rng.integers(0, 200, n).astype(str) for j in range(2)})
    frame["y"] = rng.normal(size=n)
    result = quick(lambda: reglab.preprocess(frame, "y", max_categories=200))
    assert isinstance(result, DataError) and "Max levels per category" in str(result)


def best_time(fn, repeats: int = 3) -> float:
    """The fastest of a few runs of ``fn`` (seconds): the cost of the work, not the machine's noise."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        try:
            fn()
        except ValueError:
            pass
        times.append(time.perf_counter() - start)
    return min(times)


def grows_linearly(make_input, parse, sizes=(1, 10, 100)) -> None:
    """Cost at 100× the input within 3 × 100× the cost at 1× (plus a second of slack): a quadratic
    parse would be 10,000×."""
    base, _, largest = (best_time(lambda s=s: parse(make_input(s))) for s in sizes)
    assert largest <= 3 * sizes[-1] * base + 1.0, (base, largest)


@pytest.mark.parametrize("size", [64_000, 1_000_000])
def test_a_crafted_scenario_file_is_refused_at_once(size):
    """An unclosed string of escaped quotes: the old depth check (a regex stripping strings) was
    quadratic on it and held the interpreter lock, freezing every session (64 KB: 8–36 s)."""
    head = '{"format": "reglab-scenarios", "version": 1, "scenarios": [{"name": "'
    text = head + '\\"' * ((size - len(head)) // 2)
    result = quick(lambda: scenarios.from_json(text), seconds=2)
    assert isinstance(result, DataError) and "not valid JSON" in str(result)


def test_scenario_import_cost_grows_no_faster_than_the_file():
    head = '{"format": "reglab-scenarios", "version": 1, "scenarios": [{"name": "'
    grows_linearly(lambda k: head + '\\"' * (32_000 * k), scenarios.from_json)


def test_reading_long_numeric_looking_cells_grows_no_faster_than_the_cells():
    """Twenty cells of digits that end in a letter (a column that is text after all): the number
    patterns backtrack linearly (one took 1.4 s per 10,000-digit cell)."""
    from reglab.loading import read_table

    def csv(k: int) -> bytes:
        return ("a,b\n" + "".join(f"{i},{'7' * (99 * k)}x\n" for i in range(20))).encode()

    grows_linearly(csv, lambda data: read_table(data, filename="cells.csv"))
