"""Explore's λ view, one function per part: the λ buttons and translator, the metrics at λ, the save
button and every tab (the page calls them in order; only the open tab runs).

Every function reads one :class:`LambdaView`: the prepared data, the model's settings, its path and
CV curve, λ and the fit there. What the model is comes from ``prepared.datafit`` (asked, never a
family's name)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import streamlit as st

from reglab import charts, limits, whatif
from reglab.checks import RESIDUAL_LABELS, check_frame, qq_frame
from reglab.compare import interval_frame
from reglab.report import Section, html_report
from reglab.criteria import CRITERIA
from reglab.data import Dataset
from reglab.datafits import Datafit
from reglab.diagnostics import (ClassificationMetrics, FitMetrics, calibration_frame, calibration_frames, coefficient_frame,
                                confusion_frame, error_curves, roc_frame, roc_frames, support_recovery)
from reglab.errors import DataError
from reglab.export import safe_csv
from reglab.objective import Penalty
from reglab.preprocess import Prepared
from reglab.relaxed import coefficient_comparison, cv_curves_frame, held_out_error_frame, held_out_scores
from reglab.reproduce import (multinomial_python_snippet, multinomial_r_snippet, poisson_python_snippet,
                              poisson_r_snippet, python_snippet, r_snippet, relaxed_r_snippet, translate)
from reglab.results import Fit, Path
from reglab.selection import CVResult

from . import bind, chart_with_downloads, md, page_guard, presenting, show_error, state
from . import compare as ui_compare
from .controls import FOLDS, L1_RATIO, RELAX_GAMMA
from .datastate import current_choice, prep_settings
from .explore import (PENALTY_LABELS, TABS, TRANSLATOR, apply_chart_pick, bias_variance_for, bias_variance_seconds,
                      bias_variance_view, chart_key, class_choice, criteria_for, criteria_spec_for, cv_measure,
                      cv_measures, cv_spec_for, design_for, intervals_for, nonzero_spec_for, path_scales, path_spec_for,
                      relaxed_cv_for, relaxed_fit_for, relaxed_for, relaxed_seconds, request_lambda, tab_names,
                      usable_folds)
from .heavy import ask_first, n_classes, progress_bar


@dataclass(frozen=True)
class LambdaView:
    """What Explore's λ view shows: the data and model settings, the path and CV curve on screen,
    λ and the exact fit there with its metrics."""

    dataset: Dataset
    prepared: Prepared
    key: str  # the prepared data's fingerprint
    standardize: bool
    penalty: str
    ratio: float
    folds: int
    measure: str | None
    heavy: bool
    path: Path
    cv: CVResult
    lam: float
    fit: Fit | None = None  # set with ``lam`` once λ is settled (the page's fragment)
    metrics: FitMetrics | ClassificationMetrics | None = None

    @property
    def datafit(self) -> Datafit:
        return self.prepared.datafit

    @property
    def classifier(self) -> bool:
        return self.datafit.classifier

    @property
    def binary(self) -> bool:
        """A two-class model (one probability per row)."""
        return self.datafit.classifier and not self.datafit.per_class

    @property
    def negative(self) -> str | None:
        return self.prepared.class_labels[0] if self.binary else None

    @property
    def positive(self) -> str | None:
        return self.prepared.class_labels[1] if self.binary else None

    @property
    def model_penalty(self):
        """The penalty with the Data page's penalty factors and groups."""
        return self.prepared.penalty(self.penalty, self.ratio)

    @property
    def truth_coef(self):
        """The known true coefficients (synthetic data with every generated feature), else None."""
        truth = self.dataset.truth
        if truth is None or truth.coef is None or tuple(self.dataset.feature_names) != self.prepared.feature_names:
            return None
        return truth.coef

    @property
    def relaxable(self) -> bool:
        """glmnet's relax = TRUE is offered: a sparse model of a family that has it."""
        return self.datafit.relaxable and self.penalty != "l2" and not self.model_penalty.bounded


def model_captions(prepared: Prepared) -> None:
    """What is being fitted, above the controls: the model (for anything but least squares), the
    Data page's penalty factors and groups."""
    datafit = prepared.datafit
    if datafit.classifier and not datafit.per_class:
        negative, positive = prepared.class_labels
        st.caption(f":material/target: Logistic regression: the model gives the probability that {md(prepared.target)} is "
                   f"**{md(positive)}** (rather than {md(negative)}), from the mean log-loss plus the same penalty and λ "
                   "as everywhere (glmnet's family = \"binomial\"). Change the positive class on the Data page.")
    elif datafit.counts:
        st.caption(f":material/target: {datafit.model_name}: the model gives the expected count of {md(prepared.target)}, "
                   "e^(β₀ + xᵀβ) (log link), from the mean Poisson loss (e^η − y·η) plus the same penalty and λ as "
                   "everywhere (glmnet's family = \"poisson\").")
    elif datafit.per_class:
        st.caption(f":material/target: Multinomial logistic regression: one coefficient vector per class of "
                   f"{md(prepared.target)} ({len(prepared.class_labels)} classes), the softmax gives each class's "
                   "probability; mean log-loss plus the same penalty and λ, on every class's weights (glmnet's "
                   "family = \"multinomial\").")
    if prepared.penalty_factors is not None:
        chosen = {source: factor for source, factor in zip(prepared.feature_sources, prepared.penalty_factors) if factor != 1.0}
        st.caption(":material/tune: Penalty factors from the Data page (glmnet's penalty.factor): "
                   + md(", ".join(f"{name!r} {factor:g}" + (" (unpenalized)" if factor == 0 else "")
                                  for name, factor in chosen.items()))
                   + "; every other feature 1.")
    if prepared.grouped_columns:
        st.caption(":material/category: Grouped (set on the Data page): the one-hot columns of "
                   + md(", ".join(repr(name) for name in prepared.grouped_columns))
                   + " enter or leave the model together: the group lasso λ·√|g|·‖w_g‖₂, for an elastic net "
                     "λ·√|g|·(α‖w_g‖₂ + (1−α)/2·‖w_g‖₂²).")


