"""Compare's sections, one function each of one :class:`CompareView` (the page only calls them).

The page draws its frame and the two controls (which λ each model gets, the elastic net's α), fits
the three candidates once, then calls :func:`side_by_side`, :func:`correlated_features`,
:func:`selection_stability`, :func:`both_knobs` and :func:`saved_scenarios` in order. What the model
is (least squares, logistic, multinomial, Poisson) is asked of ``prepared.datafit`` below this
module, never tested here.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from reglab import charts, compare, scenarios
from reglab.data import Dataset
from reglab.errors import DataError
from reglab.objective import Penalty
from reglab.preprocess import Prepared

from . import bind, chart_with_downloads, plain_list, show_error, state, user_errors
from . import compare as ui_compare
from .datastate import current_choice, prep_settings
from .explore import PENALTY_LABELS
from .heavy import lazy_progress, progress_bar


@dataclass(frozen=True)
class CompareView:
    """What every section of Compare reads: the data, the settings, the three candidates and their fits."""

    dataset: Dataset
    prepared: Prepared
    key: str  # the prepared data's fingerprint
    standardize: bool
    folds: int
    ratio: float  # the elastic net's L1 ratio α
    heavy: bool  # the analysis was estimated heavy and the person agreed to run it (progress and Stop shown)
    cands: tuple[compare.Candidate, ...]
    result: compare.Comparison


def side_by_side(view: CompareView) -> None:
    """The three fits' scores, coefficients and paths, and a button saving them as scenarios."""
    dataset, prepared, key, standardize, cands, result = view.dataset, view.prepared, view.key, view.standardize, view.cands, view.result
    st.subheader("Side by side")
    if not prepared.n_test:  # no test rows: no test scores (an empty column would read "None")
        st.caption("No test rows (the test share on the Data page is 0): the models are scored on nothing held out.")
    st.dataframe(result.table.dropna(axis=1, how="all") if not prepared.n_test else result.table, hide_index=True,
                 width="stretch",
                 column_config={"λ": st.column_config.NumberColumn(format="%.4g"),
                                "test RMSE": st.column_config.NumberColumn(format="%.4g"),
                                "test R²": st.column_config.NumberColumn(format="%.3f"),
                                "test log-loss": st.column_config.NumberColumn(format="%.4f"),
                                "test accuracy": st.column_config.NumberColumn(format="percent"),
                                "test AUC": st.column_config.NumberColumn(format="%.3f")})
    chart_with_downloads(charts.grouped_coefficients(result.coefficients), "coefficients-by-model", key="grouped")
    st.caption("Standardized coefficients, so bars compare across features. Exact zeros have no bar.")
    # Three charts in columns (not one faceted chart): columns stack on a narrow screen.
    multiples = charts.path_small_multiples(ui_compare.paths_frame(key, standardize, cands, prepared),
                                            {c.label: c.lam for c in cands})
    for i, (column, chart) in enumerate(zip(st.columns(len(multiples)), multiples)):
        with column:
            chart_with_downloads(chart, f"paths-{cands[i].penalty}", key=f"small_multiples_{i}")
    if st.button("Save these three fits as scenarios", icon=":material/bookmark_add:"):
        try:
            scenarios.room_for(ui_compare.saved(), len(cands))
            for cand in cands:
                ui_compare.save(key, standardize, cand.penalty, cand.l1_ratio, cand.lam, prepared, current_choice().label,
                                prep_settings(dataset, current_choice().token), name=f"{cand.label} · {cand.reason} · λ={cand.lam:.3g}")
            st.toast("Saved 3 scenarios", icon=":material/bookmark_added:")
        except DataError as exc:  # the session's scenario store is full
            show_error(str(exc))


def correlated_features(view: CompareView) -> None:
    """Pairs of features correlated above |0.9| and, per group, what each penalty did with them."""
    prepared, result = view.prepared, view.result
    st.subheader("Correlated features: L1 picks one, L2 spreads the weight")
    pairs = compare.correlated_pairs(prepared.X_train, prepared.feature_names, threshold=0.9)
    if pairs.empty:
        st.caption("No pair of features is correlated above |0.9| in the training rows. "
                   "Try the synthetic 'groups of correlated features' data on the Data page to see the effect.")
        st.page_link("pages/3_compare.py", label="Load the correlated-groups example here", icon=":material/hub:",
                     query_params={"dataset": "groups"})
    else:
        groups = compare.correlated_groups(pairs)
        left, right = st.columns([2, 3])
        left.caption(f"{len(pairs)} pair(s) with |correlation| > 0.9, in {len(groups)} group(s):")
        left.dataframe(pairs, hide_index=True, width="stretch",
                       column_config={"correlation": st.column_config.NumberColumn(format="%+.3f")})
        summary = compare.group_summary(result.coefficients, groups)
        right.caption("Per group: members selected (non-zero) and the spread of their standardized coefficients "
                      "(0 = weight shared equally).")
        right.dataframe(summary, hide_index=True, width="stretch",
                        column_config={"spread": st.column_config.NumberColumn(format="%.3f"),
                                       "total weight": st.column_config.NumberColumn(format="%.3f")})
        st.caption("The lasso has to choose within a group only when λ is strong enough; try 'the same λ' with a larger λ.")


