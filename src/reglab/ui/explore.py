"""Explore page support: cached analyses keyed on (data fingerprint, settings) and the λ controls.

Nothing here recomputes because a slider moved: the path, CV curve and bias–variance
study depend on the data and the penalty only; moving λ costs one warm refit from the
cached sufficient statistics (a Gram-based coordinate descent at one λ, ~1 ms).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import streamlit as st

import reglab
from reglab import biasvariance, limits
from reglab.criteria import Criteria, information_criteria
from reglab.data import Dataset
from reglab.datafits import datafit_of
from reglab.errors import DataError
from reglab.diagnostics import ClassificationMetrics, FitMetrics, classification_metrics, fit_metrics
from reglab.design import RowDesign, Design, prepare
from reglab.fitting import fit_design, path_design
from reglab.results import Fit, Path
from reglab.preprocess import Prepared
from reglab.relaxed import RelaxedCV, RelaxedPath, relax, relaxed_fit
from reglab.selection import cross_validate_relaxed
from reglab.selection import CVResult

from . import state
from .controls import FOLDS, L1_RATIO, RELAX_GAMMA, parse_number
from .cache import cached, fit_cache, memoized, resampling
from .datastate import link_warning, remember_url, url_changed_externally, write_query_params
from .heavy import n_classes

PENALTY_LABELS = {"l1": "L1 · lasso", "l2": "L2 · ridge", "elasticnet": "Elastic net"}


@dataclass(frozen=True)
class View:
    """What defines the current Explore view (round-trips through the URL)."""

    penalty: str
    l1_ratio: float
    lam: float
    standardize: bool
    folds: int



@cached()
def design_for(fingerprint: str, standardize: bool, _prepared: Prepared) -> Design | RowDesign:
    """Sufficient statistics of the training rows, or the standardized rows of a classification
    problem (shared read-only; keyed on the data's hash, which includes the task)."""
    return prepare(_prepared.X_train, _prepared.y_train, standardize, _prepared.feature_names,
                   family=_prepared.datafit, class_labels=_prepared.class_labels)


@cached(spinner="Computing the regularization path…")
def path_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, _prepared: Prepared,
             _progress=None) -> Path:
    design = design_for(fingerprint, standardize, _prepared)
    spec = _prepared.spec(penalty, l1_ratio, standardize)
    return path_design(design, spec.penalty, progress=_progress, spec=spec)


def wire_spec(spec: dict) -> dict:
    """A λ chart's spec with every dataset but the moving λ rule already in Streamlit's wire format
    (Arrow IPC bytes, by Streamlit's own converter), once per chart: Streamlit otherwise converts
    every dataset through pandas to Arrow on each rerun (~11 ms of a λ move on a 1,000-row path).
    :func:`reglab.charts.move_lambda` still moves the rule (a list of rows); downloads read the
    bytes back (:func:`reglab.export.json_spec`)."""
    from streamlit import dataframe_util

    from reglab.charts import is_lambda_rule

    datasets = {name: rows if is_lambda_rule(rows) else dataframe_util.convert_anything_to_arrow_bytes(rows)
                for name, rows in spec.get("datasets", {}).items()}
    return {**spec, "datasets": datasets}


#: Widget key of Explore's "same model in other tools" popover (its open state).
TRANSLATOR = state.widget_key("translator")

#: The path chart's third scale, offered when the data has feature groups: one line per group.
GROUP_NORMS = "group norms ‖w_g‖"
#: The path chart's scales.
PATH_SCALES = ("standardized", "original units")


def path_scales(prepared: Prepared) -> list[str]:
    """The path chart's scale choices: group norms too when the features come in groups. A stored
    choice the data no longer offers (group norms, then data without groups) falls back to the first."""
    choices = [*PATH_SCALES, *([GROUP_NORMS] if prepared.feature_groups is not None else [])]
    if st.session_state.get(state.PATH_SCALE) not in (None, *choices):
        st.session_state[state.PATH_SCALE] = choices[0]
    return choices


#: The path chart's plot height in the presentation view: what is left of a 1280×720 screen under
#: the controls and metrics (its legend sits beside it there, not below).
PRESENT_PATH_HEIGHT = 190


