"""Compare's core: correlated groups (L1 picks one, L2 spreads), stability, two-knob CV, scenarios."""

import dataclasses
import json

import numpy as np
import pytest

import reglab
from reglab import compare, scenarios
from reglab.data import make_correlated_groups
from reglab.objective import Penalty

from conftest import make_problem


@pytest.fixture(scope="module")
def groups_data():
    data = make_correlated_groups(n=300, n_groups=4, group_size=3, within_corr=0.95, n_informative_groups=2, seed=0)
    X = data.frame[data.feature_names].to_numpy()
    return data, X, data.frame["y"].to_numpy()


def test_l1_keeps_fewer_per_group_than_elastic_net_and_l2_spreads_weight_evenly():
    # The generator's defaults (200 rows, 4 groups of 3 at ρ = 0.95, 2 informative), seed 0.
    # L1 has to choose within a group only once λ is strong enough: here 0.6·λ_max (at small
    # λ the shared signal is large enough for the lasso to keep every member too).
    data = make_correlated_groups(seed=0)
    X, y = data.frame[data.feature_names].to_numpy(), data.frame["y"].to_numpy()
    groups = compare.correlated_groups(compare.correlated_pairs(X, data.feature_names, threshold=0.9))
    assert groups == [[f"g{g}_{m}" for m in (1, 2, 3)] for g in (1, 2, 3, 4)]
    lam = 0.6 * reglab.lambda_grid(reglab.prepare(X, y), Penalty.of("l1"))[0]
    candidates = [compare.Candidate("l1", 1.0, lam), compare.Candidate("elasticnet", 0.5, lam), compare.Candidate("l2", 0.0, lam)]
    result = compare.compare_models(X, y, X[:0], y[:0], candidates, feature_names=data.feature_names)
    summary = compare.group_summary(result.coefficients, groups)
    informative = summary[summary["group"].str.startswith(("group 1", "group 2"))].groupby("model")
    selected, spread = informative["selected"].sum(), informative["spread"].mean()
    assert selected["L1 (lasso)"] < selected["elastic net (α = 0.5)"] == 6
    assert spread["L2 (ridge)"] < spread["L1 (lasso)"]


def test_correlated_pairs_report_the_correlation(groups_data):
    data, X, _ = groups_data
    pairs = compare.correlated_pairs(X, data.feature_names, threshold=0.9)
    assert len(pairs) == 12 and (pairs["correlation"].abs() > 0.9).all()
    assert compare.correlated_pairs(X, data.feature_names, threshold=0.99).empty


def test_selection_frequencies_are_shares_and_reproducible(groups_data):
    _, X, y = groups_data
    lam = 0.1 * reglab.lambda_grid(reglab.prepare(X, y), Penalty.of("l1"))[0]
    seen = []
    a = compare.selection_frequency(X, y, "l1", 1.0, lam, resamples=20, seed=4, progress=seen.append)
    b = compare.selection_frequency(X, y, "l1", 1.0, lam, resamples=20, seed=4)
    assert np.all((a >= 0) & (a <= 1)) and np.all(a * 20 == np.round(a * 20))
    np.testing.assert_array_equal(a, b)
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert a[6:].max() < a[:6].max()  # noise groups are picked less often than signal groups


def test_cv_heatmap_marks_one_minimum_and_a_one_se_region():
    X, y, _ = make_problem(120, 8, rho=0.5, seed=2)
    table = compare.cv_heatmap(X, y, ratios=(0.2, 0.6, 1.0), n_lambdas=12, folds=4)
    assert table["is_min"].sum() == 1
    best = table[table["is_min"]].iloc[0]
    assert best["mean_error"] == table["mean_error"].min() and best["within_1se"]
    assert (table.loc[table["within_1se"], "mean_error"] <= best["mean_error"] + best["se"]).all()
    # the lasso column equals an independent CV curve on the same grid at the same (resampling) KKT
    # standard, and the exact curve to well beyond the 4 digits the heatmap shows
    from reglab.solvers import RESAMPLING_KKT_TOLERANCE

    grid = table[table["l1_ratio"] == 1.0]["lambda"].to_numpy()
    column = table[table["l1_ratio"] == 1.0]["mean_error"]
    cv = reglab.cross_validate(X, y, penalty="l1", folds=4, seed=0, lambdas=grid, kkt_tolerance=RESAMPLING_KKT_TOLERANCE)
    np.testing.assert_allclose(column, cv.mean_error, rtol=1e-12)
    exact = reglab.cross_validate(X, y, penalty="l1", folds=4, seed=0, lambdas=grid)
    np.testing.assert_allclose(column, exact.mean_error, rtol=1e-6)


def test_repeated_cv_shows_how_lambda_choices_move_with_the_folds():
    X, y, _ = make_problem(100, 6, seed=3)
    spread = compare.repeated_cv(X, y, "l1", 1.0, seeds=range(5), folds=5)
    assert list(spread["seed"]) == [0, 1, 2, 3, 4]
    assert (spread["lambda_1se"] >= spread["lambda_min"]).all()
    assert spread["lambda_min"].nunique() > 1


def example_scenarios():
    return [
        scenarios.Scenario("lasso", "builtin:diabetes", "progression", "l1", 1.5, 1.0, True, {"test_size": 0.25},
                           {"test RMSE": 55.1, "non-zero": 7}, {"age": 0.0, "bmi": 5.2}, 152.0),
        scenarios.Scenario("ridge", "builtin:diabetes", "progression", "l2", 1.5, 0.0, True, {},
                           {"test RMSE": 56.0, "non-zero": 10}, {"age": 0.3, "bmi": 4.0, "bp": 1.1}, 151.0),
    ]


