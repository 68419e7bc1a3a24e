"""Penalty factors in the app (glmnet's penalty.factor): set on the Data page or in a link, used by
Explore, Compare, CV, the generated code, links and scenarios; a factor-0 feature stays in the model."""

import numpy as np
import pytest

from conftest import open_page

import reglab
from reglab import scenarios
from reglab.ui import state
from reglab.ui.explore import TRANSLATOR

UNPENALIZED_BMI = '{"bmi": 0}'


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def diabetes_prepared():
    data = reglab.load_builtin("diabetes")
    return reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)


def test_a_factor_0_feature_stays_in_the_lasso_at_any_lambda_on_explore():
    at = open_page("pages/2_explore.py", pf=UNPENALIZED_BMI)
    assert not at.exception and not at.error, [e.value for e in at.exception]
    prepared = diabetes_prepared()
    factors = [0.0 if name == "bmi" else 1.0 for name in prepared.feature_names]
    # the top of the grid: every penalized feature is 0, bmi is not
    path = reglab.path(prepared.X_train, prepared.y_train, "l1", penalty_factor=factors)
    next(w for w in at.number_input if w.label == "λ (exact)").set_value(float(path.lambdas[0])).run()
    assert not at.exception
    assert metric(at, "Non-zero coefficients") == "1 of 10"
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", float(path.lambdas[0]), penalty_factor=factors)
    assert fit.coef[prepared.feature_names.index("bmi")] != 0.0 and fit.n_nonzero == 1
    assert metric(at, "Test RMSE") == f"{reglab.diagnostics.rmse(prepared.y_test, fit.predict(prepared.X_test)):.2f}"
    # the link keeps the factors; the glmnet translation and the R script carry them
    assert at.query_params["pf"] == ['{"bmi": 0.0}'] or at.query_params["pf"] == '{"bmi": 0.0}'
    at.session_state[TRANSLATOR] = True  # open "Same model in scikit-learn · glmnet · Spark"
    at.run()
    code = "\n".join(c.value for c in at.code)
    assert "penalty.factor = c(" in code
    at.session_state[state.EXPLORE_TAB] = next(t.label for t in at.tabs if "Reproduce" in t.label)
    at.run()
    code = "\n".join(c.value for c in at.code)
    assert code.count("penalty.factor = c(") >= 2 and "has no per-feature penalty factors" in code
    for label in [t.label for t in at.tabs]:
        at.session_state[state.EXPLORE_TAB] = label
        at.run()
        assert not at.exception and not at.error, label


def test_the_data_page_reports_the_factors_and_a_bad_link_is_refused_with_a_message():
    at = open_page("pages/1_data.py", pf='{"bmi": 0, "s5": 2}')
    assert not at.exception and not at.error
    report = "\n".join(t.value for t in at.text)
    assert "Penalty factors (glmnet's penalty.factor" in report and "'bmi' 0 (unpenalized), 's5' 2" in report
    assert at.session_state[state.PREP]["factors"] == {"bmi": 0.0, "s5": 2.0}
    for bad in ('{"no such column": 0}', '{"bmi": -1}', '{"bmi": "x"}', "[1, 2]", '{"bmi": 1e9}', "{"):
        at = open_page("app.py", pf=bad)  # a link's problems are said on the page it opens
        assert not at.exception, bad
        assert any("penalty factors (pf) are not usable" in w.value.replace("\\", "") for w in at.warning), bad
        assert not at.session_state[state.PREP].get("factors")


