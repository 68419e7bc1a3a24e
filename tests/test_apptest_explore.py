"""Explore page through AppTest: penalty, λ and L1 ratio drive the metrics; λ.min/λ.1se buttons set λ."""

from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from conftest import open_page

import reglab
from reglab.ui import state
from reglab.ui.explore import TRANSLATOR, slider_stops

ROOT = Path(__file__).resolve().parents[1]


def explore(**query) -> AppTest:
    return open_page("pages/2_explore.py", **query)


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def by_label(widgets, label):
    return next(w for w in widgets if w.label.startswith(label))


def open_tab(at: AppTest, name: str) -> AppTest:
    """Click a tab (tabs are lazy: only the open one runs)."""
    at.session_state[state.EXPLORE_TAB] = next(t.label for t in at.tabs if name in t.label)
    return at.run()


def reference_cv():
    data = reglab.load_builtin("diabetes")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    grid = reglab.path(prepared.X_train, prepared.y_train, penalty="l1").lambdas
    return reglab.cross_validate(prepared.X_train, prepared.y_train, penalty="l1", folds=5, seed=0, lambdas=grid)


def test_default_view_is_lasso_at_lambda_1se_with_its_sparsity():
    at = explore()
    assert not at.exception, [e.value for e in at.exception]
    cv = reference_cv()
    assert at.session_state[state.LAMBDA] == pytest.approx(cv.lambda_1se)
    assert metric(at, "Non-zero coefficients") == f"{cv.n_nonzero[cv.index_1se]} of 10"
    assert at.query_params["penalty"] == "l1" and float(at.query_params["lam"]) == pytest.approx(cv.lambda_1se, rel=1e-5)


def test_moving_lambda_changes_the_metrics():
    at = explore()
    before = (metric(at, "Non-zero coefficients"), metric(at, "Training RMSE"))
    by_label(at.number_input, "λ (exact)").set_value(20.0).run()
    assert not at.exception
    assert at.session_state[state.LAMBDA] == 20.0
    after = (metric(at, "Non-zero coefficients"), metric(at, "Training RMSE"))
    assert after != before
    assert int(after[0].split()[0]) < int(before[0].split()[0])  # stronger λ, fewer features
    stops = slider_stops(reference_cv().lambdas)
    stop = min(stops, key=lambda v: abs(np.log(v / 0.1)))
    slider = by_label(at.select_slider, "λ (log scale)")
    assert slider.options[stops.index(stop)] == f"{stop:.3g}"  # the slider shows λ itself, not 10^…
    slider.set_value(stop).run()
    assert at.session_state[state.LAMBDA] == stop == pytest.approx(0.1, rel=0.03)
    assert metric(at, "Non-zero coefficients") == "10 of 10"


def test_lambda_buttons_set_lambda_min_and_lambda_1se():
    at = explore()
    cv = reference_cv()
    next(b for b in at.button if b.label.startswith("λ.min")).click().run()
    assert at.session_state[state.LAMBDA] == pytest.approx(cv.lambda_min)
    assert by_label(at.number_input, "λ (exact)").value == pytest.approx(cv.lambda_min)
    next(b for b in at.button if b.label.startswith("λ.1se")).click().run()
    assert at.session_state[state.LAMBDA] == pytest.approx(cv.lambda_1se)


def translator_code(at) -> str:
    """The code blocks of "Same model in scikit-learn · glmnet · Spark", opened as a person would
    (it is drawn only while open)."""
    at.session_state[TRANSLATOR] = True
    at.run()
    return "\n".join(c.value for c in at.code)


def test_penalty_and_l1_ratio_change_the_model():
    at = explore()
    at.segmented_control[0].set_value("l2").run()
    assert not at.exception
    assert metric(at, "Non-zero coefficients") == "10 of 10"  # ridge keeps every feature
    assert "Ridge(alpha=" in translator_code(at)
    at.segmented_control[0].set_value("elasticnet").run()
    at.number_input[1].set_value(1.0).run()  # λ (exact)
    dense = metric(at, "Effective df")
    by_label(at.slider, "L1 ratio").set_value(0.9).run()
    assert not at.exception and metric(at, "Effective df") != dense
    assert at.query_params["l1_ratio"] == "0.9"


def test_view_round_trips_through_the_url():
    at = explore(penalty="elasticnet", lam="2.5", l1_ratio="0.3")
    assert not at.exception
    assert at.session_state[state.PENALTY] == "elasticnet"
    assert at.session_state[state.LAMBDA] == pytest.approx(2.5)
    assert "ElasticNet(alpha=2.5, l1_ratio=0.3)" in translator_code(at)