def lambda_buttons(v: LambdaView) -> None:
    """λ.min and λ.1se buttons, and the translator popover (lazy: drawn only while open, so a λ move
    does not resend its nine elements)."""
    cv, lam = v.cv, v.lam
    b1, b2, b3 = st.columns([1, 1, 2])
    b1.button(f"λ.min = {cv.lambda_min:.3g}", on_click=request_lambda, args=(cv.lambda_min,), icon=":material/south:",
              help="Use the λ with the smallest mean cross-validation error.", width="stretch")
    b2.button(f"λ.1se = {cv.lambda_1se:.3g}", on_click=request_lambda, args=(cv.lambda_1se,), icon=":material/north:",
              help="Use the largest λ whose CV error is within one standard error of the minimum: a simpler model, "
                   "statistically as good.",
              width="stretch")
    translator = b3.popover("Same model in scikit-learn · glmnet · Spark", icon=":material/translate:",
                            key=TRANSLATOR, on_change="rerun")
    if translator.open:
        translation = translate(v.model_penalty, lam, v.prepared.y_train, v.datafit)
        with translator:
            st.caption("Objective (our convention)")
            st.code(translation.objective, language=None)
            st.caption("scikit-learn")
            st.code(translation.sklearn, language="python")
            st.caption("R glmnet")
            st.code(translation.glmnet, language="r")
            st.caption("Spark MLlib")
            st.code(translation.spark, language="python")
            st.caption(translation.note)


def metrics_row(v: LambdaView) -> None:
    """The fit's metrics at λ: a classifier's (log-loss, accuracy, balanced accuracy, AUC) or a
    regression's (RMSE, R²), then the non-zero count and effective df."""
    prepared, fit, metrics, binary = v.prepared, v.fit, v.metrics, v.binary
    m = st.columns(6)
    if v.classifier:
        m[0].metric("Test log-loss" if prepared.n_test else "Training log-loss",
                    f"{(metrics.test_log_loss if prepared.n_test else metrics.train_log_loss):.4f}",
                    help="Mean log-loss (nats per row, half the deviance): lower is better; 0.693 is a coin flip. "
                         f"Training: {metrics.train_log_loss:.4f}.")
        m[1].metric("Test accuracy", f"{metrics.test_accuracy:.1%}" if prepared.n_test else "—",
                    help=f"Share of the {prepared.n_test} held-out rows whose more probable class is right "
                         f"(training: {metrics.train_accuracy:.1%}).")
        m[2].metric("Balanced accuracy", f"{metrics.test_balanced_accuracy:.1%}" if prepared.n_test else "—",
                    help="Mean of the classes' recall on the held-out rows: chance is 1/(number of classes) even when "
                         "a class is rare.")
        m[3].metric("Test ROC AUC", f"{metrics.test_auc:.3f}" if prepared.n_test else "—",
                    help=(f"Chance that a random {md(v.positive)} row gets a higher probability than a random "
                          f"{md(v.negative)} " if binary else "One class against the rest, averaged over the classes: the "
                          "chance that a row of the class gets a higher probability of it than a row of another class ")
                         + f"(0.5 = chance, 1 = perfect ranking). Training: {metrics.train_auc:.3f}.")
    else:
        m[0].metric("Training RMSE", f"{metrics.train_rmse:.4g}",
                    help=f"Root mean squared error on the {prepared.n_train} training rows, in units of {md(prepared.target)}.")
        m[1].metric("Test RMSE", f"{metrics.test_rmse:.4g}" if prepared.n_test else "—",
                    help=f"On the {prepared.n_test} held-out rows.")
        m[2].metric("Training R²", f"{metrics.train_r2:.3f}")
        m[3].metric("Test R²", f"{metrics.test_r2:.3f}" if prepared.n_test else "—")
    m[4].metric("Non-zero coefficients", f"{metrics.n_nonzero} of {len(fit.feature_names)}")  # multinomial: in any class
    m[5].metric("Effective df", f"{metrics.df:.2f}",
                help="Effective degrees of freedom: the non-zero count for the lasso, the trace of the hat matrix for ridge"
                     + (" (of the last Newton step, at the fitted means)." if not v.datafit.quadratic else "."))


def report_button(v: LambdaView) -> None:
    """Download a self-contained HTML report of this model at λ (built only when clicked)."""
    if presenting():
        return
    # What the report reads of the session is read now: Streamlit builds a download's data later, outside this run.
    label = current_choice().label
    resamples = int(st.session_state.get(state.INTERVAL_RESAMPLES) or state.DEFAULTS[state.INTERVAL_RESAMPLES])
    st.download_button("Report (HTML)", lambda: report_bytes(v, label, resamples), file_name="reglab-report.html",
                       mime="text/html",
                       icon=":material/description:", on_click="ignore",
                       help="One file to send: data and preprocessing, the model in words and formula, metrics, path, "
                            "CV and criteria, coefficients (with bootstrap intervals when affordable), model checks and "
                            "both scripts. Opens offline in any browser.")


#: Bootstrap intervals go into a report when their estimate stays under this (else the report says so).
REPORT_INTERVAL_SECONDS = 10.0


