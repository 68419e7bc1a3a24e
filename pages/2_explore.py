"""Explore page: fit at the chosen λ; coefficient paths, sparsity, cross-validation, bias–variance.

Thin: the frame, the controls, the path and CV curve (cached), then the λ view's parts from
reglab.ui.explore_tabs. What the model is (least squares, logistic, multinomial, Poisson) is asked of
``prepared.datafit`` there, never tested here."""

from dataclasses import replace

import streamlit as st

from reglab.ui import frame, page_guard, require_prepared, user_errors
from reglab.ui.explore import (View, cv_for, cv_measure, fit_for, lambda_controls, path_for, read_view_query_params,
                               settle_lambda, write_view_query_params)
from reglab.ui.explore_tabs import (LambdaView, fold_note, lambda_buttons, metrics_row, model_captions, model_controls,
                                    report_button, save_button, show_tabs)
from reglab.ui.cluster import chosen_server_dataset, cluster_explore
from reglab.ui.heavy import lazy_progress, require_go_ahead


@st.fragment
def lambda_view(setting: LambdaView) -> None:
    """Everything that depends on λ: a λ move (slider, exact input, λ.min/λ.1se, a chart click)
    reruns only this fragment, not the data checks and controls above it (Streamlit fragments)."""
    with page_guard():
        path, cv = setting.path, setting.cv
        lam = settle_lambda(path.lambdas, default=cv.lambda_1se)
        lambda_controls(path.lambdas, lam)
        write_view_query_params(View(setting.penalty, setting.ratio, lam, setting.standardize, setting.folds))
        fit, metrics = fit_for(setting.key, setting.standardize, setting.penalty, setting.ratio, lam, setting.prepared)
        view = replace(setting, lam=lam, fit=fit, metrics=metrics)
        lambda_buttons(view)
        metrics_row(view)
        with st.container(horizontal=True):
            save_button(view)
            report_button(view)
        show_tabs(view)


with page_guard():
    frame("Explore", ":material/insights:")
    read_view_query_params()
    st.title("Explore")
    server = chosen_server_dataset()
    if server is not None:  # an operator's dataset: the path and its CV run on the cluster
        cluster_explore(server, *model_controls())
        st.stop()

    dataset, prepared = require_prepared()
    model_captions(prepared)
    penalty, ratio, standardize, folds = model_controls()
    key = prepared.fingerprint()
    heavy = require_go_ahead(prepared, key, "The path, its cross-validation and the bias–variance study")
    path_progress, clear_path = lazy_progress("Regularization path:", key, heavy, "path")
    cv_progress, clear_cv = lazy_progress("Cross-validation:", key, heavy, "cv")

    with user_errors():
        path = path_for(key, standardize, penalty, ratio, prepared, _progress=path_progress)
        clear_path()
        measure = cv_measure(prepared)
        cv = cv_for(key, standardize, penalty, ratio, folds, prepared, measure, _progress=cv_progress)
        clear_cv()
    if path.accuracy_note():
        st.warning(path.accuracy_note(), icon=":material/warning:")
    fold_note(prepared, folds, cv.folds)
    lambda_view(LambdaView(dataset, prepared, key, standardize, penalty, ratio, folds, measure, heavy, path, cv,
                           lam=float("nan")))