@cached()
def path_spec_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, scale: str, axis: str,
                  _prepared: Prepared, present: bool = False, class_label: str | None = None) -> dict:
    """The path chart's Vega-Lite spec, built once per path and view option (for a multinomial
    path, per class: ``class_label``); λ is moved with :func:`reglab.charts.move_lambda`."""
    from reglab import charts

    path = path_for(fingerprint, standardize, penalty, l1_ratio, _prepared)
    if scale == GROUP_NORMS and _prepared.feature_groups is not None:
        frame, value, value_title = (path.group_norms_frame(_prepared.feature_sources), "norm",
                                     "group norm ‖w_g‖₂ (standardized)")
        frame = frame.assign(group=frame["feature"])  # one line per group: titled as groups
    else:
        frame = path.to_frame()
        value, value_title = (("coef_standardized", "standardized coefficient") if scale != "original units"
                              else ("coef", "coefficient (original units)"))
        if "class" in frame:
            frame = frame[frame["class"] == class_label].drop(columns="class")
        if _prepared.feature_groups is not None:  # a categorical column's dummies: one colour, one legend entry
            frame = frame.assign(group=frame["feature"].map(dict(zip(_prepared.feature_names, _prepared.feature_sources))))
    chart = charts.path_chart(
        frame, current_lambda=float(path.lambdas[0]), height=PRESENT_PATH_HEIGHT if present else 380, value=value,
        value_title=value_title, x="lambda" if axis == "log λ" else "l1_fraction", selectable=axis == "log λ",
        present=present,
    )
    return wire_spec(charts.to_spec(chart))


@cached()
def cv_spec_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, folds: int, error_title: str,
                _prepared: Prepared, measure: str | None = None) -> dict:
    """The CV chart's spec, built once per CV curve (λ moved with :func:`reglab.charts.move_lambda`)."""
    from reglab import charts

    cv = cv_for(fingerprint, standardize, penalty, l1_ratio, folds, _prepared, measure)
    return wire_spec(charts.to_spec(charts.cv_chart(cv.to_frame(), cv.lambda_min, cv.lambda_1se, float(cv.lambdas[0]),
                                                    error_title=error_title)))


def intervals_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, lam: float, resamples: int,
                  prepared: Prepared, progress=None):
    """Bootstrap percentile intervals (95 %) of the coefficients at λ and their selection frequencies, on the
    training rows (seeded: the same resamples every time; memoized, with progress)."""
    from reglab.compare import coefficient_intervals

    def compute():
        return coefficient_intervals(prepared.X_train, prepared.y_train, penalty, l1_ratio, lam, resamples=resamples,
                                     seed=0, standardize=standardize, progress=progress, family=prepared.datafit,
                                     penalty_factor=prepared.penalty_factors, groups=prepared.feature_groups)

    with resampling():
        return memoized(("coefficient-intervals", fingerprint, standardize, penalty, l1_ratio, lam, resamples), compute)


@cached()
def criteria_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, _prepared: Prepared
                 ) -> Criteria | str:
    """AIC, BIC and EBIC along the on-screen path, on the training rows; a sentence instead when they
    cannot be had here (n ≤ p + 1 for least squares: no σ² estimate; past the work budget)."""
    path = path_for(fingerprint, standardize, penalty, l1_ratio, _prepared)
    seconds = limits.criteria_seconds(_prepared.n_train, len(_prepared.feature_names), len(path.lambdas),
                                      path.spec.penalty.alpha, not path.datafit.quadratic, n_classes(_prepared))
    if seconds > limits.CRITERIA_BUDGET_SECONDS:
        return (f"Information criteria are not computed for this model: each λ's degrees of freedom with a ridge part "
                f"need an eigendecomposition (estimated {seconds:.0f} s of CPU for the path, past the "
                f"{limits.CRITERIA_BUDGET_SECONDS:g} s budget). The lasso's are counts: switch to L1 to see them.")
    try:
        return information_criteria(path, _prepared.X_train, _prepared.y_train)
    except DataError as exc:  # least squares with n ≤ p + 1: no estimate of σ²
        return str(exc)