def report_bytes(v: LambdaView, data_label: str, resamples: int) -> bytes:
    """The report's sections from what Explore shows at λ (:func:`reglab.report.html_report`) on the data
    called ``data_label``, with bootstrap intervals over ``resamples`` resamples when affordable."""
    prepared, fit, datafit, lam = v.prepared, v.fit, v.datafit, v.lam
    data = Section("Data", [
        ("text", f"{data_label}: target {prepared.target!r} ({prepared.task}), {len(prepared.feature_names)} model "
                 f"column(s); {prepared.n_train} training and {prepared.n_test} test rows."),
        ("list", list(prepared.report)),
        *([("text", "Warnings:"), ("list", list(prepared.warnings))] if prepared.warnings else [])])
    translation = translate(v.model_penalty, lam, prepared.y_train, datafit)
    model = Section("Model", [
        ("text", f"{datafit.model_name.capitalize()} with the {PENALTY_LABELS[v.penalty]} penalty"
                 + (f" (L1 ratio α = {v.ratio:g})" if v.penalty == "elasticnet" else "")
                 + f" at λ = {lam:.6g}; features {'standardized' if v.standardize else 'as they are'}."),
        ("code", ("text", translation.objective)),
        ("text", "The same model elsewhere:"),
        ("code", ("python", translation.sklearn)), ("code", ("r", translation.glmnet)), ("text", translation.note)])
    metrics = Section("Metrics at λ", [("table", pd.DataFrame(
        [(name, value) for name, value in ui_compare.scenario_metrics(v.metrics, prepared.n_test > 0).items()
         if value is not None], columns=["metric", "value"]))])
    cv = v.cv
    curves = Section("Path and cross-validation", [
        ("chart", (charts.move_lambda(path_spec_for(v.key, v.standardize, v.penalty, v.ratio, "standardized", "log λ",
                                                    prepared, class_label=prepared.class_labels[0]
                                                    if datafit.per_class else None), lam),
                   "Coefficient paths (standardized); dashed: this λ.")),
        ("chart", (charts.move_lambda(cv_spec_for(v.key, v.standardize, v.penalty, v.ratio, v.folds,
                                                  f"mean {cv.folds}-fold CV {v.measure or 'error'}", prepared,
                                                  v.measure), lam),
                   f"Cross-validation: λ.min = {cv.lambda_min:.4g}, λ.1se = {cv.lambda_1se:.4g}."))])
    criteria = criteria_for(v.key, v.standardize, v.penalty, v.ratio, prepared)
    if isinstance(criteria, str):
        curves.blocks.append(("text", criteria))
    else:
        curves.blocks.append(("chart", (charts.move_lambda(
            criteria_spec_for(v.key, v.standardize, v.penalty, v.ratio, prepared), lam),
            "Information criteria: " + ", ".join(f"{CRITERIA[c]} picks λ = {criteria.lambda_of(c):.4g}"
                                                 for c in criteria.shown) + ".")))
    coefficients = fit.to_frame()
    seconds = interval_seconds(v, resamples)
    coefficient_blocks: list = []
    if seconds <= REPORT_INTERVAL_SECONDS:
        intervals = intervals_for(v.key, v.standardize, v.penalty, v.ratio, lam, resamples, prepared)
        table = interval_frame(intervals, 1.0, prepared.feature_names, prepared.class_labels or ())
        coefficients = coefficients.merge(table, on=[c for c in ("class", "feature") if c in table], how="left")
        coefficient_blocks.append(("text", f"lower / upper: {intervals.level:.0%} bootstrap percentile intervals over "
                                           f"{resamples} resamples (seed 0), original units; frequency: the share of "
                                           "resamples selecting the feature. Intervals after selection are not "
                                           "confidence intervals: they show how the fit moves when rows are redrawn."))
    else:
        coefficient_blocks.append(("text", f"Bootstrap intervals were not computed for the report (estimated "
                                           f"{seconds:.0f} s); Explore's Sparsity tab computes them on request."))
    coefficient_section = Section("Coefficients at λ", [("table", coefficients), *coefficient_blocks])
    checks = Section("Model checks", [])
    if datafit.residual_kinds:
        check_charts, _ = residual_checks(fit, prepared, datafit.residual_kinds[0])
        for chart, caption in zip(check_charts, ("Predicted against observed.", "Residuals against predicted.",
                                                 "Residuals' histogram.", "Normal Q–Q of the residuals.")):
            checks.blocks.append(("chart", (chart, caption)))
    else:
        X_eval, y_eval, held_out = evaluation_rows(prepared)
        prob = fit.predict(X_eval)
        checks.blocks.append(("chart", (charts.calibration_chart(
            calibration_frame(y_eval, prob) if v.binary else calibration_frames(y_eval, prob, prepared.class_labels)),
            f"Calibration on the {'test' if held_out else 'training'} rows.")))
        checks.blocks.append(("chart", (charts.confusion_chart(confusion_frame(y_eval, prob, prepared.class_labels)),
                                        "Confusion matrix.")))
    scripts = Section("Scripts that refit this model", [
        ("text", "Run either next to the training rows saved as reglab_training_data.csv (Explore's Reproduce tab).")])
    scripts.blocks.extend(("code", item) for item in scripts_for(v))
    return html_report(f"{datafit.model_name.capitalize()} of {prepared.target}",
                       [data, model, metrics, curves, coefficient_section, checks, scripts])


def save_button(v: LambdaView, label: str = "Save this fit as a scenario", gamma: float | None = None,
                help: str = "Keep this model (data, preprocessing, penalty, λ, metrics, coefficients) to compare on the "
                            "Compare page.") -> None:
    """Save the fit at λ (or its relaxed blend at ``gamma``) as a scenario for the Compare page."""
    if presenting() or not st.button(label, icon=":material/bookmark_add:", help=help):
        return
    try:
        options = {} if gamma is None else {"gamma": gamma}
        saved = ui_compare.save(v.key, v.standardize, v.penalty, v.ratio, v.lam, v.prepared, current_choice().label,
                                prep_settings(v.dataset, current_choice().token), **options)
        st.toast(f"Saved scenario {md(saved.name)}", icon=":material/bookmark_added:")
    except DataError as exc:  # the session's scenario store is full
        show_error(str(exc))


def paths_tab(v: LambdaView) -> None:
    """Coefficient paths along λ (standardized, original or group norms; log λ or L1 fraction), with downloads."""
    prepared, key, standardize, penalty, ratio, path, lam, fit, datafit = (
        v.prepared, v.key, v.standardize, v.penalty, v.ratio, v.path, v.lam, v.fit, v.datafit)
    if presenting():  # one screen: the chart takes the options' room, with their current values
        scale = st.session_state.get(state.PATH_SCALE) or "standardized"
        axis = st.session_state.get(state.PATH_AXIS) or "log λ"
    else:
        o1, o2 = st.columns(2)
        scale = o1.radio("Coefficients", path_scales(prepared), horizontal=True,
                         **bind(state.PATH_SCALE, default="standardized"),
                         help="Group norms: one line per text column, the length ‖w_g‖₂ of its standardized "
                              "one-hot weights (zero exactly when the group is out of the model)."
                         if prepared.feature_groups is not None else None)
        axis = o2.radio("x-axis", ["log λ", "L1-norm fraction"], horizontal=True,
                        **bind(state.PATH_AXIS, default="log λ"))
    shown_class = class_choice(prepared) if datafit.per_class else None
    spec = path_spec_for(key, standardize, penalty, ratio, scale, axis, prepared, present=presenting(),
                         class_label=shown_class)
    chart = charts.move_lambda(spec, lam)
    apply_chart_pick(chart_with_downloads(chart, "coefficient-paths", key=chart_key("path_chart"), selectable=axis == "log λ"))
    st.caption("Click the chart to move λ there; click a legend entry to highlight one feature (shift-click for more).")
    d1, d2 = st.columns(2)
    d1.download_button("Coefficients at this λ (CSV)", lambda: safe_csv(fit.to_frame()), file_name="coefficients.csv",
                       mime="text/csv", icon=":material/download:", on_click="ignore")
    d2.download_button("Whole path (CSV)", lambda: safe_csv(path.to_frame()), file_name="path.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore")


