"""Compare page and scenario support: cached comparisons and the saved-scenarios store."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from reglab import compare, scenarios
from reglab.errors import DataError
from reglab.fitting import path_design
from reglab.preprocess import Prepared

from . import state
from .cache import cached, memoized, resampling
from .explore import cv_for, cv_measure, design_for, fit_for, path_for, relaxed_fit_for

MODES = {"same": "the same λ for all three", "min": "each at its own λ.min", "1se": "each at its own λ.1se"}


def candidates(key: str, standardize: bool, l1_ratio: float, folds: int, mode: str, lam: float,
               prepared: Prepared, progress=None) -> list[compare.Candidate]:
    """L1, L2 and elastic net, each at the λ the chosen mode gives it (CV curves are cached)."""
    out = []
    for penalty, ratio in (("l1", 1.0), ("l2", 0.0), ("elasticnet", l1_ratio)):
        if mode == "same":
            out.append(compare.Candidate(penalty, ratio, lam, "same λ"))
            continue
        cv = cv_for(key, standardize, penalty, ratio, folds, prepared, cv_measure(prepared), _progress=progress)
        chosen = cv.lambda_min if mode == "min" else cv.lambda_1se
        out.append(compare.Candidate(penalty, ratio, chosen, "λ.min" if mode == "min" else "λ.1se"))
    return out


@cached(spinner="Fitting the three models…")
def comparison(key: str, standardize: bool, cands: tuple[compare.Candidate, ...], _prepared: Prepared) -> compare.Comparison:
    return compare.compare_models(_prepared.X_train, _prepared.y_train, _prepared.X_test, _prepared.y_test, list(cands),
                                  standardize, _prepared.feature_names, family=_prepared.datafit,
                                  penalty_factor=_prepared.penalty_factors,
                                  groups=_prepared.feature_groups, class_labels=_prepared.class_labels)


@cached()
def paths_frame(key: str, standardize: bool, cands: tuple[compare.Candidate, ...], _prepared: Prepared) -> pd.DataFrame:
    """Tidy paths of the three models on one common λ grid, labelled by model."""
    design = design_for(key, standardize, _prepared)
    enet_ratio = next((c.l1_ratio for c in cands if c.penalty == "elasticnet"), 0.5)
    grid = compare.common_grid(design, enet_ratio, penalty_factor=_prepared.penalty_factors,
                                  groups=_prepared.feature_groups)
    parts = [path_design(design, _prepared.penalty(c.penalty, c.l1_ratio), lambdas=grid).to_frame().assign(model=c.label)
             for c in cands]
    return pd.concat(parts, ignore_index=True)


def stability(key: str, standardize: bool, cands: tuple[compare.Candidate, ...], resamples: int, prepared: Prepared,
              progress) -> pd.DataFrame:
    """Selection frequencies of the sparse models (L1, elastic net) at their λ (memoized)."""

    def compute() -> pd.DataFrame:
        sparse = [c for c in cands if c.penalty != "l2"]
        parts = []
        for i, cand in enumerate(sparse):
            freq = compare.selection_frequency(
                prepared.X_train, prepared.y_train, cand.penalty, cand.l1_ratio, cand.lam, resamples=resamples, seed=0,
                standardize=standardize, progress=lambda share, i=i: progress((i + share) / len(sparse)),
                family=prepared.datafit, penalty_factor=prepared.penalty_factors, groups=prepared.feature_groups)
            parts.append(pd.DataFrame({"model": cand.label, "feature": prepared.feature_names, "frequency": freq}))
        return pd.concat(parts, ignore_index=True)

    with resampling():
        return memoized(("stability", key, standardize, cands, resamples), compute)


def heatmap(key: str, standardize: bool, folds: int, prepared: Prepared, progress) -> pd.DataFrame:
    with resampling():
        return memoized(("cv-heatmap", key, standardize, folds),
                        lambda: compare.cv_heatmap(prepared.X_train, prepared.y_train, folds=folds,
                                                   standardize=standardize, progress=progress,
                                                   family=prepared.datafit, penalty_factor=prepared.penalty_factors,
                                                   groups=prepared.feature_groups))


def fold_reshuffles(key: str, standardize: bool, penalty: str, l1_ratio: float, folds: int, prepared: Prepared,
                    progress=None) -> pd.DataFrame:
    grid = path_for(key, standardize, penalty, l1_ratio, prepared, _progress=progress).lambdas
    with resampling():
        return memoized(("repeated-cv", key, standardize, penalty, l1_ratio, folds),
                        lambda: compare.repeated_cv(prepared.X_train, prepared.y_train, penalty, l1_ratio, folds=folds,
                                                    lambdas=grid, standardize=standardize, progress=progress,
                                                    family=prepared.datafit, penalty_factor=prepared.penalty_factors,
                                                    groups=prepared.feature_groups))


# ----------------------------------------------------------------------------- scenarios


def scenario_coefficients(fit) -> dict[str, float]:
    """Coefficients by name; a multinomial fit's as "feature [class]"."""
    if np.ndim(fit.coef) == 2:
        return {f"{name} [{cls}]": float(value) for cls, row in zip(fit.classes, fit.coef)
                for name, value in zip(fit.feature_names, row)}
    return dict(zip(fit.feature_names, map(float, fit.coef)))