def test_synthetic_data_shows_the_truth_and_an_exact_decomposition():
    at = explore(dataset="sparse", n="200", p="12", k="3")
    assert not at.exception, [e.value for e in at.exception]
    assert any("Truth" in t.label for t in at.tabs)
    assert not any("Exact decomposition" in c.value for c in at.caption)  # a closed tab does not run
    open_tab(at, "Bias–variance")
    assert not at.exception, [e.value for e in at.exception]
    assert any("Exact decomposition over 30 fresh training sets" in c.value for c in at.caption)
    open_tab(at, "Truth")
    assert any("Support recovery" in m.value for m in at.markdown)


def test_unusable_data_sends_the_user_back_to_the_data_page():
    # Links can no longer ask for unusable settings (their values pass the widgets' ranges),
    # so the unusable state is set directly: the page explains instead of failing.
    at = explore()
    at.session_state[state.SOURCE] = "synthetic"
    at.session_state[state.SYNTH_KIND] = "sparse"
    at.session_state[state.SYNTH_PARAMS] = {"rho": 7.0}
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception
    assert "correlation ρ must lie between" in at.error[0].value.replace("\\", "")
    assert any(link.label.startswith("Fix it on the Data page") for link in at.get("page_link"))


def test_a_link_with_parameters_is_followed_mid_session():
    at = explore()
    assert at.session_state[state.PENALTY] == "l1"
    # What Learn's "lasso on correlated groups" link does: same session, new parameters.
    at.query_params["dataset"] = "groups"
    at.query_params["penalty"] = "l2"
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception
    assert at.session_state[state.PENALTY] == "l2"
    assert "Groups of correlated features" in "\n".join(t.value for t in at.sidebar.text)
    # A widget change afterwards wins over the URL it has not updated yet.
    at.segmented_control[0].set_value("elasticnet").run()
    assert at.session_state[state.PENALTY] == "elasticnet" and at.query_params["penalty"] == "elasticnet"


def test_ridge_lambda_min_is_strictly_inside_the_range_and_compare_uses_it():
    at = explore(penalty="l2")
    assert not at.exception and at.session_state[state.PENALTY] == "l2"
    data = reglab.load_builtin("diabetes")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    cv = reglab.cross_validate(prepared.X_train, prepared.y_train, penalty="l2", folds=5, seed=0)
    assert 0 < cv.index_min < len(cv.lambdas) - 1
    slider = by_label(at.select_slider, "λ (log scale)")
    stops = slider_stops(cv.lambdas)
    assert slider.options[0] == f"{cv.lambdas[-1]:.3g}" and slider.options[-1] == f"{cv.lambdas[0]:.3g}"
    assert len(slider.options) == len(stops) and set(cv.lambdas) <= set(stops)  # every grid λ is a stop
    at = open_tab(at, "Cross-validation")
    assert not at.warning  # λ.min is not at an edge: no edge note
    by_label(at.button, "λ.min").click().run()
    assert at.session_state[state.LAMBDA] == pytest.approx(cv.lambda_min)
    at.switch_page("pages/3_compare.py").run()
    at.segmented_control[0].set_value("min").run()
    table = at.dataframe[0].value
    assert table.loc[table["model"] == "L2 (ridge)", "λ"].iloc[0] == pytest.approx(cv.lambda_min, rel=1e-9)


def test_the_slider_keeps_lambda_across_penalty_switches_and_exact_lambda_may_go_below_the_path():
    at = explore()
    by_label(at.number_input, "λ (exact)").set_value(0.5).run()
    for penalty in ("l2", "elasticnet", "l1", "l2"):
        by_label(at.segmented_control, "Penalty").set_value(penalty).run()
        assert not at.exception
        assert at.session_state[state.LAMBDA] == pytest.approx(0.5), penalty
        shown = by_label(at.select_slider, "λ (log scale)")
        assert shown.value == pytest.approx(0.5, rel=0.03) and shown.format_func(shown.value) == f"{shown.value:.3g}", penalty
        assert by_label(at.number_input, "λ (exact)").value == pytest.approx(0.5), penalty
    by_label(at.segmented_control, "Penalty").set_value("l1").run()
    data = reglab.load_builtin("diabetes")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    low = slider_stops(reglab.path(prepared.X_train, prepared.y_train, "l1").lambdas)[0]
    below = low / 20  # under the path's smallest λ
    by_label(at.number_input, "λ (exact)").set_value(below).run()
    assert not at.exception
    assert at.session_state[state.LAMBDA] == pytest.approx(below)
    assert float(by_label(at.select_slider, "λ (log scale)").value) == pytest.approx(low)  # the slider rests at its end


