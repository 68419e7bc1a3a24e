"""Real data, real labels (core): targets no classifier can use are refused with the fix named,
text class labels reach every result, the non-zero rule has an absolute floor, groups take any
labels, and the default task follows a stated rule."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import reglab
from reglab.preprocess import guess_task
from reglab.relaxed import relaxed_fit


def frame_with_target(labels, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"a": rng.standard_normal(len(labels)), "b": rng.standard_normal(len(labels)),
                         "kind": labels})


def test_a_text_target_with_200_labels_is_refused_with_its_fix():
    """400 rows, 200 labels: the stratified split used to fail inside scikit-learn (a ValueError
    that took every page down); now a DataError says what to do."""
    frame = frame_with_target([f"label {i % 200}" for i in range(400)])
    with pytest.raises(reglab.DataError, match="200 distinct values.*more than the 50.*Merge its values"):
        reglab.preprocess(frame, "kind")


@pytest.mark.parametrize("labels, words", [
    ([f"c{i % 12}" for i in range(40)], "fewer than the 12 classes"),             # split cannot hold every class
    (["a"] * 30 + ["b"] * 9 + ["c"], "1 class\\(es\\) with a single row \\('c'\\)"),  # one row of a class
])
def test_targets_a_classifier_cannot_use_are_explained_before_any_fit(labels, words):
    frame = frame_with_target(labels)
    with pytest.raises(reglab.DataError, match=words):
        reglab.preprocess(frame, "kind", test_size=0.25, seed=3)


def test_no_split_leaves_a_class_with_fewer_than_two_training_rows():
    frame = frame_with_target(["a"] * 30 + ["b"] * 8 + ["c"] * 2)
    refused = 0
    for seed in range(12):
        try:
            prepared = reglab.preprocess(frame, "kind", test_size=0.25, seed=seed)
        except reglab.DataError as exc:
            assert "fewer than 2 training rows ('c')" in str(exc) and "Lower the test share" in str(exc)
            refused += 1
            continue
        assert np.bincount(prepared.y_train.astype(int)).min() >= 2
    assert refused > 0  # some splits put one of the two 'c' rows into the test rows


def test_a_constant_target_is_named_by_its_value_not_called_a_class():
    frame = frame_with_target([5.0] * 30)
    with pytest.raises(reglab.DataError, match=r"same value \('5'\) in every row"):
        reglab.preprocess(frame, "kind", task="classification")


def test_a_rare_class_without_a_split_still_gets_two_training_rows():
    frame = frame_with_target(["a"] * 30 + ["b"] * 8 + ["c"] * 2)
    prepared = reglab.preprocess(frame, "kind", test_size=0.0)
    assert prepared.class_labels == ("a", "b", "c")


@pytest.mark.parametrize("values, task", [
    ([0, 1] * 10, "classification"),                             # a 0/1 outcome, however few rows
    ([4] * 11 + [6] * 7 + [8] * 14, "classification"),           # mtcars cyl: every level ≥ 7 rows
    ([1] * 7 + [2] * 10 + [3] * 3 + [4] * 10 + [6] + [8], "regression"),  # mtcars carb: rare levels
    (list(range(10)) * 3, "counts"),                             # 10 levels of 3 rows, with 0 (esoph ncases): Poisson
    ([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13] * 3, "regression"),  # whole numbers without a 0: a size, not counts
    ([1.5, 2.5] * 10 + [3.5], "regression"),                     # fractions
    (["x", "y", "z"] * 3, "classification"),                     # text
])
def test_the_default_task_rule(values, task):
    assert guess_task(pd.Series(values)) == task


def test_six_text_classes_reach_the_path_the_fit_and_their_tables():
    rng = np.random.default_rng(2)
    labels = np.array(["Con", "Head", "Tabl", "Veh", "WinF", "WinNF"])[rng.integers(0, 6, 240)]
    frame = frame_with_target(labels)
    frame["a"] += (labels == "Head") * 2.0
    prepared = reglab.preprocess(frame, "kind", test_size=0.25, seed=0)
    assert prepared.class_labels == ("Con", "Head", "Tabl", "Veh", "WinF", "WinNF")
    design = reglab.prepare(prepared.X_train, prepared.y_train, family="multinomial",
                            class_labels=prepared.class_labels, feature_names=prepared.feature_names)
    path = reglab.fitting.path_design(design, reglab.Penalty.of("l1"))
    assert path.classes == prepared.class_labels
    assert set(path.to_frame()["class"]) == set(prepared.class_labels)
    fit = path.fit_at(path.lambdas[40])
    table = fit.to_frame()  # the "Coefficients at this λ" CSV: one block per class (it used to raise)
    assert list(table.columns) == ["class", "feature", "coefficient", "standardized"]
    assert len(table) == 6 * (len(prepared.feature_names) + 1)
    head = table[(table["class"] == "Head") & (table["feature"] != "(intercept)")]
    np.testing.assert_array_equal(head["coefficient"].to_numpy(), fit.coef[1])
    assert set(fit.predict_class(prepared.X_test)) <= set(prepared.class_labels)


def test_codes_that_do_not_match_their_labels_are_refused():
    with pytest.raises(reglab.DataError, match="class_labels names 2 classes"):
        reglab.prepare(np.ones((4, 1)) * [[1], [2], [3], [4]], np.array([0, 1, 2, 1.0]), family="multinomial",
                       class_labels=("a", "b"))


def test_at_a_rounding_error_below_lambda_max_nothing_is_selected_and_the_relaxed_fit_is_the_null_model():
    """glmnet's λ sequence starts at λ_max as computed in its own arithmetic: a rounding error
    below ours every weight is ~1e-15. The relative rule alone counted the largest as selected and
    the relaxed lasso refit it by least squares (df 1; glmnet: df 0)."""
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    lam_max = reglab.path(X, y, "l1").lambdas[0]
    for lam in (lam_max, lam_max * (1 - 1e-14), lam_max * (1 - 1e-12)):
        fit = reglab.fit(X, y, "l1", lam)
        assert fit.n_nonzero == 0
        refit = relaxed_fit(fit, X, y, 0.0)
        assert refit.n_nonzero == 0
        np.testing.assert_allclose(refit.predict(X), y.mean(), atol=1e-9 * y.std())
    # a weight the solver really moved is still counted, however small the λ step below λ_max
    assert reglab.fit(X, y, "l1", lam_max * (1 - 1e-4)).n_nonzero == 1


def test_groups_take_text_labels():
    rng = np.random.default_rng(4)
    X = rng.standard_normal((60, 4))
    y = X @ [1.0, 1.0, 0.0, 0.5] + rng.standard_normal(60)
    by_text = reglab.fit(X, y, "l1", 0.1, groups=["size", "size", "city", "age"])
    by_code = reglab.fit(X, y, "l1", 0.1, groups=[0, 0, 1, 2])
    np.testing.assert_array_equal(by_text.coef, by_code.coef)


R_DATA = """library(MASS)
for (name in c("mtcars", "swiss", "airquality", "LifeCycleSavings", "ToothGrowth", "birthwt", "fgl", "Pima.tr", "esoph"))
  write.csv(get(name), paste0(name, ".csv"))
