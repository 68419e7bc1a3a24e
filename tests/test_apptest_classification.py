"""Classification through AppTest: breast cancer (binary, logistic regression) on Explore; a yes/no
text target from an uploaded CSV with its positive class; no exception anywhere."""

from pathlib import Path

import numpy as np
import pytest

from conftest import open_page

import reglab
from reglab.ui import state

DATA = Path(__file__).parent / "data"


def metric(at, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def chart_components(chart) -> set[str]:
    """The ``component`` values a drawn chart's data holds (what its legend lists)."""
    import pyarrow as pa

    values = set()
    for dataset in chart.proto.datasets:
        table = pa.ipc.open_stream(dataset.data.data).read_all()
        if "component" in table.column_names:
            values |= set(table.column("component").to_pylist())
    return values


def open_tab(at, name: str):
    at.session_state[state.EXPLORE_TAB] = next(t.label for t in at.tabs if name in t.label)
    return at.run()


def test_breast_cancer_is_a_logistic_lasso_and_lambda_moves_sparsity_and_auc():
    at = open_page("pages/2_explore.py", dataset="breast_cancer")
    assert not at.exception, [e.value for e in at.exception]
    assert "Logistic regression" in at.caption[0].value
    labels = [m.label for m in at.metric]
    assert labels[:4] == ["Test log-loss", "Test accuracy", "Balanced accuracy", "Test ROC AUC"]
    # the default λ is cv.glmnet's λ.1se by deviance on the same stratified folds
    data = reglab.load_builtin("breast_cancer")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    grid = reglab.path(prepared.X_train, prepared.y_train, family="binomial").lambdas
    cv = reglab.cross_validate(prepared.X_train, prepared.y_train, family="binomial", folds=5, seed=0, lambdas=grid)
    assert at.session_state[state.LAMBDA] == pytest.approx(cv.lambda_1se)
    before = (metric(at, "Non-zero coefficients"), metric(at, "Test ROC AUC"))
    next(w for w in at.number_input if w.label == "λ (exact)").set_value(0.08).run()
    assert not at.exception
    after = (metric(at, "Non-zero coefficients"), metric(at, "Test ROC AUC"))
    assert int(after[0].split()[0]) < int(before[0].split()[0]) and after[1] != before[1]
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", 0.08, family="binomial")
    assert after[0] == f"{fit.n_nonzero} of 30"
    auc = reglab.diagnostics.roc_auc(prepared.y_test, fit.predict(prepared.X_test))
    assert after[1] == f"{auc:.3f}"
    for name in ("Classification", "Cross-validation", "Bias–variance", "Reproduce", "Sparsity", "Paths"):
        open_tab(at, name)
        assert not at.exception, (name, [e.value for e in at.exception])
    open_tab(at, "Classification")
    assert sum(1 for _ in at.get("vega_lite_chart")) == 3  # ROC, calibration, confusion matrix
    open_tab(at, "Reproduce")
    code = "\n".join(c.value for c in at.code)
    assert 'family = "binomial"' in code and "LogisticRegression(C=1 / (len(y) *" in code


@pytest.mark.parametrize("penalty", ["l2", "elasticnet"])
def test_ridge_and_elastic_net_logistic_run_without_an_exception(penalty):
    at = open_page("pages/2_explore.py", dataset="breast_cancer", penalty=penalty)
    assert not at.exception, [e.value for e in at.exception]
    assert metric(at, "Test accuracy").endswith("%")


def test_a_yes_no_target_from_an_uploaded_csv_with_its_positive_class():
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("churn.csv", (DATA / "churn_yes_no.csv").read_bytes(), "text/csv").run()
    assert not at.exception
    assert next(s for s in at.selectbox if s.label.startswith("Target")).value == "churned"
    assert next(s for s in at.segmented_control if s.label == "Task").value == "classification"
    positive = next(s for s in at.selectbox if s.label == "Positive class")
    assert positive.options == ["no", "yes"] and positive.value == "yes"
    report = "\n".join(t.value for t in at.text)
    assert "'no' (coded 0) and 'yes' (coded 1, the positive class" in report
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception
    assert "probability that churned is **yes**" in at.caption[0].value
    yes_view = metric(at, "Test log-loss")
    at.switch_page("pages/1_data.py").run()
    next(s for s in at.selectbox if s.label == "Positive class").set_value("no").run()
    at.switch_page("pages/2_explore.py").run()
    assert "probability that churned is **no**" in at.caption[0].value
    assert metric(at, "Test log-loss") == yes_view  # the same model, mirrored: same split, folds and λ
    assert not at.exception


def test_the_positive_class_travels_in_the_link_for_a_built_in_dataset():
    at = open_page("pages/1_data.py", dataset="breast_cancer")
    next(s for s in at.selectbox if s.label == "Positive class").set_value("0").run()
    assert not at.exception and at.query_params["positive"] == "0"
    linked = open_page("pages/2_explore.py", dataset="breast_cancer", positive="0")
    assert "probability that malignant is **0**" in linked.caption[0].value


def test_compare_fits_three_logistic_models_with_classification_scores():
    at = open_page("pages/3_compare.py", dataset="breast_cancer")
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert {"test log-loss", "test accuracy", "test AUC"} <= set(table.columns) and "test RMSE" not in table.columns
    assert table["test AUC"].between(0.9, 1.0).all()
    # the lasso row is Explore's logistic lasso at the same λ
    data = reglab.load_builtin("breast_cancer")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    lam = float(table.loc[0, "λ"])
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", lam, family="binomial")
    assert table.loc[0, "non-zero"] == fit.n_nonzero
    assert table.loc[0, "test log-loss"] == pytest.approx(reglab.diagnostics.log_loss(prepared.y_test, fit.predict(prepared.X_test)))
    next(b for b in at.button if b.label.startswith("Save these three fits")).click().run()
    assert not at.exception
    summary = next(d.value for d in at.dataframe if "name" in d.value.columns)
    assert len(summary) == 3 and summary["test AUC"].between(0.9, 1.0).all()


@pytest.mark.parametrize("measure, words", [("class", "misclassification"), ("auc", "ROC AUC (higher is better)")])
def test_the_cv_measure_can_be_misclassification_or_auc(measure, words):
    at = open_page("pages/2_explore.py", dataset="breast_cancer")
    open_tab(at, "Cross-validation")
    next(s for s in at.segmented_control if s.label == "CV measure").set_value(measure).run()
    assert not at.exception, [e.value for e in at.exception]
    data = reglab.load_builtin("breast_cancer")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    grid = reglab.path(prepared.X_train, prepared.y_train, family="binomial").lambdas
    cv = reglab.cross_validate(prepared.X_train, prepared.y_train, family="binomial", folds=5, seed=0, lambdas=grid,
                               measure=measure)
    buttons = [b.label for b in at.button]
    assert f"λ.min = {cv.lambda_min:.3g}" in buttons and f"λ.1se = {cv.lambda_1se:.3g}" in buttons
    spec = at.get("vega_lite_chart")[0].proto.spec
    assert words in spec


def test_wine_is_a_multinomial_model_with_paths_per_class():
    at = open_page("pages/2_explore.py", dataset="wine")
    assert not at.exception, [e.value for e in at.exception]
    assert "Multinomial logistic regression" in at.caption[0].value
    data = reglab.load_builtin("wine")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", at.session_state[state.LAMBDA], family="multinomial")
    assert metric(at, "Non-zero coefficients") == f"{fit.n_nonzero} of 13"
    truth = np.array(['0', '1', '2'])[prepared.y_test.astype(int)]
    assert metric(at, "Test accuracy") == f"{np.mean(fit.predict_class(prepared.X_test) == truth):.1%}"
    classes = next(s for s in at.segmented_control if s.label == "Class")
    assert classes.options == ["0", "1", "2"]
    first = at.get("vega_lite_chart")[0].proto.spec
    classes.set_value("2").run()
    assert not at.exception and at.get("vega_lite_chart")[0].proto.spec != first  # another class's paths
    open_tab(at, "Cross-validation")
    measures = next(s for s in at.segmented_control if s.label == "CV measure")
    assert measures.options == ["deviance", "misclassification"]  # AUC is offered for two classes only
    for name in ("Classification", "Bias–variance", "Sparsity", "Reproduce"):
        open_tab(at, name)
        assert not at.exception and not at.error, name
    open_tab(at, "Classification")
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert len(specs) == 3 and "observed share of the class" in specs[1]  # ROC, calibration per class, confusion
    open_tab(at, "Bias–variance")
    assert any("Σₖ (yₖ − p̂ₖ)²" in c.value for c in at.caption)  # the bootstrap estimate of the multi-class Brier score
    assert "Brier score" in at.get("vega_lite_chart")[0].proto.spec


def test_a_synthetic_three_class_model_gets_the_exact_brier_decomposition():
    at = open_page("pages/2_explore.py", dataset="logistic", classes="3", n="200", p="8", k="4")
    assert not at.exception, [e.value for e in at.exception]
    assert "Multinomial logistic regression" in at.caption[0].value
    open_tab(at, "Bias–variance")
    assert not at.exception and not at.error
    caption = next(c.value for c in at.caption if "Exact decomposition" in c.value)
    assert "Σₖ pₖ(1 − pₖ)" in caption
    chart = at.get("vega_lite_chart")[0]
    assert "Brier score" in chart.proto.spec
    assert chart_components(chart) == {"bias²", "variance", "noise Σₖ pₖ(1 − pₖ)", "bias² + variance + noise",
                                       "expected test error (measured)"}
    for name in ("Truth", "Sparsity", "Classification", "Reproduce", "Cross-validation", "Paths"):
        open_tab(at, name)
        assert not at.exception and not at.error, (name, [e.value for e in at.exception])


def test_hostile_class_labels_are_text_on_explore():
    import pandas as pd

    from reglab.ui.safetext import md

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.standard_normal((90, 3)), columns=["a", "b", "c"])
    hostile = ['[x](http://e) **b** "]]; q <- 1', "plain", "<b>html</b>"]
    frame["kind"] = np.array(hostile)[rng.integers(0, 3, 90)]
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("h.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    next(s for s in at.selectbox if s.label.startswith("Target")).set_value("kind").run()
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception and not at.error
    picker = next(s for s in at.segmented_control if s.label == "Class")
    assert picker.options == [md(label) for label in sorted(hostile)]  # escaped: shown literally, never as Markdown
    for name in ("Classification", "Reproduce", "Sparsity", "Cross-validation"):
        open_tab(at, name)
        assert not at.exception and not at.error, name
