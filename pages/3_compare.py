"""Compare page: L1 vs L2 vs elastic net side by side, stability, both knobs, saved scenarios.

Thin: the frame, the two controls, the three fits (cached), then one call per section of
reglab.ui.compare_sections."""

import streamlit as st

from reglab.ui import bind, frame, page_guard, require_prepared, state, user_errors
from reglab.ui import compare as ui_compare
from reglab.ui.compare_sections import (CompareView, both_knobs, correlated_features, saved_scenarios, selection_stability,
                                        side_by_side)
from reglab.ui.controls import L1_RATIO
from reglab.ui.explore import usable_folds
from reglab.ui.heavy import lazy_progress, require_go_ahead

with page_guard():
    frame("Compare", ":material/compare_arrows:")
    st.title("Compare")
    st.caption("The quick what-if: on this data, what would lasso do differently from ridge — and how sure can we be?")

    dataset, prepared = require_prepared()

    key = prepared.fingerprint()
    heavy = require_go_ahead(prepared, key, "Comparing three penalties with their cross-validation, bootstrap stability and a (λ, α) grid")
    standardize = bool(st.session_state[state.STANDARDIZE])
    folds = usable_folds(int(st.session_state[state.FOLDS]), prepared)
    c1, c2 = st.columns([2, 1])
    mode = c1.segmented_control("Which λ does each model get?", list(ui_compare.MODES), format_func=ui_compare.MODES.get,
                                required=True, **bind(state.COMPARE_MODE),
                                help="Same λ: one strength for all (λ means the same thing for all three penalties). "
                                     "λ.min / λ.1se: each penalty's own cross-validated choice.")
    ratio = c2.slider(f"Elastic-net {L1_RATIO.label}", L1_RATIO.low, L1_RATIO.high, step=L1_RATIO.step, **bind(state.L1_RATIO))
    lam = float(st.session_state.get(state.LAMBDA) or 1.0)
    if mode == "same":
        st.caption(f"Using λ = {lam:.4g}, the current λ on the Explore page (standardize: {'on' if standardize else 'off'}, "
                   f"{folds}-fold CV).")
    with user_errors():
        cv_progress, clear_cv = lazy_progress("Cross-validating each penalty:", key, heavy, "compare-cv")
        cands = tuple(ui_compare.candidates(key, standardize, ratio, folds, mode, lam, prepared, progress=cv_progress))
        clear_cv()
        result = ui_compare.comparison(key, standardize, cands, prepared)

    view = CompareView(dataset, prepared, key, standardize, folds, ratio, heavy, cands, result)
    side_by_side(view)
    correlated_features(view)
    selection_stability(view)
    both_knobs(view)
    saved_scenarios()