def test_scenarios_round_trip_through_json():
    saved = example_scenarios()
    assert scenarios.from_json(scenarios.to_json(saved)) == saved
    assert scenarios.from_json(scenarios.to_json(saved).encode("utf-8")) == saved


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: "{not json", r"not valid JSON \(line 1"),
        (lambda d: json.dumps({"format": "other"}), "not a Regularization Lab scenarios file"),
        (lambda d: json.dumps({**d, "version": 9}), "Unsupported scenarios file version 9"),
        (lambda d: json.dumps({**d, "scenarios": [{**d["scenarios"][0], "penalty": "l3"}]}), "Scenario 1: penalty must be"),
        (lambda d: json.dumps({**d, "scenarios": [{**d["scenarios"][0], "lam": "big"}]}), "'lam' must be a finite number"),
        (lambda d: json.dumps({**d, "scenarios": [{**d["scenarios"][0], "coefficients": {"x": "=1+1"}}]}), "coefficient 'x'"),
        (lambda d: json.dumps({**d, "scenarios": [{**d["scenarios"][0], "standardize": "yes"}]}), "'standardize' must be true or false"),
        (lambda d: json.dumps({**d, "scenarios": "nope"}), "no list of scenarios"),
        (lambda d: json.dumps({**d, "scenarios": [{**d["scenarios"][0], "gamma": 1.5}]}), "'gamma' .* between 0 and 1"),
        (lambda d: json.dumps({**d, "scenarios": [{**d["scenarios"][1], "gamma": 0.5}]}), "ridge selects nothing to refit"),
    ],
)
def test_malformed_scenario_files_are_refused_with_a_clear_message(mutate, message):
    good = json.loads(scenarios.to_json(example_scenarios()))
    with pytest.raises(reglab.DataError, match=message):
        scenarios.from_json(mutate(good))


def test_a_relaxed_and_a_grouped_scenario_say_so_in_the_summary_diff_and_file():
    lasso, ridge = example_scenarios()
    relaxed = dataclasses.replace(lasso, name="relaxed", gamma=0.25, preprocessing={"grouped": True})
    assert scenarios.from_json(scenarios.to_json([relaxed, ridge])) == [relaxed, ridge]
    table = scenarios.summary([relaxed, ridge]).set_index("name")
    assert table.loc["relaxed", "penalty"] == "l1 (grouped), relaxed" and table.loc["ridge", "penalty"] == "l2"
    assert table.loc["relaxed", scenarios.RELAXED_GAMMA] == 0.25 and table.loc["ridge", scenarios.RELAXED_GAMMA] == 1.0
    assert scenarios.RELAXED_GAMMA not in scenarios.summary([lasso, ridge]).columns  # no column nobody needs
    _, metrics = scenarios.diff(ridge, relaxed)
    assert metrics.set_index("metric").loc[scenarios.RELAXED_GAMMA, "change (B − A)"] == pytest.approx(-0.75)
    # a file written before γ existed reads as the penalized fit
    old = json.loads(scenarios.to_json([lasso]))
    del old["scenarios"][0]["gamma"]
    assert scenarios.from_json(json.dumps(old))[0].gamma == 1.0


def test_diff_lines_up_features_and_metrics():
    a, b = example_scenarios()
    coefs, metrics = scenarios.diff(a, b)
    row = coefs.set_index("feature").loc["bp"]
    assert row["A · lasso"] == 0.0 and row["B · ridge"] == 1.1 and row["change (B − A)"] == 1.1
    rmse = metrics.set_index("metric").loc["test RMSE"]
    assert rmse["change (B − A)"] == pytest.approx(0.9)


def test_bootstrap_intervals_are_percentiles_of_refits_on_the_same_resamples_and_reproducible_by_seed():
    from reglab.compare import bootstrap_rows, coefficient_intervals

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5)) * [1, 5, 0.2, 1, 1] + [0, 10, 0, 0, 3]
    y = X @ [1.0, 0.3, 0.0, -2.0, 0.0] + rng.normal(size=120)
    lam = 0.1
    first = coefficient_intervals(X, y, "elasticnet", 0.5, lam, resamples=40, seed=7, level=0.9)
    again = coefficient_intervals(X, y, "elasticnet", 0.5, lam, resamples=40, seed=7, level=0.9)
    np.testing.assert_array_equal(first.lower, again.lower)
    np.testing.assert_array_equal(first.upper, again.upper)
    # independently: the same rows (same generator), each resample fitted by the public API
    draws = bootstrap_rows(y, 40, np.random.default_rng(7))
    coefs = np.array([reglab.fit(X[rows], y[rows], "elasticnet", lam, l1_ratio=0.5).coef for rows in draws])
    np.testing.assert_allclose(first.lower, np.quantile(coefs, 0.05, axis=0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(first.upper, np.quantile(coefs, 0.95, axis=0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(first.frequency, (np.abs(coefs) > 0).mean(axis=0))
    other = coefficient_intervals(X, y, "elasticnet", 0.5, lam, resamples=40, seed=8, level=0.9)
    assert not np.array_equal(other.lower, first.lower)
    with pytest.raises(ValueError, match="level"):
        coefficient_intervals(X, y, "l1", 1.0, lam, resamples=5, level=1.5)