"""


def test_default_targets_and_tasks_on_r_data_sets_as_r_writes_them(tmp_path):
    """R's write.csv puts the row names first; its data sets put the response first (mtcars mpg, not
    carb; airquality Ozone, not Day) or are classes in the last column (fgl type, Pima.tr type).
    Small-integer targets with rare levels are regression, not six classes with one row."""
    import subprocess

    from reglab.loading import read_table
    from reglab.preprocess import choose_target

    (tmp_path / "data.R").write_text(R_DATA)
    run = subprocess.run(["Rscript", "data.R"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    expected = {"mtcars": ("mpg", "regression"), "swiss": ("Fertility", "regression"),
                "airquality": ("Ozone", "regression"), "LifeCycleSavings": ("sr", "regression"),
                "ToothGrowth": ("len", "regression"), "birthwt": ("bwt", "regression"),
                "fgl": ("type", "classification"), "Pima.tr": ("type", "classification"),
                "esoph": ("ncases", "counts")}  # cases per group: counts (a Poisson model, as glmnet would fit)
    for name, (target, task) in expected.items():
        frame = read_table((tmp_path / f"{name}.csv").read_bytes(), f"{name}.csv").frame
        chosen, reason = choose_target(frame)
        assert (chosen, guess_task(frame[chosen])) == (target, task), (name, reason)
    mtcars = read_table((tmp_path / "mtcars.csv").read_bytes(), "mtcars.csv").frame
    assert guess_task(mtcars["carb"]) == "regression" and guess_task(mtcars["cyl"]) == "classification"
    birthwt = read_table((tmp_path / "birthwt.csv").read_bytes(), "birthwt.csv").frame
    warnings = " ".join(reglab.preprocess(birthwt, "bwt").warnings)
    assert "'low' looks like a function of the target 'bwt' (a cut of it" in warnings


def test_a_copy_of_the_target_is_named_and_an_honest_feature_is_not():
    rng = np.random.default_rng(8)
    y = rng.normal(size=200)
    frame = pd.DataFrame({"honest": y + rng.normal(size=200), "copy": 3 * y + 1e-3 * rng.normal(size=200), "y": y})
    warnings = reglab.preprocess(frame, "y").warnings
    assert any("'copy' looks like a function of the target 'y' (correlation +1.000" in w for w in warnings)
    assert not any("'honest'" in w for w in warnings)


def test_a_date_column_is_called_a_date_not_a_name():
    from reglab.preprocess import id_like_columns

    n = 60
    frame = pd.DataFrame({"day": pd.date_range("2025-01-01", periods=n).strftime("%d/%m/%Y"),
                          "who": [f"person {i}" for i in range(n)], "x": np.arange(n) * 1.5})
    reasons = id_like_columns(frame)
    assert "dates or times" in reasons["day"] and "name or identifier" in reasons["who"]