def test_compare_uses_the_factors_for_all_three_penalties():
    at = open_page("pages/3_compare.py", pf=UNPENALIZED_BMI)
    assert not at.exception and not at.error, [e.value for e in at.exception]
    prepared = diabetes_prepared()
    factors = [0.0 if name == "bmi" else 1.0 for name in prepared.feature_names]
    table = next(df.value for df in at.dataframe if "model" in df.value.columns and "non-zero" in df.value.columns)
    for _, row in table.iterrows():
        name = {"L1": "l1", "L2": "l2"}.get(row["model"].split()[0], "elasticnet")
        fit = reglab.fit(prepared.X_train, prepared.y_train, name, row["λ"], l1_ratio=row["L1 ratio"] if name ==
                         "elasticnet" else 0.5, penalty_factor=factors)
        assert row["non-zero"] == fit.n_nonzero
    # saved with the factors, and they survive the scenarios file
    next(b for b in at.button if b.label.startswith("Save these three fits")).click().run()
    saved = at.session_state[state.SCENARIOS]
    assert saved[0].preprocessing["factors"] == {"bmi": 0.0}
    assert scenarios.from_json(scenarios.to_json(saved)) == saved


@pytest.mark.parametrize("factors, message", [({"bmi": 0}, None), ({"bmi": float("nan")}, "must be a number ≥ 0"),
                                              ({"age": 0, "sex": 0, "bmi": 0, "bp": 0, "s1": 0, "s2": 0, "s3": 0,
                                                "s4": 0, "s5": 0, "s6": 0}, "Every penalty factor is 0")])
def test_preprocess_checks_the_factors(factors, message):
    data = reglab.load_builtin("diabetes")
    if message is None:
        prepared = reglab.preprocess(data.frame, data.target, penalty_factors=factors)
        assert prepared.penalty("l1").factors[prepared.feature_names.index("bmi")] == 0.0
        plain = reglab.preprocess(data.frame, data.target)
        assert prepared.fingerprint() != plain.fingerprint()  # another model: another cache key
        assert plain.penalty_factors is None and np.isclose(sum(prepared.penalty("l2").factors), 10)
    else:
        with pytest.raises(reglab.DataError, match=message):
            reglab.preprocess(data.frame, data.target, penalty_factors=factors)


def test_a_text_columns_factor_applies_to_each_of_its_one_hot_columns():
    import pandas as pd

    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60), "city": rng.choice(["a", "b", "c"], 60), "y": rng.normal(size=60)})
    prepared = reglab.preprocess(frame, "y", penalty_factors={"city": 0.5})
    assert prepared.feature_sources == ("x", "city", "city", "city")
    assert prepared.penalty_factors == (1.0, 0.5, 0.5, 0.5)


def test_a_scenario_file_may_carry_factors_but_nothing_else_nested():
    import json

    entry = {"name": "a", "dataset": "d", "target": "t", "penalty": "l1", "lam": 1.0, "l1_ratio": 1.0,
             "standardize": True, "coefficients": {"x": 1.0}}

    def read(preprocessing):
        return scenarios.from_json(json.dumps({"format": scenarios.FORMAT, "version": 1,
                                               "scenarios": [{**entry, "preprocessing": preprocessing}]}))

    assert read({"factors": {"bmi": 0, "s5": 2.5}})[0].preprocessing["factors"] == {"bmi": 0.0, "s5": 2.5}
    for bad in ({"factors": {"bmi": -1}}, {"factors": {"bmi": "x"}}, {"factors": [0, 1]}, {"other": {"bmi": 0}}):
        with pytest.raises(reglab.DataError, match="preprocessing"):
            read(bad)


def test_a_three_class_target_with_an_unpenalized_feature_keeps_it_in_every_class():
    import json

    at = open_page("pages/2_explore.py", dataset="wine", pf=json.dumps({"alcohol": 0}))
    assert not at.exception and not at.error, [e.value for e in at.error]
    data = reglab.load_builtin("wine")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0, penalty_factors={"alcohol": 0.0})
    lam = at.session_state[state.LAMBDA]
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", lam, family="multinomial",
                     penalty_factor=prepared.penalty_factors)
    shown = next(m.value for m in at.metric if m.label == "Non-zero coefficients")
    assert shown == f"{fit.n_nonzero} of {len(prepared.feature_names)}"
    alcohol = prepared.feature_names.index("alcohol")
    assert fit.nonzero[:, alcohol].all() and abs(fit.coef[:, alcohol].sum()) <= 1e-9 * abs(fit.coef[:, alcohol]).max()