def scenario_metrics(metrics, has_test: bool) -> dict:
    """What a scenario records of a fit's metrics (a classifier's or a regression's)."""
    if hasattr(metrics, "test_log_loss"):
        return {"test log-loss": metrics.test_log_loss if has_test else None,
                "test accuracy": metrics.test_accuracy if has_test else None,
                "test AUC": metrics.test_auc if has_test else None, "training log-loss": metrics.train_log_loss,
                "non-zero": metrics.n_nonzero, "effective df": metrics.df}
    return {"test RMSE": metrics.test_rmse if has_test else None, "test R²": metrics.test_r2 if has_test else None,
            "training RMSE": metrics.train_rmse, "non-zero": metrics.n_nonzero, "effective df": metrics.df}


def saved() -> list[scenarios.Scenario]:
    return st.session_state.setdefault(state.SCENARIOS, [])


def save(key: str, standardize: bool, penalty: str, l1_ratio: float, lam: float, prepared: Prepared,
         dataset_label: str, settings: dict, name: str | None = None, gamma: float = 1.0) -> scenarios.Scenario:
    """Add the fit at (penalty, λ, α) on the current data to the saved scenarios (its relaxed blend
    when ``gamma`` < 1)."""
    store = saved()
    if gamma < 1.0:
        fit, metrics = relaxed_fit_for(key, standardize, penalty, l1_ratio, lam, gamma, prepared)
    else:
        fit, metrics = fit_for(key, standardize, penalty, l1_ratio, lam, prepared)
    label = name or (f"#{len(store) + 1} {compare.PENALTY_NAMES[penalty]} λ={lam:.3g}"
                     + (f", relaxed γ={gamma:g}" if gamma < 1.0 else ""))
    scenario = scenarios.Scenario(
        name=label, dataset=dataset_label, target=prepared.target, penalty=penalty, lam=float(lam),
        l1_ratio=float(l1_ratio), standardize=standardize,
        preprocessing={k: (list(v) if isinstance(v, (list, tuple)) else v) for k, v in settings.items() if k != "token"},
        metrics=scenario_metrics(metrics, prepared.n_test > 0),
        coefficients=scenario_coefficients(fit),
        intercept=float(np.mean(fit.intercept)) if np.ndim(fit.intercept) else float(fit.intercept),
        gamma=float(gamma),
    )
    scenarios.room_for(store, 1)
    store.append(scenario)
    from . import ask_before_leaving

    ask_before_leaving()  # the frame drew before this save: install the guard in this run already
    return scenario


IMPORTER = state.widget_key("scenario_import")


def _import() -> None:
    uploaded = st.session_state.get(IMPORTER)
    if uploaded is None:
        return
    try:
        incoming = scenarios.from_json(uploaded.getvalue())
        scenarios.room_for(saved(), len(incoming))  # the limit is per session, not per file
        saved().extend(incoming)
        st.session_state.pop(state.SCENARIO_IMPORT_ERROR, None)
    except DataError as exc:
        st.session_state[state.SCENARIO_IMPORT_ERROR] = str(exc)


def importer_kwargs() -> dict:
    return {"key": IMPORTER, "on_change": _import}