@cached()
def criteria_spec_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, _prepared: Prepared) -> dict:
    """The criteria chart's spec, built once per path (λ moved with :func:`reglab.charts.move_lambda`)."""
    from reglab import charts

    criteria = criteria_for(fingerprint, standardize, penalty, l1_ratio, _prepared)
    return wire_spec(charts.to_spec(charts.criteria_chart(criteria.to_frame(), float(criteria.lambdas[0]))))


@cached()
def nonzero_spec_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, _prepared: Prepared) -> dict:
    """The non-zero-count chart's spec, built once per path."""
    from reglab import charts

    path = path_for(fingerprint, standardize, penalty, l1_ratio, _prepared)
    return wire_spec(charts.to_spec(charts.nonzero_chart(path.nonzero_frame(), float(path.lambdas[0]))))


def class_choice(prepared: Prepared, key_suffix: str = "paths") -> str:
    """A class picker for a multinomial model's per-class charts (the choice is kept per chart)."""
    from . import bind

    classes = list(prepared.class_labels)
    store = f"{state.SHOWN_CLASS}.{key_suffix}"
    if st.session_state.get(store) not in classes:
        st.session_state[store] = classes[0]
    from . import md

    # Labels come from the user's file: shown as text (a segment's label would otherwise be Markdown).
    return st.segmented_control("Class", classes, required=True, format_func=md, **bind(store),
                                help="A multinomial model has one coefficient vector per class: which class to show.")


def usable_folds(folds: int, prepared: Prepared) -> int:
    """The requested K, lowered to what the training rows allow (:attr:`Prepared.max_folds`: the
    rows, or the smallest class's rows for a classifier), K ≥ 2."""
    return max(2, min(int(folds), prepared.max_folds))


def cv_measures(prepared: Prepared) -> dict[str, str]:
    """The CV measures this model offers (cv.glmnet's type.measure → the page's label), the default first."""
    datafit = prepared.datafit
    return {measure: datafit.measure_label(measure) for measure in datafit.measures}


def cv_measure(prepared: Prepared) -> str | None:
    """The CV measure in use: the session's choice where the model offers several, else None (its only one)."""
    measures = cv_measures(prepared)
    if len(measures) < 2:
        return None
    chosen = st.session_state.get(state.CV_MEASURE)
    return chosen if chosen in measures else next(iter(measures))


@cached(spinner="Cross-validating every λ…")
def cv_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, folds: int, _prepared: Prepared,
           measure: str | None = None, _progress=None) -> CVResult:
    on_screen = path_for(fingerprint, standardize, penalty, l1_ratio, _prepared)
    with resampling():
        return reglab.cross_validate(_prepared.X_train, _prepared.y_train, penalty=penalty, l1_ratio=l1_ratio,
                                     folds=usable_folds(folds, _prepared), seed=0, standardize=standardize,
                                     full_path=on_screen, progress=_progress, family=_prepared.datafit,
                                     measure=measure, penalty_factor=_prepared.penalty_factors,
                                     groups=_prepared.feature_groups)


@cached(spinner="Refitting every active set without penalty…")
def relaxed_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, _prepared: Prepared) -> RelaxedPath:
    """The on-screen path's relaxed fits (glmnet's relax = TRUE), on the training rows."""
    return relax(path_for(fingerprint, standardize, penalty, l1_ratio, _prepared), _prepared.X_train, _prepared.y_train)


@cached(spinner="Cross-validating every (λ, γ)…")
def relaxed_cv_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, folds: int,
                   _prepared: Prepared) -> RelaxedCV:
    """CV over (λ, γ) on the on-screen grid, with the CV tab's folds (same seed, same rows)."""
    grid = path_for(fingerprint, standardize, penalty, l1_ratio, _prepared).lambdas
    with resampling():
        return cross_validate_relaxed(_prepared.X_train, _prepared.y_train, penalty, l1_ratio,
                                      folds=usable_folds(folds, _prepared), seed=0, lambdas=grid,
                                      standardize=standardize, penalty_factor=_prepared.penalty_factors,
                                      groups=_prepared.feature_groups, family=_prepared.datafit)


@cached(store=fit_cache)
def relaxed_fit_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, lam: float, gamma: float,
                    _prepared: Prepared) -> tuple[Fit, FitMetrics | ClassificationMetrics]:
    """The relaxed blend at (λ, γ) of the exact fit at λ, and its metrics (df of the blend)."""
    fit, _ = fit_for(fingerprint, standardize, penalty, l1_ratio, lam, _prepared)
    blended = relaxed_fit(fit, _prepared.X_train, _prepared.y_train, gamma)
    return blended, metrics_of(blended, design_for(fingerprint, standardize, _prepared),
                               _prepared.penalty(penalty, l1_ratio), _prepared)