def sparsity_tab(v: LambdaView) -> None:
    """How many features survive along λ, and the coefficients at λ (the truth's ticks when known)."""
    prepared, key, standardize, penalty, ratio, lam, fit, datafit, truth_coef = (
        v.prepared, v.key, v.standardize, v.penalty, v.ratio, v.lam, v.fit, v.datafit, v.truth_coef)
    left, right = st.columns(2)
    with left:
        st.markdown("**How many features survive**")
        chart_with_downloads(charts.move_lambda(nonzero_spec_for(key, standardize, penalty, ratio, prepared), lam),
                             "nonzero-count", key="nnz_chart")
    with right:
        st.markdown("**Coefficients at the current λ** (standardized; zeros are exact)")
        design = design_for(key, standardize, prepared)
        true_weights = design.to_solver_scale(truth_coef) if truth_coef is not None else None
        bars = coefficient_frame(fit, true_weights)
        intervals = coefficient_intervals_part(v)
        if intervals is not None:
            table = interval_frame(intervals, design.x_scale, prepared.feature_names, prepared.class_labels or ())
            bars = bars.merge(table, on=[c for c in ("class", "feature") if c in table], how="left")
        if datafit.per_class:
            shown_class = class_choice(prepared, key_suffix="bars")
            bars = bars[bars["class"] == shown_class].drop(columns="class")
        chart_with_downloads(charts.coefficient_bars(bars), "coefficients", key="bars_chart")
        if truth_coef is not None:
            st.caption("Orange ticks: the true coefficients (standardized by the training sd).")
        if intervals is not None:
            st.caption(f"Grey whiskers: {intervals.level:.0%} bootstrap percentile intervals over {intervals.resamples} "
                       "resamples of the training rows (seed 0, reproducible); beside each, the share of resamples that "
                       "select the feature. These are not classical confidence intervals: the penalty pulls every "
                       "coefficient toward 0, and a resample's 0 is a selection, not an estimate near 0 — an interval "
                       "after selection shows how the fitted coefficient moves when the rows are redrawn, nothing more.")


def interval_seconds(v: LambdaView, resamples: int) -> float:
    """Estimated CPU seconds of the bootstrap intervals at λ (:func:`reglab.limits.bootstrap_seconds`)."""
    prepared = v.prepared
    return limits.bootstrap_seconds(prepared.n_train, len(prepared.feature_names), resamples,
                                    not v.datafit.quadratic, n_classes(prepared) if v.datafit.per_class else 1)


def coefficient_intervals_part(v: LambdaView):
    """The controls of the bootstrap intervals and, when asked for, the intervals at λ (None otherwise):
    bounded by their estimated cost before they start (ask first, progress with Stop)."""
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    shown = c1.toggle("Bootstrap intervals", **bind(state.INTERVALS),
                      help="How sure are these coefficients? Refit the model at λ on resamples of the training rows, "
                           "drawn with replacement, and show where 95 % of the refitted coefficients fall.")
    resamples = int(c2.number_input("Resamples", 20, 2000, step=20, **bind(state.INTERVAL_RESAMPLES),
                                    disabled=not shown))
    if not shown:
        return None
    prepared = v.prepared
    seconds = interval_seconds(v, resamples)
    token = f"intervals:{v.key}:{v.standardize}:{v.penalty}:{v.ratio}:{resamples}"
    if not ask_first(token, seconds, f"Bootstrap intervals ({resamples} refits at λ)"):
        return None
    report, clear = progress_bar("Bootstrap intervals: resamples refitted", token, seconds > 2.0, "intervals")
    intervals = intervals_for(v.key, v.standardize, v.penalty, v.ratio, v.lam, resamples, prepared, progress=report)
    clear()
    return intervals


def cv_tab(v: LambdaView) -> None:
    """The cross-validation curve with λ.min and λ.1se (and the measure, where the model offers several)."""
    prepared, key, standardize, penalty, ratio, folds, measure, cv, lam = (
        v.prepared, v.key, v.standardize, v.penalty, v.ratio, v.folds, v.measure, v.cv, v.lam)
    if len(cv_measures(prepared)) > 1:
        st.segmented_control("CV measure", list(cv_measures(prepared)), format_func=cv_measures(prepared).get,
                             required=True,
                             **bind(state.CV_MEASURE),
                             help="cv.glmnet's type.measure: the deviance (−2 × log-likelihood per row, "
                                  "the default) or another held-out error (for the ROC AUC higher is better: "
                                  "λ.min is then the λ of the largest AUC).")
        if cv_measure(prepared) != measure:  # the CV curve above the fragment follows: rerun the page
            st.rerun()
    cv_title = {"deviance": f"mean {cv.folds}-fold CV deviance (per row)",
                "class": f"mean {cv.folds}-fold CV misclassification rate",
                "mse": f"mean {cv.folds}-fold CV squared error ({prepared.target} units²)",
                "mae": f"mean {cv.folds}-fold CV absolute error ({prepared.target} units)",
                "auc": f"mean {cv.folds}-fold CV ROC AUC (higher is better)"}.get(
        measure, f"mean {cv.folds}-fold CV error (MSE of {prepared.target})")
    cv_spec = cv_spec_for(key, standardize, penalty, ratio, folds, cv_title, prepared, measure)
    event = chart_with_downloads(charts.move_lambda(cv_spec, lam), "cross-validation", key=chart_key("cv_chart"),
                                 selectable=True)
    apply_chart_pick(event)
    if cv.edge_note():
        st.warning(cv.edge_note(), icon=":material/first_page:")
    st.caption(f"Band: ± 1 standard error over the {cv.folds} folds. λ.min = {cv.lambda_min:.4g} "
               f"({cv.n_nonzero[cv.index_min]} non-zero); λ.1se = {cv.lambda_1se:.4g} ({cv.n_nonzero[cv.index_1se]} non-zero). "
               "Click the curve to move λ.")
    criteria_section(v)