def selection_stability(view: CompareView) -> None:
    """Bootstrap selection frequencies of the sparse models (L1, elastic net) at their λ."""
    prepared, key, standardize, heavy, cands = view.prepared, view.key, view.standardize, view.heavy, view.cands
    st.subheader("Selection stability")
    s1, s2 = st.columns([1, 3])
    resamples = s1.number_input("Bootstrap resamples", 10, 1000, step=10, **bind(state.RESAMPLES),
                                help="Each resample refits L1 and elastic net at their λ on rows drawn with replacement.")
    with s2:
        report, clear = progress_bar("Stability selection: bootstrap refits", key, heavy, "stability")
    freq = ui_compare.stability(key, standardize, cands, int(resamples), prepared, progress=report)
    clear()
    chart_with_downloads(charts.frequency_bars(freq), "selection-stability", key="stability")
    st.caption("A feature selected in most resamples (right of the dashed 60% line) is a stable choice; "
               "one selected about half the time is a coin toss between correlated alternatives.")


def both_knobs(view: CompareView) -> None:
    """The CV error over (λ, α) with its one-SE region, and λ's choice over reshuffled folds."""
    prepared, key, standardize, folds, ratio, heavy = view.prepared, view.key, view.standardize, view.folds, view.ratio, view.heavy
    st.subheader("Tuning both knobs: λ and the L1 ratio")
    report, clear = progress_bar("Cross-validating every (λ, α):", key, heavy, "heatmap")
    with user_errors():
        grid = ui_compare.heatmap(key, standardize, folds, prepared, progress=report)
    clear()
    best = grid[grid["is_min"]].iloc[0]
    chart_with_downloads(charts.cv_heatmap_chart(grid), "cv-heatmap", key="heatmap")
    st.caption(f"★ minimum mean {folds}-fold CV error at α = {best['l1_ratio']:g}, λ = {best['lambda']:.4g}. "
               "Outlined cells are within one standard error of it: any of them is statistically as good, "
               "so prefer the sparsest (largest λ, largest α).")
    r1, r2 = st.columns([1, 2])
    spread_penalty = r1.selectbox("How stable is λ's choice? Penalty", list(PENALTY_LABELS), format_func=PENALTY_LABELS.get)
    spread_progress, clear_spread = lazy_progress("Reshuffling the folds:", key, heavy, "reshuffles")
    spread = ui_compare.fold_reshuffles(key, standardize, spread_penalty, Penalty.of(spread_penalty, ratio).alpha, folds,
                                        prepared, progress=spread_progress)
    clear_spread()
    with r2:
        chart_with_downloads(charts.choice_spread_chart(spread), "lambda-choice-spread", key="spread")
    st.caption(f"λ.min and λ.1se over {len(spread)} reshuffles of the {folds} folds: the wider the spread, "
               "the less a single CV run should be trusted.")


def saved_scenarios() -> None:
    """The saved scenarios: a table, two of them side by side with their differences, export and import."""
    st.subheader("Scenarios")
    store = ui_compare.saved()
    if st.session_state.get(state.SCENARIO_IMPORT_ERROR):
        show_error(st.session_state.pop(state.SCENARIO_IMPORT_ERROR))
    st.caption("Scenarios live in this browser tab. Export them to keep them: while any are saved, the browser "
               "asks before a reload or a closed tab would discard them.")
    if not store:
        st.caption("No saved scenarios yet: use 'Save these three fits' above or 'Save this fit' on Explore.")
    else:
        st.dataframe(scenarios.summary(store), hide_index=True, width="stretch")
        names = list(range(len(store)))
        d1, d2 = st.columns(2)
        first = d1.selectbox("Scenario A", names, format_func=lambda i: store[i].name, index=0)
        second = d2.selectbox("Scenario B", names, format_func=lambda i: store[i].name, index=min(1, len(store) - 1))
        # Short headers (the names are in the pickers above), so the change column is never cut.
        coef_diff, metric_diff = (table.set_axis([table.columns[0], "A", "B", "change (B − A)"], axis=1)
                                  for table in scenarios.diff(store[first], store[second]))
        numbers = {name: st.column_config.NumberColumn(format="%.4g", width="small") for name in ("A", "B", "change (B − A)")}
        d1.dataframe(metric_diff, hide_index=True, width="stretch", column_config=numbers)
        d2.dataframe(coef_diff, hide_index=True, width="stretch", column_config=numbers)
        notes = [f"A and B were fit on different data ({store[first].dataset} vs {store[second].dataset})."] \
            if store[first].dataset != store[second].dataset else []
        plain_list(notes)
    e1, e2 = st.columns(2)
    e1.download_button("Export scenarios (JSON)", scenarios.to_json(store), file_name="reglab-scenarios.json",
                       mime="application/json", icon=":material/download:", disabled=not store, on_click="ignore")
    e2.file_uploader("Import scenarios (JSON)", type=["json"], **ui_compare.importer_kwargs(),
                     help="A file exported from Regularization Lab. It is validated field by field; nothing in it is executed.")