def metrics_of(fit: Fit, design: Design | RowDesign, pen, prepared: Prepared
               ) -> FitMetrics | ClassificationMetrics:
    """A fit's metrics on the prepared training and test rows: a classifier's (log-loss, accuracy,
    AUC) or a regression's (RMSE, R²), with its non-zero count and effective df."""
    measure = classification_metrics if fit.datafit.classifier else fit_metrics
    return measure(fit, design, pen, prepared.X_train, prepared.y_train, prepared.X_test, prepared.y_test)


@cached(store=fit_cache)  # the fits' own bounded cache: a λ slider makes one per stop
def fit_for(fingerprint: str, standardize: bool, penalty: str, l1_ratio: float, lam: float, _prepared: Prepared
            ) -> tuple[Fit, FitMetrics | ClassificationMetrics]:
    """The exact fit at λ (warm start from the nearest path solution) and its metrics (a
    classifier's: log-loss, accuracy, AUC)."""
    design = design_for(fingerprint, standardize, _prepared)
    spec = _prepared.spec(penalty, l1_ratio, standardize)
    grid = path_for(fingerprint, standardize, penalty, l1_ratio, _prepared)
    nearest = int(np.argmin(np.abs(np.log(grid.lambdas) - math.log(lam))))
    fit = fit_design(design, spec.penalty, lam, w_init=grid.weights[nearest], spec=spec)
    return fit, metrics_of(fit, design, spec.penalty, _prepared)


def bias_variance_seconds(prepared: Prepared, repeats: int) -> float:
    """Estimated CPU seconds of the bias–variance study: ``repeats`` cold paths on half the grid, each
    about a quarter of a path + CV (:func:`reglab.limits.estimated_seconds`; least squares' resamples
    run on weighted Grams and are counted by the design's size limits instead)."""
    return repeats * limits.estimated_seconds(prepared.n_train, len(prepared.feature_names), n_classes(prepared)) / 4


def relaxed_seconds(prepared: Prepared) -> float:
    """Estimated CPU seconds of the relaxed lasso's refits on the path and every fold (a two-class or
    count target's refits are Newton iterations on the rows: ~10× a least-squares refit from moments)."""
    seconds = limits.estimated_seconds(prepared.n_train, len(prepared.feature_names), relaxed=True)
    return seconds * (1 if prepared.datafit.quadratic else 10)


def bias_variance_for(fingerprint: str, dataset_token: str, standardize: bool, penalty: str, l1_ratio: float,
                      repeats: int, prepared: Prepared, dataset: Dataset, progress=None) -> biasvariance.BiasVariance | None:
    """Known-truth decomposition for synthetic data, bootstrap estimate otherwise (memoized).

    None when neither is possible: real data without held-out test rows.
    """

    def compute() -> biasvariance.BiasVariance | None:
        pen = prepared.penalty(penalty, l1_ratio)
        grid = path_for(fingerprint, standardize, penalty, l1_ratio, prepared).lambdas[::2]
        usable_truth = (dataset.source == "synthetic" and dataset.truth is not None
                        and datafit_of(dataset.truth.family) == prepared.datafit
                        and set(prepared.feature_names) <= set(dataset.feature_names))
        if usable_truth:
            return biasvariance.for_synthetic(dataset, prepared.feature_names, prepared.n_train, pen, grid,
                                              repeats=repeats, standardize=standardize, progress=progress)
        if prepared.n_test == 0:
            return None
        return biasvariance.bootstrap(prepared.X_train, prepared.y_train, prepared.X_test, prepared.y_test, pen, grid,
                                      repeats=repeats, standardize=standardize, progress=progress,
                                      family=prepared.datafit)

    with resampling():
        return memoized(("bias-variance", fingerprint, dataset_token, standardize, penalty, l1_ratio, repeats), compute)