def criteria_section(v: LambdaView) -> None:
    """AIC, BIC and EBIC along the path, each with a button to its λ (beside the CV curve: the other way
    to choose λ, with no folds); a sentence instead where they cannot be had."""
    st.markdown("**Information criteria: choosing λ without folds**")
    criteria = criteria_for(v.key, v.standardize, v.penalty, v.ratio, v.prepared)
    if isinstance(criteria, str):
        st.caption(f":material/info: {md(criteria)}")
        return
    spec = criteria_spec_for(v.key, v.standardize, v.penalty, v.ratio, v.prepared)
    event = chart_with_downloads(charts.move_lambda(spec, v.lam), "information-criteria",
                                 key=chart_key("criteria_chart"), selectable=True)
    apply_chart_pick(event)
    for column, name in zip(st.columns(len(criteria.shown)), criteria.shown):
        label, chosen = CRITERIA[name], criteria.lambda_of(name)
        column.button(f"λ by {label} = {chosen:.3g}", on_click=request_lambda, args=(chosen,), key=f"criterion_{name}",
                      icon=":material/my_location:", width="stretch",
                      help=f"Use the λ with the smallest {label} ({criteria.df[criteria.index_of(name)]:.3g} "
                           "degrees of freedom).")
    n = criteria.n_samples
    likelihood = (f"n·log(2πσ²) + RSS/σ² with σ² = {criteria.noise_variance:.4g} ({md(v.prepared.target)} units², from "
                  f"{criteria.noise_variance_source})" if criteria.noise_variance is not None
                  else f"the {v.datafit.model_name} deviance")
    df_words = ("the number of non-zero coefficients" if v.model_penalty.alpha == 1.0
                else "the trace of the fit's hat matrix (the ridge part's effective degrees of freedom)")
    extended = (" EBIC, the extended BIC for more features than rows, adds 2·log C(p, df) (Chen & Chen, γ = 1)."
                if "ebic" in criteria.shown else "")
    st.caption(f"On the {n} training rows: AIC = −2·log L + 2·df, BIC = −2·log L + log({n})·df.{extended} −2·log L is "
               f"{likelihood}; df is {df_words}. Criteria score the fit on the rows it was fitted on, with a price per "
               "degree of freedom; CV scores held-out rows. They often agree on real data; where they do not, BIC "
               "(and EBIC) pick sparser models than AIC.")


def bv_tab(v: LambdaView) -> None:
    """The bias–variance study (asked first when heavy) and the training vs test error curve."""
    dataset, prepared, key, standardize, penalty, ratio, path, lam, classifier = (
        v.dataset, v.prepared, v.key, v.standardize, v.penalty, v.ratio, v.path, v.lam, v.classifier)
    r1, r2 = st.columns([1, 3])
    repeats = r1.number_input("Repeats R", 5, 200, step=5, **bind(state.BV_REPEATS),
                              help="Training draws (synthetic data) or bootstrap resamples (real data). "
                                   "More = smoother, slower.")
    token = f"bv:{key}:{standardize}:{penalty}:{ratio}:{repeats}"
    if ask_first(token, bias_variance_seconds(prepared, repeats),
                 f"The bias–variance study ({repeats} refitted paths)"):
        with r2:  # a Stop button always: withdrawn, the study asks again before it restarts
            report, clear = progress_bar("Bias–variance: repeats fitted", token, True, "bv")
        bv = bias_variance_for(key, current_choice().token, standardize, penalty, ratio, repeats, prepared,
                               dataset, progress=report)
        clear()
        bias_variance_view(bv, prepared, lam)
    st.markdown("**Training vs test error** (the validation curve)")
    chart_with_downloads(charts.curves_chart(error_curves(path, prepared.X_train, prepared.y_train, prepared.X_test,
                                                          prepared.y_test), lam,
                                             "mean log-loss (nats per row)" if classifier else "mean squared error"),
                         "validation-curve", key="val_chart")


def evaluation_rows(prepared: Prepared):
    """``(X, y, held_out)``: the test rows where there are any (``held_out`` True), else the training rows."""
    held_out = prepared.n_test > 0
    X, y = (prepared.X_test, prepared.y_test) if held_out else (prepared.X_train, prepared.y_train)
    return X, y, held_out


def classes_tab(v: LambdaView) -> None:
    """A classifier at λ: ROC curve(s), calibration and the confusion matrix on the held-out rows."""
    prepared, fit, metrics, binary, positive = v.prepared, v.fit, v.metrics, v.binary, v.positive
    X_eval, y_eval, held_out = evaluation_rows(prepared)
    prob = fit.predict(X_eval)
    st.caption(f"At the current λ, on the {len(y_eval)} {'held-out test' if held_out else 'training'} rows"
               f"{'' if held_out else ' (no test rows: set a test share on the Data page for an honest view)'}. "
               + (f"Positive class: {md(positive)}." if binary else "Each class against the rest."))
    shown = metrics.test_auc if held_out else metrics.train_auc
    left, right = st.columns(2)
    with left:
        st.markdown("**ROC curve**" if binary else "**ROC curves**, one class against the rest")
        chart_with_downloads(charts.roc_chart(roc_frame(y_eval, prob) if binary else
                                              roc_frames(y_eval, prob, prepared.class_labels), shown),
                             "roc-curve" if binary else "roc-curves", key="roc_chart")
    with right:
        st.markdown("**Calibration** (are the probabilities honest?)")
        chart_with_downloads(charts.calibration_chart(calibration_frame(y_eval, prob) if binary else
                                                      calibration_frames(y_eval, prob, prepared.class_labels)),
                             "calibration", key="calibration_chart")
    st.markdown("**Confusion matrix** (probability > ½ predicts the positive class)" if binary else
                "**Confusion matrix** (the most probable class is the prediction)")
    chart_with_downloads(charts.confusion_chart(confusion_frame(y_eval, prob, prepared.class_labels)),
                         "confusion-matrix", key="confusion_chart")


def code_tab(v: LambdaView) -> None:
    """Scripts that refit this exact model in scikit-learn and R glmnet, with the training rows to download."""
    prepared = v.prepared
    st.caption("Refit this exact model elsewhere: download the prepared training rows, then run either script "
               "next to the file.")
    st.download_button("Training data (CSV)", lambda: safe_csv(prepared.training_frame()),
                       file_name="reglab_training_data.csv", mime="text/csv",
                       icon=":material/download:", on_click="ignore")
    for language, script in scripts_for(v):
        st.code(script, language=language)


