"""The relaxed lasso on Explore: a tab for sparse least-squares models whose numbers are the core's
(reglab.relaxed, itself checked against glmnet's relax = TRUE), γ in the link; no exception."""

import pytest

from conftest import open_page

import reglab
from reglab.diagnostics import rmse
from reglab.relaxed import held_out_scores, relaxed_fit
from reglab.selection import cross_validate_relaxed
from reglab.ui import state


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def test_the_relaxed_tab_shows_the_blend_at_lambda_and_the_cv_choice_of_lambda_and_gamma():
    at = open_page("pages/2_explore.py", tab="relaxed", gamma="0.25")
    assert not at.exception and not at.error, [e.value for e in at.exception]
    data = reglab.load_builtin("diabetes")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    lam = at.session_state[state.LAMBDA]
    penalized = reglab.fit(prepared.X_train, prepared.y_train, "l1", lam)
    blended = relaxed_fit(penalized, prepared.X_train, prepared.y_train, 0.25)
    assert metric(at, "Test RMSE, L1 · lasso") == f"{rmse(prepared.y_test, penalized.predict(prepared.X_test)):.5g}"
    assert metric(at, "Test RMSE, γ = 0.25") == f"{rmse(prepared.y_test, blended.predict(prepared.X_test)):.5g}"
    grid = reglab.path(prepared.X_train, prepared.y_train, "l1").lambdas
    cv = cross_validate_relaxed(prepared.X_train, prepared.y_train, "l1", folds=5, seed=0, lambdas=grid)
    caption = next(c.value for c in at.caption if "Cross-validation over (λ, γ)" in c.value)
    assert f"λ.min = {cv.lambda_min:.4g} with γ = {cv.gamma_min:g}" in caption
    assert len(at.get("vega_lite_chart")) == 3  # coefficients, CV per γ, test error
    assert any("relax = TRUE" in c.value and "gamma = 0.25" in c.value for c in at.code)  # the same model in R
    assert at.query_params["gamma"] in ("0.25", ["0.25"]) and at.query_params["tab"] in ("relaxed", ["relaxed"])
    # γ = 1 is the lasso itself
    next(s for s in at.select_slider if s.label == "Relaxation γ").set_value(1.0).run()
    assert metric(at, "Test RMSE, γ = 1") == metric(at, "Test RMSE, L1 · lasso")


def test_the_relaxed_fit_saved_as_a_scenario_is_the_blend_on_compare():
    at = open_page("pages/2_explore.py", tab="relaxed", gamma="0.5")
    next(b for b in at.button if b.label == "Save this relaxed fit as a scenario").click().run()
    assert not at.exception and not at.error
    data = reglab.load_builtin("diabetes")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    lam = at.session_state[state.LAMBDA]
    blended = relaxed_fit(reglab.fit(prepared.X_train, prepared.y_train, "l1", lam), prepared.X_train, prepared.y_train, 0.5)
    (saved,) = at.session_state[state.SCENARIOS]
    assert saved.gamma == 0.5 and saved.lam == lam and "relaxed γ=0.5" in saved.name
    assert saved.coefficients == pytest.approx(dict(zip(prepared.feature_names, blended.coef)), rel=1e-6, abs=1e-9)
    assert saved.metrics["test RMSE"] == pytest.approx(rmse(prepared.y_test, blended.predict(prepared.X_test)), rel=1e-9)
    assert saved.metrics["effective df"] == blended.n_nonzero  # the lasso's df and the refit's are both |A|
    at.switch_page("pages/3_compare.py").run()
    assert not at.exception
    summary = next(df.value for df in at.dataframe if "relaxed γ" in df.value.columns)
    assert summary["relaxed γ"].tolist() == [0.5] and summary["penalty"].tolist() == ["l1, relaxed"]


def test_a_two_class_target_gets_the_relaxed_logistic_lasso():
    at = open_page("pages/2_explore.py", dataset="breast_cancer", tab="relaxed", gamma="0.5")
    assert not at.exception and not at.error, [e.value for e in at.exception]
    data = reglab.load_builtin("breast_cancer")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    lam = at.session_state[state.LAMBDA]
    penalized = reglab.fit(prepared.X_train, prepared.y_train, "l1", lam, family="binomial")
    blended = relaxed_fit(penalized, prepared.X_train, prepared.y_train, 0.5)
    measure, lasso_score, relaxed_score = held_out_scores(penalized, blended, prepared.X_test, prepared.y_test)
    assert measure == "Test log-loss"
    assert metric(at, "Test log-loss, L1 · lasso") == f"{lasso_score:.5g}"
    assert metric(at, "Test log-loss, γ = 0.5") == f"{relaxed_score:.5g}"
    grid = reglab.path(prepared.X_train, prepared.y_train, "l1", family="binomial").lambdas
    cv = cross_validate_relaxed(prepared.X_train, prepared.y_train, "l1", folds=5, seed=0, lambdas=grid, family="binomial")
    caption = next(c.value for c in at.caption if "Cross-validation over (λ, γ)" in c.value)
    assert f"λ.min = {cv.lambda_min:.4g} with γ = {cv.gamma_min:g}" in caption
    assert len(at.get("vega_lite_chart")) == 3
    assert any('family = "binomial"' in c.value and "relax = TRUE" in c.value for c in at.code)


@pytest.mark.parametrize("query", [{"penalty": "l2"}, {"dataset": "wine"}])
def test_no_relaxed_tab_for_ridge_or_three_classes(query):
    at = open_page("pages/2_explore.py", **query)
    assert not at.exception
    assert not any("Relaxed" in t.label for t in at.tabs)


def test_a_bad_gamma_in_a_link_is_named_and_ignored():
    at = open_page("pages/2_explore.py", gamma="7", tab="relaxed")
    assert not at.exception
    assert any("gamma=7" in w.value.replace("\\", "") for w in at.warning)


def test_a_heavy_design_gets_no_relaxed_refits_but_a_reason(monkeypatch):
    from reglab import limits

    monkeypatch.setattr(limits, "HEAVY_FEATURES", 5)  # diabetes' 10 features count as heavy here
    at = open_page("pages/2_explore.py", tab="relaxed")
    next(b for b in at.button if b.label == "Run the analysis").click().run()
    assert not at.exception and not at.error
    assert any("offered below the heavy-analysis size (5 features" in i.value for i in at.info)
    assert not any(m.label.startswith("Test RMSE, γ") for m in at.metric)