def bias_variance_view(bv: biasvariance.BiasVariance | None, prepared: Prepared, lam: float) -> None:
    """The bias–variance tab's caption (what was decomposed, and how) and chart."""
    from reglab import charts

    from . import chart_with_downloads

    datafit = prepared.datafit
    classifier = datafit.classifier
    brier = ("Σₖ (yₖ − p̂ₖ)² summed over the classes (y one-hot)" if datafit.per_class
             else "(y − p̂)² with y = 1 for the positive class")
    if bv is None:
        st.info("The bias–variance estimate on real data needs held-out test rows: set a test share above 0 "
                "on the Data page.", icon=":material/info:")
    elif bv.kind == "known truth":
        noise = ("the true probabilities' variance Σₖ pₖ(1 − pₖ)" if datafit.per_class
                 else "the true probability's Bernoulli variance p(1 − p)")
        st.caption(f"Exact decomposition over {bv.repeats} fresh training sets drawn from the known model"
                   + (f" of the Brier score {brier}; the noise is {noise}" if classifier else
                      " of the squared error (y − μ̂)²; the noise is the counts' Poisson variance μ" if datafit.counts
                      else "")
                   + ". The dashed total lies on the measured expected test error: the identity holds.")
    elif classifier:
        st.caption(f"Bootstrap estimate over {bv.repeats} resamples of the training rows (drawn within each class), "
                   f"on the test rows, of the Brier score {brier}"
                   ": the variance of the predicted probabilities, and bias² and noise together.")
    else:
        st.caption(f"Bootstrap estimate over {bv.repeats} resamples of the training rows, evaluated on the test rows. "
                   "Without the true function, bias² and noise cannot be told apart: they are shown together.")
    if bv is not None:
        bv_title = "Brier score (probability²)" if classifier else f"squared error ({prepared.target} units²)"
        chart_with_downloads(charts.curves_chart(bv.to_frame(), lam, bv_title,
                                                 dashed=(bv.labels["total"],)), "bias-variance", key="bv_chart")


# ----------------------------------------------------------------------------- λ controls

SLIDER = state.widget_key("lambda_slider")
#: Slider stops between two λ of the path's grid (log-spaced): ~400 stops, every grid λ one of them.
STOPS_PER_STEP = 4


def slider_stops(lambdas: np.ndarray) -> list[float]:
    """The λ slider's values, increasing: the path's grid and ``STOPS_PER_STEP − 1`` log-spaced
    values between each two of its λ (so λ.min and λ.1se are stops themselves)."""
    grid = np.sort(np.asarray(lambdas, dtype=float))
    if len(grid) < 2:
        return [float(v) for v in grid]
    logs = np.log(grid)
    fine = np.concatenate([np.linspace(a, b, STOPS_PER_STEP, endpoint=False) for a, b in zip(logs[:-1], logs[1:])])
    stops = np.exp(fine)
    stops[::STOPS_PER_STEP] = grid[:-1]  # exactly the grid's λ, not exp(log(λ))
    return [float(v) for v in stops] + [float(grid[-1])]


def nearest_stop(stops: list[float], lam: float) -> float:
    """The slider stop closest to ``lam`` on the log scale (the ends for λ outside the range)."""
    return stops[int(np.argmin(np.abs(np.log(stops) - math.log(lam))))]
EXACT = state.widget_key("lambda_exact")


def request_lambda(lam: float) -> None:
    """Ask for λ from a button (or a link); applied before the λ widgets are drawn next run.

    The clickable charts are drawn afresh (new keys) after a button: a chart keeps its last
    selection, so a click on the same spot as before would otherwise not count as a new one.
    """
    st.session_state[state.LAMBDA_PENDING] = float(lam)
    st.session_state[state.PICK_GENERATION] = st.session_state.get(state.PICK_GENERATION, 0) + 1
    st.session_state.pop(state.LAST_PICK, None)


def chart_key(name: str) -> str:
    """Key of a clickable chart: changes after each λ button, so the chart's selection starts empty."""
    return f"{name}-{st.session_state.get(state.PICK_GENERATION, 0)}"


def _from_slider() -> None:
    st.session_state[state.LAMBDA] = float(st.session_state[SLIDER])
    st.session_state[EXACT] = st.session_state[state.LAMBDA]


def _from_exact() -> None:
    st.session_state[state.LAMBDA] = float(st.session_state[EXACT])  # the slider follows on the next run