def scripts_for(v: LambdaView) -> list[tuple[str, str]]:
    """``[("python", …), ("r", …)]``: scripts that refit this model next to the training rows' CSV
    (Poisson: glmnet's poisson family and scikit-learn's ridge only; K classes: the multinomial ones)."""
    prepared, standardize, path, lam, datafit, model_penalty = (
        v.prepared, v.standardize, v.path, v.lam, v.datafit, v.model_penalty)
    names, target, data = prepared.feature_names, prepared.target, "reglab_training_data.csv"
    if datafit.counts:
        return [("python", poisson_python_snippet(model_penalty, lam, names, target, data, standardize)),
                ("r", poisson_r_snippet(model_penalty, lam, names, target, data, standardize,
                                        lambda_start=path.lambdas[0]))]
    if datafit.per_class:
        return [("python", multinomial_python_snippet(model_penalty, lam, names, target, data, standardize)),
                ("r", multinomial_r_snippet(model_penalty, lam, names, target, data, standardize,
                                            lambda_start=path.lambdas[0]))]
    positive_class = prepared.class_labels[1] if v.binary else None
    return [("python", python_snippet(model_penalty, lam, names, target, data, standardize, positive_class)),
            ("r", r_snippet(model_penalty, lam, names, target, data, standardize, positive_class))]


def relaxed_tab(v: LambdaView) -> None:
    """The relaxed lasso at λ and γ: its refits, CV over (λ, γ), test error and the R script."""
    prepared, key, standardize, penalty, ratio, folds, heavy, lam, fit, classifier, model_penalty, datafit = (
        v.prepared, v.key, v.standardize, v.penalty, v.ratio, v.folds, v.heavy, v.lam, v.fit, v.classifier, v.model_penalty,
        v.datafit)
    if heavy:  # one least-squares refit per active set and fold: bounded by size
        st.info("The relaxed lasso refits every active set on every fold: it is offered below the heavy-analysis "
                f"size ({limits.HEAVY_FEATURES:,} features or {limits.HEAVY_CELLS:,} training values).", icon=":material/info:")
    elif ask_first(f"relaxed:{key}:{standardize}:{penalty}:{ratio}", relaxed_seconds(prepared),
                   "The relaxed lasso's refits and their cross-validation"):
        g1, g2 = st.columns([1, 2])
        gamma = g1.select_slider(RELAX_GAMMA.label, options=[0.0, 0.25, 0.5, 0.75, 1.0],
                                 **bind(state.RELAX_GAMMA, default=0.0), help=RELAX_GAMMA.help)
        relaxed_path = relaxed_for(key, standardize, penalty, ratio, prepared)
        blended, _ = relaxed_fit_for(key, standardize, penalty, ratio, lam, gamma, prepared)
        rcv = relaxed_cv_for(key, standardize, penalty, ratio, folds, prepared)
        g2.caption("The lasso shrinks the features it keeps. The relaxed lasso refits those same features "
                   "without penalty and blends: γ·(penalized fit) + (1 − γ)·(refit). Selection stays the "
                   "lasso's; only the shrinkage is undone. "
                   f"Cross-validation over (λ, γ): λ.min = {rcv.lambda_min:.4g} with γ = {rcv.gamma_min:g}; "
                   f"λ.1se = {rcv.lambda_1se:.4g} with γ = {rcv.gamma_1se:g}.")
        if gamma < 1.0 and blended.gamma == 1.0:
            why = ("the selected features separate the two classes perfectly: their unpenalized logistic fit"
                   if classifier else "a selected feature's values occur only with counts of 0: its unpenalized "
                   "Poisson fit")
            st.info(f"At this λ {why} has no finite solution, so the relaxed model is the penalized one here. "
                    "Try a larger λ.", icon=":material/info:")
        if prepared.n_test:
            m1, m2, m3 = st.columns(3)
            measure, lasso_score, relaxed_score = held_out_scores(fit, blended, prepared.X_test, prepared.y_test)
            m1.metric(f"{measure}, {PENALTY_LABELS[penalty]}", f"{lasso_score:.5g}")
            m2.metric(f"{measure}, γ = {gamma:g}", f"{relaxed_score:.5g}", delta=f"{relaxed_score - lasso_score:+.3g}",
                      delta_color="inverse", help="Change against the penalized fit: lower is better.")
            m3.metric("Features in both", f"{fit.n_nonzero} of {len(fit.feature_names)}")
        left, right = st.columns(2)
        with left:
            st.markdown("**Coefficients at the current λ** (standardized)")
            chart_with_downloads(charts.grouped_coefficients(coefficient_comparison(fit, blended, PENALTY_LABELS[penalty])),
                                 "relaxed-coefficients", key="relaxed_bars")
        with right:
            st.markdown("**Cross-validated error for each γ**")
            chart_with_downloads(charts.curves_chart(cv_curves_frame(rcv), lam, "mean squared error (CV)"
                                                     if datafit.quadratic else "mean deviance (CV, per row)",
                                                     color_title="γ", zero=False), "relaxed-cv", key="relaxed_cv")
        if prepared.n_test:
            st.markdown("**Test error along λ**: the lasso and its relaxed blend")
            chart_with_downloads(charts.curves_chart(held_out_error_frame(relaxed_path, prepared.X_test, prepared.y_test,
                                                                          gamma), lam,
                                                     f"mean squared error ({prepared.target} units²)"
                                                     if datafit.quadratic else ("mean log-loss (nats per row)" if classifier
                                                                                else "mean deviance (per row)"),
                                                     zero=False),
                                 "relaxed-test-error", key="relaxed_test")
        save_button(v, "Save this relaxed fit as a scenario", gamma,
                    "Keep the blend at this λ and γ (coefficients, metrics) to compare on the Compare page.")
        st.caption("The same model in R (glmnet's relax = TRUE; cv.glmnet(x, y, relax = TRUE) makes the (λ, γ) "
                   "choice), on the training CSV of the Reproduce tab. scikit-learn has no relaxed lasso: refit "
                   + ("LogisticRegression(penalty=None)" if classifier
                      else "PoissonRegressor(alpha=0)" if datafit.counts else "LinearRegression")
                   + " on the selected columns and blend by hand.")
        st.code(relaxed_r_snippet(model_penalty, lam, gamma, prepared.feature_names, prepared.target,
                                  "reglab_training_data.csv", standardize,
                                  v.positive, counts_from=v.path.lambdas[0] if datafit.counts else None), language="r")