def test_the_cv_chart_says_so_when_lambda_min_is_at_the_edge():
    # A noiseless linear target: cross-validation wants no regularization at all.
    at = explore(dataset="sparse", noise="0", penalty="l1")
    at = open_tab(at, "Cross-validation")
    assert not at.exception
    assert any("smallest λ tried" in w.value for w in at.warning)


def test_a_shared_link_reproduces_every_view_and_data_choice():
    # Build a view, read its URL, open that URL in a fresh session: the same view.
    at = explore()
    at.switch_page("pages/1_data.py").run()
    by_label(at.selectbox, "Built-in dataset").set_value("wine").run()
    by_label(at.selectbox, "Target").set_value("alcohol").run()
    by_label(at.slider, "Test share").set_value(0.3).run()
    by_label(at.number_input, "Split seed").set_value(7).run()
    at.switch_page("pages/2_explore.py").run()
    by_label(at.segmented_control, "Penalty").set_value("elasticnet").run()
    by_label(at.slider, "L1 ratio").set_value(0.3).run()
    by_label(at.toggle, "Standardize").set_value(False).run()
    by_label(at.number_input, "CV folds").set_value(7).run()
    at = open_tab(at, "Cross-validation")
    assert not at.exception and not at.error
    link = dict(at.query_params)
    assert {"dataset", "target", "test", "seed", "penalty", "l1_ratio", "std", "folds", "tab", "lam"} <= set(link)
    fresh = explore(**{k: v[0] if isinstance(v, list) else v for k, v in link.items()})
    assert not fresh.exception and not fresh.error and not fresh.warning
    prep = fresh.session_state[state.PREP]
    assert (prep["target"], prep["test_size"], prep["seed"]) == ("alcohol", 0.3, 7)
    assert "cultivar" in prep["features"]  # the old target kept as a feature travels too
    assert fresh.session_state[state.PENALTY] == "elasticnet" and fresh.session_state[state.L1_RATIO] == 0.3
    assert fresh.session_state[state.STANDARDIZE] is False and fresh.session_state[state.FOLDS] == 7
    assert "Cross-validation" in fresh.session_state[state.EXPLORE_TAB]
    assert metric(fresh, "Training RMSE") == metric(at, "Training RMSE")


def test_a_link_from_an_uploaded_file_says_the_file_is_not_in_it():
    at = explore()
    at.switch_page("pages/1_data.py").run()
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("mine.csv", (ROOT / "tests" / "data" / "clean.csv").read_bytes(), "text/csv").run()
    assert at.query_params["dataset"] in ("upload", ["upload"])  # the link marks that it needs the file
    fresh = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    fresh.query_params["dataset"] = "upload"
    fresh.run()
    assert not fresh.exception
    assert any("uploaded file, which a link cannot carry" in i.value for i in fresh.info)


def test_presentation_view_fits_controls_and_the_chart_on_one_projector_screen():
    at = explore(present="1")
    assert not at.exception and not at.error
    assert not [b for b in at.button if b.label.startswith("Save this fit")]  # room for the chart
    assert not [r for r in at.radio if r.label in ("Coefficients", "x-axis")]
    assert any("font-size" in h.value for h in at.get("html"))
    spec = at.get("vega_lite_chart")[0].proto.spec.replace(" ", "")
    from reglab.ui.explore import PRESENT_PATH_HEIGHT

    assert f'"height":{PRESENT_PATH_HEIGHT}' in spec and PRESENT_PATH_HEIGHT < 380  # shorter: it fits under the controls
    assert '"orient":"right"' in spec  # its legend beside it (below, it fell off a 1280×720 screen)
    assert '"labelFontSize":15' in spec  # type a projector's audience can read
    at.query_params["present"] = "0"
    at.switch_page("pages/2_explore.py").run()
    assert [b for b in at.button if b.label.startswith("Save this fit")]


def test_every_unusable_link_value_is_named_not_only_the_last():
    at = explore(l1_ratio="0.02", lam="-1", folds="99", std="maybe", tab="nowhere", penalty="lasso")
    assert not at.exception and not at.error and at.metric
    warnings = " ".join(w.value.replace("\\", "") for w in at.warning)
    for shown in ("penalty=lasso", "l1_ratio=0.02", "lam=-1", "std=maybe", "folds=99", "tab=nowhere"):
        assert shown in warnings, shown
