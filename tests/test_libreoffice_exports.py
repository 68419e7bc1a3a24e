"""Real exports from LibreOffice Calc (tests/data/libreoffice/make.sh): every separator, quote and
encoding option Calc offers loads to the same table, values exact, text intact."""

from pathlib import Path

import numpy as np
import pytest

from reglab.loading import read_table

FOLDER = Path(__file__).parent / "data" / "libreoffice"
CITIES = sorted(p.name for p in FOLDER.glob("lo_*") if p.name != "lo_calc_formulas.xlsx")


@pytest.mark.parametrize("name", CITIES)
def test_calc_export_loads_to_the_same_table(name):
    frame = read_table(FOLDER / name).frame
    assert list(frame.columns) == ["city", "area_km2", "population", "density", "founded", "note", "y"]
    assert frame["city"].tolist() == ["München", "Zürich", "Kraków", "São Paulo", "Ørsted"]
    np.testing.assert_array_equal(frame["population"], [1512491, 421878, 804237, 11451245, 3000])
    np.testing.assert_array_equal(frame["area_km2"].iloc[:4], [310.7, 87.88, 326.8, 1521.1])
    assert np.isnan(frame["area_km2"].iloc[4]) and frame["founded"].iloc[1] == -15
    assert frame["note"].tolist()[:2] == ['Bavarian capital, "Isar"', "Größte Stadt"]
    assert frame["note"].isna().iloc[2] and frame["note"].iloc[4] == "multi\nline"
    np.testing.assert_array_equal(frame["y"], [12.5, 8.25, 7.0, 15.75, 3.5])


def test_calc_workbook_formulas_arrive_with_their_saved_values():
    loaded = read_table(FOLDER / "lo_calc_formulas.xlsx")
    assert loaded.frame["double"].tolist() == [2.0, 4.0, 6.0]
    assert not any("formula" in note for note in loaded.notes)