def truth_tab(v: LambdaView) -> None:
    """Support recovery and coefficient error along the path, against the known truth."""
    path, lam, truth_coef = v.path, v.lam, v.truth_coef
    recovery = support_recovery(path, truth_coef)
    st.markdown("**Support recovery along the path**: which of the truly non-zero features are selected.")
    chart_with_downloads(charts.curves_chart(recovery.to_frame(), lam, "rate"), "support-recovery", key="rec_chart")
    st.markdown("**Coefficient error** ‖β̂ − β‖₂ (original units)")
    chart_with_downloads(charts.curves_chart(recovery.error_frame(), lam, "‖β̂ − β‖₂"), "coefficient-error",
                         key="err_chart")


def counts_tab(v: LambdaView) -> None:
    """Counts: the mean observed count against the mean predicted one, rows binned by their prediction."""
    prepared, fit = v.prepared, v.fit
    X_eval, y_eval, held_out = evaluation_rows(prepared)
    st.caption(f"At the current λ, on the {len(y_eval)} {'held-out test' if held_out else 'training'} rows"
               f"{'' if held_out else ' (no test rows: set a test share on the Data page for an honest view)'}: rows "
               "sorted by their predicted count e^η and cut into groups of equal size; on the diagonal the model's "
               "counts are right on average.")
    chart_with_downloads(charts.count_calibration_chart(calibration_frame(y_eval, fit.predict(X_eval), bins=10),
                                                        prepared.target), "predicted-vs-observed", key="counts_chart")


def residual_checks(fit: Fit, prepared: Prepared, kind: str) -> tuple[list, pd.DataFrame]:
    """The four residual checks' charts (:func:`reglab.charts.model_check_charts`) of ``fit`` with the
    datafit's ``kind`` of residual, and the rows they draw (the tab and the report both show them)."""
    frame, names = check_frame(fit, prepared, kind)
    return charts.model_check_charts(frame, names, qq_frame(frame["residual"].to_numpy()),
                                     f"observed {prepared.target}", RESIDUAL_LABELS[kind]), frame


def checks_tab(v: LambdaView) -> None:
    """Model checks at λ: predicted against observed, residuals against predicted, their histogram and
    normal Q–Q plot (least squares: y − ŷ; counts: Pearson or deviance residuals), training and test rows."""
    kinds = v.datafit.residual_kinds
    kind = kinds[0]
    if len(kinds) > 1:
        kind = st.segmented_control("Residuals", list(kinds), format_func=RESIDUAL_LABELS.get, required=True,
                                    **bind(state.RESIDUAL_KIND, default=kinds[0]),
                                    help="Pearson: (y − μ)/√μ, the count's variance is μ. Deviance: each row's part of "
                                         "the deviance, signed; their squares sum to it. Near N(0, 1) when the model "
                                         "is right and counts are not small.")
    charts_, frame = residual_checks(v.fit, v.prepared, kind)
    names = ("predicted-vs-observed", "residuals", "residual-histogram", "residual-qq")
    for start in (0, 2):  # two rows of two: columns stack on a narrow screen
        for column, chart, name in zip(st.columns(2), charts_[start:start + 2], names[start:start + 2]):
            with column:
                chart_with_downloads(chart, name, key=f"checks_{name}")
    sampled = len(frame) < v.prepared.n_train + v.prepared.n_test
    st.caption(f"At λ = {v.lam:.4g}, blue: training rows, orange: test rows"
               + (f" (a random {len(frame):,} of {v.prepared.n_train + v.prepared.n_test:,} rows drawn)" if sampled else "")
               + ". Hover a point for its table row and its values of the columns that matter most. Training "
               "residuals look better than test ones by design: the model saw those rows.")


#: Form inputs drawn at most: the columns in the model with the largest typical part |βⱼ|·sdⱼ.
WHATIF_MAX_INPUTS = 40


def _whatif_fill(keys: list[str], columns: list[whatif.Column], values: dict) -> None:
    for key, column in zip(keys, columns):
        st.session_state[key] = values[column.name]


def _table_row(prepared: Prepared, position: int):
    """``(X, index, "training" | "test")`` of the table's row at ``position`` (0-based), or None when that
    row is not among the model's rows (left out for a missing target)."""
    return next(((X, int(np.flatnonzero(rows == position)[0]), kind)
                 for X, rows, kind in ((prepared.X_train, prepared.train_rows, "training"),
                                       (prepared.X_test, prepared.test_rows, "test")) if position in rows), None)


def _whatif_fill_row(keys: list[str], columns: list[whatif.Column], prepared: Prepared, row_key: str) -> None:
    """A typed row number fills the form at once (no second click, which a rerun could swallow)."""
    found = _table_row(prepared, int(st.session_state[row_key]) - 1)
    if found is not None:
        _whatif_fill(keys, columns, whatif.values_of(columns, found[0][found[1]]))


