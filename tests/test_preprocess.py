"""preprocess: every action counted, statistics fitted on training rows only, nothing dropped silently."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import reglab
from reglab.preprocess import column_summary, default_features, guess_task, preprocess

DATA = Path(__file__).parent / "data"


def frame_with_gaps():
    return pd.DataFrame(
        {
            "num": [1.0, np.nan, 3.0, 4.0, np.nan, 6.0, 7.0, 8.0, 9.0, 10.0],
            "city": ["Oslo", "Rome", None, "Oslo", "Rome", "Oslo", "Lima", "Oslo", "Rome", "Oslo"],
            "y": [1.0, 2.0, 3.0, np.nan, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0],
        }
    )


def test_rows_without_target_are_dropped_and_counted():
    p = preprocess(frame_with_gaps(), "y", test_size=0.0)
    assert p.n_train == 9
    assert any("Dropped 1 row with no value for the target 'y'" in line for line in p.report)


def test_drop_strategy_counts_rows_and_names_columns():
    p = preprocess(frame_with_gaps(), "y", missing="drop", test_size=0.0)
    # rows 1 (num), 2 (city), 4 (num) have a missing feature; row 3 has no target
    assert p.n_train == 6
    line = next(l for l in p.report if l.startswith("Dropped 3 rows with a missing feature"))
    assert "'num': 2" in line and "'city': 1" in line


def test_imputation_uses_training_rows_only():
    frame = pd.DataFrame({"x": [1.0, 2.0, 3.0, np.nan, 1000.0, 1000.0, 1000.0, np.nan], "y": np.arange(8.0)})
    p = preprocess(frame, "y", test_size=0.5, seed=1)
    train_x = frame.loc[p.train_rows, "x"]
    fill = train_x.median()
    assert np.all(p.X_train[train_x.isna().to_numpy(), 0] == fill)
    test_gaps = frame.loc[p.test_rows, "x"].isna().to_numpy()
    assert np.all(p.X_test[test_gaps, 0] == fill)
    assert any(f"training median {fill:.6g}" in line for line in p.report)


def test_one_hot_uses_training_levels_and_optional_baseline():
    frame = pd.DataFrame({"c": ["b", "a", "c", "a", "b", "a"], "y": [1.0, 2, 3, 4, 5, 6]})
    full = preprocess(frame, "y", test_size=0.0)
    assert full.feature_names == ("c=a", "c=b", "c=c")
    np.testing.assert_array_equal(full.X_train.sum(axis=1), 1.0)
    base = preprocess(frame, "y", test_size=0.0, drop_first=True)
    assert base.feature_names == ("c=b", "c=c")
    assert any("baseline 'a'" in line for line in base.report)


def test_category_cap_merges_rare_levels_with_a_warning():
    frame = pd.DataFrame({"c": list("aaaabbbcde"), "y": np.arange(10.0)})
    p = preprocess(frame, "y", test_size=0.0, max_categories=3)
    assert p.feature_names == ("c=a", "c=b", "c=(other)")
    assert any("merged 3 rarer ones" in w for w in p.warnings)


def test_numeric_codes_can_be_treated_as_categories():
    frame = pd.DataFrame({"zip": [1000, 2000, 1000, 3000, 2000, 1000], "y": np.arange(6.0)})
    assert preprocess(frame, "y", test_size=0.0).feature_names == ("zip",)
    assert preprocess(frame, "y", test_size=0.0, categorical=["zip"]).feature_names == ("zip=1000", "zip=2000", "zip=3000")


def test_split_is_seeded_and_stratified_for_classes():
    data = reglab.load_builtin("wine")
    a = preprocess(data.frame, data.target, test_size=0.25, seed=3)
    b = preprocess(data.frame, data.target, test_size=0.25, seed=3)
    np.testing.assert_array_equal(a.test_rows, b.test_rows)
    assert a.task == "classification" and a.class_labels == ("0", "1", "2")
    share = np.bincount(a.y_test.astype(int)) / a.n_test
    overall = np.bincount(np.concatenate([a.y_train, a.y_test]).astype(int)) / (a.n_train + a.n_test)
    np.testing.assert_allclose(share, overall, atol=0.03)
    assert set(a.train_rows).isdisjoint(a.test_rows)


def test_infinite_and_absurd_values_become_missing_and_are_reported():
    p = preprocess(reglab.load_table(DATA / "inf_and_huge.csv"), "y", test_size=0.0, task="regression")
    assert np.isfinite(p.X_train).all() and np.abs(p.X_train).max() < 1e100
    assert any("3 cells of 'b' held ±infinity or a magnitude ≥ 1e100" in line for line in p.report)


def test_collinear_constant_and_wide_data_are_flagged():
    collinear = preprocess(reglab.load_table(DATA / "perfectly_collinear.csv"), "y", test_size=0.0)
    assert any("'b' is perfectly collinear with 'a'" in w for w in collinear.warnings)
    wide = preprocess(reglab.load_table(DATA / "p_greater_than_n.csv"), "y", test_size=0.0)
    assert any("More features (40) than training rows (10)" in w for w in wide.warnings)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target": "nope"}, "target column 'nope' is not in the table"),
        ({"target": "y", "features": []}, "Choose at least one feature"),
        ({"target": "city", "task": "regression"}, "holds text, so it cannot be predicted as a number"),
        ({"target": "y", "test_size": 0.95}, "between 0 and 0.9"),
    ],
)
def test_impossible_choices_are_explained(kwargs, message):
    with pytest.raises(reglab.DataError, match=message):
        preprocess(frame_with_gaps(), **kwargs)


def test_identifier_like_text_is_left_out_by_default():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(50)], "g": ["a", "b"] * 25, "x": rng.normal(size=50),
                          "y": rng.normal(size=50)})
    assert default_features(frame, "y") == ["g", "x"]


def test_row_numbers_and_id_names_are_left_out_and_the_target_is_chosen_by_name_then_type():
    from reglab.preprocess import choose_target, left_out_notes

    rng = np.random.default_rng(1)
    n = 60
    frame = pd.DataFrame({"Unnamed: 0": np.arange(n), "rownames": np.arange(1, n + 1), "patient_id": rng.permutation(n),
                          "ID": rng.permutation(n) + 1000, "age": rng.integers(20, 80, n), "dose": rng.normal(size=n),
                          "serial": np.arange(5, n + 5), "index": rng.normal(size=n), "outcome": rng.normal(size=n),
                          "score": rng.normal(size=n)})
    target, reason = choose_target(frame)
    assert target == "outcome" and "name" in reason  # by name, although 'score' is the last numeric column
    assert default_features(frame, "outcome") == ["age", "dose", "score"]
    notes = " ".join(left_out_notes(frame, "outcome"))
    assert "'serial'" in notes and "counts the rows" in notes and "'patient_id'" in notes
    unnamed = frame.drop(columns=["outcome"])
    # its first column numbers the rows (an R export): the response is the first measured column after it
    assert choose_target(unnamed)[0] == "age" and "names the rows" in choose_target(unnamed)[1]
    assert choose_target(unnamed.drop(columns=["Unnamed: 0", "rownames", "patient_id", "ID"])) == (
        "score", "the last numeric column that is not an identifier")
    ids_last = unnamed[["score", "dose", "ID"]]
    assert choose_target(ids_last)[0] == "dose"  # the last numeric column would be the ID


def test_column_summary_and_task_guess():
    summary = column_summary(frame_with_gaps()).set_index("column")
    assert summary.loc["num", "missing %"] == 20.0 and summary.loc["city", "type"] == "text"
    assert summary.loc["num", "min"] == 1.0 and summary.loc["num", "max"] == 10.0
    assert guess_task(pd.Series([0, 1, 1, 0])) == "classification"
    assert guess_task(pd.Series(np.linspace(0, 1, 50))) == "regression"


def test_fingerprint_covers_values_not_just_shape():
    frame = frame_with_gaps()
    a = preprocess(frame, "y", test_size=0.0)
    changed = frame.copy()
    changed.loc[0, "num"] = 1.5
    b = preprocess(changed, "y", test_size=0.0)
    assert a.X_train.shape == b.X_train.shape and a.fingerprint() != b.fingerprint()
    assert a.fingerprint() == preprocess(frame, "y", test_size=0.0).fingerprint()
