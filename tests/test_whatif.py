"""One row through the model: Fit.contributions sum to the linear predictor; the what-if form's values
and the model row are each other's inverse on every training row; the waterfall ends at η."""

import numpy as np
import pandas as pd
import pytest

import reglab
from reglab import whatif


def table(n=120, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"size": rng.normal(50, 10, n), "age": rng.normal(size=n),
                          "city": rng.choice(["north", "south", "east"], n),
                          '[x](http://e) **b** "]]; q <- 1': rng.choice(["a", "b"], n)})
    frame["price"] = 0.3 * frame["size"] + frame["city"].map({"north": 2.0, "south": -1.0, "east": 0.0}) \
        + rng.normal(size=n)
    return frame


@pytest.mark.parametrize("family", ["gaussian", "binomial", "poisson", "multinomial"])
def test_contributions_sum_with_the_intercept_to_the_linear_predictor(family):
    rng = np.random.default_rng(1)
    X = rng.normal(size=(90, 5)) * [1, 10, 0.1, 3, 1] + [0, 100, 0, -5, 2]
    eta = X @ [0.5, 0.02, 3.0, -0.1, 0.0] - 0.5
    y = {"gaussian": eta + rng.normal(size=90), "binomial": (eta + rng.logistic(size=90) > 0).astype(float),
         "poisson": rng.poisson(np.exp(0.3 * eta)).astype(float),
         "multinomial": np.digitize(eta + rng.normal(size=90), [-1, 0, 1])}[family]
    fit = reglab.fit(X, y, "elasticnet", 0.01, l1_ratio=0.5, family=family)
    parts = fit.contributions(X)
    if family == "multinomial":
        assert parts.shape == (90, len(fit.classes), 5)
        np.testing.assert_allclose(parts.sum(axis=2) + fit.intercept, fit.linear_predictor(X), rtol=0, atol=1e-12 * 100)
    else:
        assert parts.shape == (90, 5)
        np.testing.assert_allclose(parts.sum(axis=1) + fit.intercept, fit.linear_predictor(X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("drop_first", [False, True])
def test_form_values_and_model_rows_round_trip_and_the_waterfall_ends_at_eta(drop_first):
    prepared = reglab.preprocess(table(), "price", test_size=0.25, seed=0, drop_first=drop_first)
    columns = whatif.columns_of(prepared)
    assert [c.name for c in columns][:2] == ["size", "age"] and not columns[2].is_number
    assert (whatif.BASELINE in columns[2].levels) == drop_first
    for x in np.vstack([prepared.X_train, prepared.X_test]):
        values = whatif.values_of(columns, x)
        np.testing.assert_array_equal(whatif.model_row(columns, values, len(x)), x)
    typical = whatif.typical_values(columns)
    assert typical["size"] == pytest.approx(np.median(prepared.X_train[:, 0]))
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", 0.05, feature_names=prepared.feature_names)
    x = prepared.X_test[3]
    frame = whatif.waterfall_frame(fit, x, columns)
    assert frame["step"].iloc[0] == "(intercept)" and frame["kind"].iloc[-1] == "total"
    assert frame["end"].iloc[-1] == pytest.approx(fit.linear_predictor(x[None, :])[0], abs=1e-12)
    assert frame["end"].iloc[-2] == pytest.approx(frame["end"].iloc[-1], abs=1e-12)  # the last step lands on η
    city = frame[frame["step"] == "city"]
    if len(city):
        assert city["value"].iloc[0] == whatif.values_of(columns, x)["city"]