def whatif_tab(v: LambdaView) -> None:
    """One row through the model at λ: a form with one input per table column in the model (numbers with
    their training range, text as its levels), started from the medians or any row of the table; the
    prediction (class probabilities for a classifier) and a waterfall of each column's part of η."""
    prepared, fit, datafit = v.prepared, v.fit, v.datafit
    columns = whatif.columns_of(prepared)
    keys = [f"{state.WHATIF}.{v.key}.{i}" for i in range(len(columns))]
    typical = whatif.typical_values(columns)
    for key, column in zip(keys, columns):
        st.session_state.setdefault(key, typical[column.name])
    n_rows = int(max(prepared.train_rows.max(initial=-1), prepared.test_rows.max(initial=-1))) + 1
    s1, s2, s3 = st.columns([2, 1, 1], vertical_alignment="bottom")
    row_key = f"{state.WHATIF}.{v.key}.row"
    row = s1.number_input("Start from row of the table", 1, max(n_rows, 1), value=1, step=1, key=row_key,
                          on_change=_whatif_fill_row, args=(keys, columns, prepared, row_key),
                          help="Row 1 is the table's first data row (a row left out for a missing target has no "
                               "values). A new row number fills the form with that row.")
    source = _table_row(prepared, int(row) - 1)
    s2.button("Use this row", icon=":material/input:", disabled=source is None, width="stretch",
              on_click=_whatif_fill, args=(keys, columns, whatif.values_of(columns, source[0][source[1]])
                                           if source else typical))
    s3.button("Medians", icon=":material/restart_alt:", width="stretch", on_click=_whatif_fill,
              args=(keys, columns, typical), help="Numbers at their training median, text at its most frequent level.")
    if source is None:
        st.caption(f"Row {row} of the table is not among the model's rows (left out for a missing target).")
    else:
        st.caption(f"Row {row} is a {source[2]} row.")
    in_model = fit.nonzero.reshape(-1, len(prepared.feature_names)).any(axis=0)
    scale = prepared.X_train.std(axis=0)
    weight = np.abs(np.asarray(fit.coef)).reshape(-1, len(prepared.feature_names)).max(axis=0) * scale
    shown = sorted((i for i, c in enumerate(columns) if in_model[list(c.indices)].any()),
                   key=lambda i: -weight[list(columns[i].indices)].max())[:WHATIF_MAX_INPUTS]
    grid = st.columns(3)
    for slot, i in enumerate(sorted(shown)):
        column, key = columns[i], keys[i]
        cell = grid[slot % 3]
        if column.is_number:
            cell.number_input(md(column.name), key=key, format="%.6g",
                              help=f"Training range {column.low:.4g} to {column.high:.4g}, median {column.median:.4g}.")
        else:
            cell.selectbox(md(column.name), column.levels, key=key, help="A level of this text column.")
    left_out = len(columns) - len(shown)
    if left_out:
        st.caption(f"{left_out} column(s) not shown: not in the model at this λ (their values do not change the "
                   "prediction)" + (f", or beyond the {WHATIF_MAX_INPUTS} with the largest parts" if
                                    len(shown) == WHATIF_MAX_INPUTS else "") + "; they keep the row's values.")
    x = whatif.model_row(columns, {c.name: st.session_state[k] for c, k in zip(columns, keys)},
                         len(prepared.feature_names))
    prediction = fit.predict(x[None, :])[0]
    class_index = 0
    if datafit.per_class:
        probabilities = dict(zip(prepared.class_labels, prediction))
        st.dataframe({"class": list(probabilities), "probability": list(probabilities.values())}, hide_index=True,
                     column_config={"probability": st.column_config.ProgressColumn(format="percent", min_value=0.0,
                                                                                   max_value=1.0)})
        class_index = prepared.class_labels.index(class_choice(prepared, "whatif"))
        axis = "η of the class (log-odds against the others' mix: probabilities are the softmax of every class's η)"
    elif datafit.classifier:
        st.metric(f"P({md(v.positive)})", f"{prediction:.1%}", help=f"P({md(v.negative)}) = {1 - prediction:.1%}.")
        axis = f"η = log-odds of {v.positive!r}"
    elif datafit.counts:
        st.metric(f"Expected {md(prepared.target)}", f"{prediction:.4g}", help="e^η, the model's mean count for this row.")
        axis = f"η = log of the expected {prepared.target!r}"
    else:
        st.metric(f"Predicted {md(prepared.target)}", f"{prediction:.4g}")
        axis = f"η = predicted {prepared.target!r} (target units)"
    frame = whatif.waterfall_frame(fit, x, columns, class_index)
    chart_with_downloads(charts.waterfall_chart(frame, axis), "what-if-waterfall", key="whatif_chart")
    st.caption(f"At λ = {v.lam:.4g}: each column's part βⱼ·xⱼ of η (a text column's levels summed), from the intercept "
               "β₀ (the prediction with every feature at 0, in original units) to η; blue raises η, red lowers it. Move λ "
               "and the parts follow the coefficients.")


#: Each tab's view, by the short names of :data:`reglab.ui.explore.TABS`.
TAB_VIEWS: dict[str, Callable[[LambdaView], None]] = {
    "paths": paths_tab, "sparsity": sparsity_tab, "cv": cv_tab, "bv": bv_tab, "classes": classes_tab,
    "counts": counts_tab, "checks": checks_tab, "whatif": whatif_tab, "code": code_tab, "truth": truth_tab, "relaxed": relaxed_tab}


def model_controls() -> tuple[str, float, bool, int]:
    """The penalty, L1 ratio, standardization and folds controls: ``(penalty, α, standardize, folds)``
    with α the penalty's own (1 for the lasso, 0 for ridge, the slider's for the elastic net)."""
    c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
    penalty = c1.segmented_control("Penalty", list(PENALTY_LABELS), format_func=PENALTY_LABELS.get, required=True,
                                   **bind(state.PENALTY),
                                   help="L1 = λ‖w‖₁ (sparse), L2 = λ/2‖w‖₂² (shrinks smoothly), elastic net = "
                                        "λ(α‖w‖₁ + (1−α)/2‖w‖₂²).")
    l1_ratio = c2.slider(L1_RATIO.label, L1_RATIO.low, L1_RATIO.high, step=L1_RATIO.step, **bind(state.L1_RATIO),
                         disabled=penalty != "elasticnet", help=L1_RATIO.help)
    standardize = c3.toggle("Standardize", **bind(state.STANDARDIZE),
                            help="Fit on features scaled to mean 0, sd 1 (coefficients are still reported in original units). "
                                 "Off: the penalty treats a feature in grams and one in kilograms differently.")
    folds = c4.number_input(FOLDS.label, int(FOLDS.low), int(FOLDS.high), step=int(FOLDS.step), **bind(state.FOLDS),
                            help=FOLDS.help)
    return penalty, Penalty.of(penalty, l1_ratio).alpha, standardize, folds


def fold_note(prepared: Prepared, folds: int, used: int) -> None:
    """Say so when the training rows (or the smallest class) allow fewer folds than asked for."""
    if usable_folds(folds, prepared) >= folds:
        return
    by_class = prepared.max_folds < prepared.n_train
    fewest = (f"the smallest class has {prepared.max_folds} training rows" if by_class
              else f"only {prepared.n_train} training rows")
    st.caption(f":material/info: {fewest.capitalize()}: cross-validation uses {used} folds "
               "(each fold needs a row" + (" of every class)." if by_class else ")."))


def show_tabs(v: LambdaView) -> None:
    """Explore's tabs, lazy: only the open one runs (a λ move redraws one tab's charts, not all of
    them); an error shows in its tab while the controls and the other tabs stay."""
    names = tab_names(v.truth_coef is not None, v.datafit, v.relaxable)
    tabs = dict(zip(names, st.tabs([TABS[name] for name in names], key=state.EXPLORE_TAB, on_change="rerun")))
    for name, tab in tabs.items():
        with tab, page_guard():
            if tab.open:
                TAB_VIEWS[name](v)
