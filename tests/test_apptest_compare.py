"""Compare page through AppTest: three penalties, scenarios saved, compared, exported and imported."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from conftest import open_page

from reglab import scenarios
from reglab.ui import state

ROOT = Path(__file__).resolve().parents[1]


def compare_page(**query) -> AppTest:
    return open_page("pages/3_compare.py", **query)


def test_three_penalties_side_by_side_with_their_own_lambda():
    at = compare_page()
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert list(table["model"]) == ["L1 (lasso)", "L2 (ridge)", "elastic net (α = 0.5)"]
    assert set(table["λ chosen by"]) == {"λ.1se"}
    assert table.loc[1, "non-zero"] == 10  # ridge keeps everything
    at.segmented_control[0].set_value("same").run()
    same = at.dataframe[0].value
    assert same["λ"].nunique() == 1 and set(same["λ chosen by"]) == {"same λ"}


def test_correlated_groups_are_detected_and_named():
    at = compare_page(dataset="groups")
    assert not at.exception
    pairs = at.dataframe[1].value
    assert len(pairs) == 12 and (pairs["correlation"].abs() > 0.9).all()
    assert any("group 1: g1_1, g1_2, g1_3" in g for g in at.dataframe[2].value["group"])


def test_save_compare_export_and_import_scenarios():
    at = compare_page()
    next(b for b in at.button if b.label.startswith("Save these three fits")).click().run()
    assert not at.exception
    saved = at.session_state[state.SCENARIOS]
    assert len(saved) == 3 and saved[0].penalty == "l1" and saved[1].penalty == "l2"
    summary = next(df.value for df in at.dataframe if "name" in df.value.columns and "penalty" in df.value.columns)
    assert len(summary) == 3
    b_choice = next(s for s in at.selectbox if s.label == "Scenario B")
    b_choice.set_value(1).run()
    diffs = [df.value for df in at.dataframe if "change (B − A)" in df.value.columns]
    assert len(diffs) == 2
    coef_diff = next(d for d in diffs if "feature" in d.columns)
    assert (coef_diff["change (B − A)"].abs() > 0).any()
    # Round trip through the JSON the export button offers.
    exported = scenarios.to_json(saved)
    assert scenarios.from_json(exported) == saved


def test_malformed_import_shows_a_message_not_a_traceback():
    at = compare_page()
    at.file_uploader[0].upload("bad.json", b'{"format": "reglab-scenarios", "version": 1, "scenarios": [{"name": 1}]}').run()
    assert not at.exception
    assert "Scenario 1" in at.error[0].value


def test_explore_can_save_a_fit_for_compare():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    at.switch_page("pages/2_explore.py").run()
    next(b for b in at.button if b.label.startswith("Save this fit")).click().run()
    assert not at.exception
    at.switch_page("pages/3_compare.py").run()
    assert len(at.session_state[state.SCENARIOS]) == 1
    assert at.session_state[state.SCENARIOS][0].penalty == "l1"


def test_elastic_net_alpha_is_the_same_on_compare_after_explore_with_l1():
    # One stored L1 ratio for both pages: Explore's slider (disabled under L1) must not leave
    # Compare's slider at its minimum.
    at = open_page("pages/2_explore.py")
    assert at.session_state[state.PENALTY] == "l1"
    at.switch_page("pages/3_compare.py").run()
    assert not at.exception
    assert next(s for s in at.slider if "L1 ratio" in s.label).value == 0.5
    assert "elastic net (α = 0.5)" in list(at.dataframe[0].value["model"])
    next(s for s in at.slider if "L1 ratio" in s.label).set_value(0.7).run()
    at.switch_page("pages/2_explore.py").run()
    assert next(s for s in at.slider if s.label.startswith("L1 ratio")).value == 0.7


def test_without_test_rows_compare_says_so_instead_of_none_and_diff_headers_are_short():
    at = compare_page(dataset="diabetes", test="0")
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert "test RMSE" not in table.columns and "test R²" not in table.columns  # they read "None"
    assert any("No test rows" in c.value for c in at.caption)
    next(b for b in at.button if b.label.startswith("Save these three fits")).click().run()
    next(s for s in at.selectbox if s.label == "Scenario B").set_value(1).run()
    diffs = [df.value for df in at.dataframe if "change (B − A)" in df.value.columns]
    assert len(diffs) == 2 and all(list(d.columns)[1:] == ["A", "B", "change (B − A)"] for d in diffs)