#: How far below the path's smallest λ the exact input reaches (the path is extended there on
#: demand by the fit alone; the charts keep the path's range).
BELOW_GRID = 1e-3


def lambda_range(lambdas: np.ndarray) -> tuple[float, float]:
    """The λ values a user may choose: the path's range, and below it down to ``BELOW_GRID`` × its end."""
    return float(lambdas.min()) * BELOW_GRID, float(lambdas.max())


def settle_lambda(lambdas: np.ndarray, default: float) -> float:
    """The current λ (one value shared by every penalty), clipped to :func:`lambda_range`;
    a pending request applied; both λ widgets seeded from it on every run.

    Seeding every run keeps the slider and the exact input on the same λ when the path's
    range changes under them (a penalty switch): the slider never falls back to its minimum.
    """
    low, high = lambda_range(lambdas)
    pending = st.session_state.pop(state.LAMBDA_PENDING, None)
    lam = pending if pending is not None else st.session_state.get(state.LAMBDA)
    if lam is None or not np.isfinite(lam) or lam <= 0:
        lam = default
    lam = float(min(max(lam, low), high))
    st.session_state[state.LAMBDA] = lam
    st.session_state[SLIDER] = nearest_stop(slider_stops(lambdas), lam)
    st.session_state[EXACT] = lam
    return lam


def lambda_controls(lambdas: np.ndarray, lam: float) -> None:
    """A slider over λ on a log scale (its stops: :func:`slider_stops`; it shows and announces λ
    itself, not its logarithm), plus the exact λ (which may go below the path's range)."""
    exact_low, exact_high = lambda_range(lambdas)
    left, right = st.columns([3, 1])
    left.select_slider(
        "λ (log scale)",
        options=slider_stops(lambdas),
        format_func=lambda v: f"{v:.3g}",
        key=SLIDER,
        on_change=_from_slider,
        help="Regularization strength, the same λ for L1, L2 and elastic net: "
        "minimize the mean loss (squared error / 2, or log-loss for a classifier) + λ·(α‖w‖₁ + (1−α)/2·‖w‖₂²), "
        "features standardized.",
    )
    right.number_input(
        "λ (exact)",
        min_value=exact_low,
        max_value=exact_high,
        format="%.6g",
        step=lam / 10,
        key=EXACT,
        on_change=_from_exact,
        help=f"Type any λ from {exact_low:.3g} (1000× below the path's smallest λ) to {exact_high:.3g}. "
        "scikit-learn: Lasso/ElasticNet alpha = λ, Ridge alpha = n·λ.",
    )


def apply_chart_pick(event) -> None:
    """Turn a click on a chart (its nearest λ) into a λ request, once per new click."""
    if not event:
        return
    picked = (event.get("selection") or {}).get("pick_lambda") or []
    if not picked or "lambda" not in picked[0]:
        return
    value = float(picked[0]["lambda"])
    if st.session_state.get(state.LAST_PICK) != value:
        st.session_state[state.LAST_PICK] = value
        st.session_state[state.LAMBDA_PENDING] = value
        st.rerun(scope="fragment")  # charts live in Explore's λ fragment: only it depends on λ


VIEW_URL_KEYS = {"penalty", "lam", "l1_ratio", "std", "folds", "tab", "gamma"}
_VIEW_URL_WRITTEN = "reglab.url_written.view"
#: Explore's tabs: short name in links → label on screen (Truth exists for synthetic data only).
TABS = {"paths": ":material/timeline: Paths", "sparsity": ":material/bar_chart: Sparsity",
        "cv": ":material/rule: Cross-validation", "bv": ":material/balance: Bias–variance",
        "classes": ":material/fact_check: Model checks · Classification", "counts": ":material/numbers: Counts",
        "checks": ":material/fact_check: Model checks",
        "whatif": ":material/person_search: What-if", "code": ":material/code: Reproduce",
        "truth": ":material/verified: Truth", "relaxed": ":material/compress: Relaxed lasso"}


def tab_names(has_truth: bool, datafit, relaxable: bool = False) -> list[str]:
    """Explore's tabs, by short name (Truth only with a known truth; one model-checks tab: residuals for
    a model that has them, "Model checks · Classification" — calibration, confusion, ROC — for a
    classifier; Counts only for a count model, Relaxed lasso only for a sparse model that has it);
    an open tab that is not among them (a link's tab=truth on real data) falls back to the first."""
    shown = {"truth": has_truth, "classes": datafit.classifier, "counts": datafit.counts, "relaxed": relaxable,
             "checks": bool(datafit.residual_kinds)}
    names = [name for name in TABS if shown.get(name, True)]
    if st.session_state.get(state.EXPLORE_TAB) not in [TABS[name] for name in names]:
        st.session_state.pop(state.EXPLORE_TAB, None)
    return names


def read_view_query_params() -> None:
    """Adopt the view (penalty, λ, α, standardize, folds, open tab) from the URL when it came from outside
    (a shared link, a page link); each unusable value is named in a warning and the current choice kept."""
    if not url_changed_externally(VIEW_URL_KEYS, _VIEW_URL_WRITTEN):
        return
    problems: list[str] = []
    penalty = st.query_params.get("penalty")
    if penalty in PENALTY_LABELS:
        st.session_state[state.PENALTY] = penalty
        st.session_state.pop(state.widget_key(state.PENALTY), None)
    elif penalty is not None:
        problems.append(f"The link's penalty={penalty[:40]} is not one of l1, l2, elasticnet. Kept the current penalty.")
    ratio, problem = parse_number(st.query_params.get("l1_ratio"), L1_RATIO)
    if ratio is not None:
        st.session_state[state.L1_RATIO] = ratio
        st.session_state.pop(state.widget_key(state.L1_RATIO), None)
    problems += [problem] if problem else []
    raw = st.query_params.get("lam")
    try:
        lam = float(raw) if raw is not None else None
    except ValueError:
        lam = math.nan
    if lam is not None and math.isfinite(lam) and lam > 0:
        request_lambda(lam)  # clipped to the path's range when it is applied (settle_lambda)
    elif lam is not None:
        problems.append(f"The link's lam={str(raw)[:40]} is not a positive number. Kept the current λ.")
    std = st.query_params.get("std")
    if std in ("0", "1"):
        st.session_state[state.STANDARDIZE] = std == "1"
    elif std is not None:
        problems.append(f"The link's std={std[:40]} is not 0 or 1. Kept the current choice.")
    folds, problem = parse_number(st.query_params.get("folds"), FOLDS, integer=True)
    if folds is not None:
        st.session_state[state.FOLDS] = folds
    problems += [problem] if problem else []
    gamma, problem = parse_number(st.query_params.get("gamma"), RELAX_GAMMA)
    if gamma is not None:
        st.session_state[state.RELAX_GAMMA] = gamma
        st.session_state.pop(state.widget_key(state.RELAX_GAMMA), None)
    problems += [problem] if problem else []
    tab = st.query_params.get("tab")
    if tab in TABS:
        st.session_state[state.EXPLORE_TAB] = TABS[tab]
    elif tab is not None:
        problems.append(f"The link's tab={tab[:40]} is not one of {', '.join(TABS)}. Opened the first tab.")
    for message in problems:
        link_warning(message)


def write_view_query_params(view: View) -> None:
    """Write the view into the URL; choices at their defaults are left out (shorter links)."""
    wanted = {"penalty": view.penalty, "lam": f"{view.lam:.6g}"}
    if view.penalty == "elasticnet":
        wanted["l1_ratio"] = f"{view.l1_ratio:g}"
    if not view.standardize:
        wanted["std"] = "0"
    if view.folds != state.DEFAULTS[state.FOLDS]:
        wanted["folds"] = str(int(view.folds))
    open_tab = st.session_state.get(state.EXPLORE_TAB)
    short = next((k for k, label in TABS.items() if label == open_tab), None)
    if short and short != "paths":
        wanted["tab"] = short
    gamma = st.session_state.get(state.RELAX_GAMMA, state.DEFAULTS[state.RELAX_GAMMA])
    if short == "relaxed" and gamma != state.DEFAULTS[state.RELAX_GAMMA]:
        wanted["gamma"] = f"{gamma:g}"
    write_query_params(VIEW_URL_KEYS, wanted)
    remember_url(VIEW_URL_KEYS, _VIEW_URL_WRITTEN)
