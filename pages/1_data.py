"""Data page: choose a dataset (built-in, synthetic or uploaded) and prepare it for modelling."""

import streamlit as st

from reglab.data import BUILTIN, SYNTHETIC_TITLES
from reglab.loading import MAX_UPLOAD_MB
from reglab.preprocess import class_labels_of, column_summary, is_numeric
from reglab.ui import bind, frame, md, page_guard, plain_list, show_error, state
from reglab.ui.cluster import server_catalog, server_picker
from reglab.ui.controls import SPLIT_SEED, SYNTHETIC_CONTROLS, TEST_SHARE, synthetic_bounds, synthetic_defaults
from reglab.ui.datastate import (FACTOR_COLUMN, FACTOR_EDITOR, LIMITS_EDITOR, LOWER_COLUMN, MAX_FACTOR, UPPER_COLUMN,
                                 current_choice, current_dataset, current_prepared, current_upload_caption, data_notes,
                                 describe_builtin, factor_table, limits_table, prep_settings, store_factor_edits,
                                 store_limit_edits, target_kwargs, upload_error, uploader_kwargs)

with page_guard():
    frame("Data", ":material/table_chart:")
    st.title("Data")
    st.caption("Pick a dataset, then choose what to predict and from which columns. Every step done to the data is listed below.")

    SOURCES = {"builtin": ":material/inventory_2: Built-in", "synthetic": ":material/science: Synthetic",
               "upload": ":material/upload_file: Upload"}
    servers, catalog_error = server_catalog()
    if servers or catalog_error:  # the operator listed datasets (REGLAB_DATASETS)
        SOURCES["server"] = ":material/dns: On the server"
    elif st.session_state.get(state.SOURCE) == "server":
        st.session_state[state.SOURCE] = "builtin"
    source = st.segmented_control("Where does the data come from?", list(SOURCES), format_func=SOURCES.get,
                                  **bind(state.SOURCE), required=True)

    if source == "builtin":
        key = st.selectbox("Built-in dataset", list(BUILTIN), format_func=lambda k: describe_builtin(k)[0], **bind(state.DATASET))
        st.caption(describe_builtin(key)[1])
    elif source == "synthetic":
        kind = st.selectbox("Generator", list(SYNTHETIC_TITLES), format_func=SYNTHETIC_TITLES.get, **bind(state.SYNTH_KIND))
        defaults = synthetic_defaults(kind)
        if set(st.session_state.get(state.SYNTH_PARAMS) or {}) - set(defaults):
            st.session_state[state.SYNTH_PARAMS] = {}
        # "Informative" counts follow their cap (groups, features): the widget shows what the data uses.
        highs, st.session_state[state.SYNTH_PARAMS] = synthetic_bounds(kind, st.session_state.get(state.SYNTH_PARAMS) or {})
        columns = st.columns(len(SYNTHETIC_CONTROLS[kind]))
        for column, control in zip(columns, SYNTHETIC_CONTROLS[kind]):
            integer = float(control.step).is_integer() and float(defaults[control.short]).is_integer()
            cast = int if integer else float
            column.number_input(control.label, min_value=cast(control.low), max_value=cast(highs[control.short]),
                                step=cast(control.step), help=control.help,
                                **bind(state.SYNTH_PARAMS, f"{control.short}", cast(defaults[control.short])))
        st.caption("The true coefficients (or curve) travel with this dataset, so other pages can show them next to the estimates.")
    elif source == "server":
        if server_picker() is not None:
            st.info("Too large to preview here: the analyses run on the cluster, by passes over the data.",
                    icon=":material/dns:")
            st.page_link("pages/2_explore.py", label="Explore it", icon=":material/insights:")
        st.stop()
    else:
        st.file_uploader(
            f"CSV, TSV, TXT, Excel (.xlsx) or Parquet, up to {MAX_UPLOAD_MB} MB",
            type=["csv", "tsv", "txt", "dat", "xlsx", "xls", "parquet"],
            help="Any common encoding (UTF-8, UTF-16, Latin-1/Windows-1252), separator (, ; tab |) and decimal style (1.5 or 1,5).",
            **uploader_kwargs(),
        )
        failed = upload_error()
        if failed:
            show_error(failed)
        if current_upload_caption():
            st.text(current_upload_caption())
        else:
            st.info("Drop a file above. It is kept in memory for your session only, never saved to disk.", icon=":material/upload_file:")

    dataset, notes, error = current_dataset()
    if error:
        show_error(error)
        st.stop()

    st.subheader(f"Preview · {dataset.shape_text}")
    plain_list(notes)
    st.dataframe(dataset.frame.head(500), height=260, width="stretch")
    with st.expander("Column summary", icon=":material/summarize:", expanded=False):
        st.dataframe(column_summary(dataset.frame), hide_index=True, width="stretch")

    st.subheader("What to predict, from what")
    plain_list(data_notes(dataset, prep_settings(dataset, current_choice().token)))
    columns = [str(c) for c in dataset.frame.columns]
    left, right = st.columns(2)
    with left:
        target = st.selectbox("Target (the column to predict)", columns, **target_kwargs(dataset))
        task = st.segmented_control("Task", ["regression", "classification", "counts"], required=True,
                                    **bind(state.PREP, "task"),
                                    help="Guessed from the target: text or ≤ 10 whole-number values suggest classification; "
                                         "other whole numbers ≥ 0 that include a 0 suggest counts. Two classes get logistic "
                                         "regression (binomial), three or more a multinomial logistic regression; counts "
                                         "(events per row) a Poisson regression with a log link.")
        classes = class_labels_of(dataset.frame[target]) if task == "classification" else ()
        if len(classes) == 2:
            chosen = (st.session_state.get(state.PREP) or {}).get("positive")
            if chosen is not None and chosen not in classes:  # a link's or an old target's class
                st.warning(md(f"The positive class {chosen[:60]!r} is not a class of this target; using {classes[1]!r}."),
                           icon=":material/warning:")
                st.session_state[state.PREP] = {**st.session_state[state.PREP], "positive": None}
            st.selectbox("Positive class", classes, **bind(state.PREP, "positive", default=classes[1]),
                         help="The class whose probability the model gives (coded 1); by default the second in sorted "
                              "order, as glmnet. It flips the signs of the coefficients, not the fit.")
        features = st.multiselect("Features", [c for c in columns if c != target], **bind(state.PREP, "features"),
                                  help="Text columns are one-hot encoded. Identifier-like text columns are left out by default.")
    with right:
        numeric_features = [c for c in features if is_numeric(dataset.frame[c])]
        st.multiselect("Treat these numeric columns as categories", numeric_features, **bind(state.PREP, "categorical"),
                       help="For codes such as zip codes or product ids, whose numbers are labels, not amounts.")
        st.radio("Missing feature values", ["impute", "drop"], horizontal=True, **bind(state.PREP, "missing"),
                 format_func={"impute": "fill in (training median / most frequent)", "drop": "drop those rows"}.get)
        c1, c2, c3 = st.columns(3)
        c1.slider(TEST_SHARE.label, TEST_SHARE.low, TEST_SHARE.high, step=TEST_SHARE.step, **bind(state.PREP, "test_size"),
                  help=TEST_SHARE.help)
        c2.number_input(SPLIT_SEED.label, int(SPLIT_SEED.low), int(SPLIT_SEED.high), step=1, **bind(state.PREP, "seed"),
                        help=SPLIT_SEED.help)
        c3.number_input("Max levels per category", 2, 200, step=1, **bind(state.PREP, "max_categories"))
        st.toggle("One-hot without the first level (baseline)", **bind(state.PREP, "drop_first"),
                  help="Penalized models do not need a baseline level; keeping all levels treats them symmetrically.")
        st.toggle("Penalize each text column as a group", **bind(state.PREP, "grouped", default=False),
                  help="Grouped: a text column's one-hot columns enter or leave the model together (the group lasso, "
                       "penalty √|g|·‖w_g‖₂; regression, two-class and count targets). Separate: each level on its own (the plain lasso).")

    chosen = (st.session_state.get(state.PREP) or {})
    with st.expander("Penalty factors: penalize some features more, or not at all", icon=":material/tune:",
                     expanded=bool(chosen.get("factors"))):
        st.caption("glmnet's penalty.factor: each feature's penalty is multiplied by its factor. 0 leaves a feature "
                   "unpenalized (a control variable that always stays in the model), 2 penalizes it twice as hard. "
                   "Factors are rescaled to sum to the number of model columns, as glmnet does; a text column's factor "
                   "applies to each of its one-hot columns. Every page and link uses them.")
        st.data_editor(factor_table(chosen), key=FACTOR_EDITOR, on_change=store_factor_edits, hide_index=True,
                       num_rows="fixed", disabled=["feature"], width="stretch",
                       column_config={FACTOR_COLUMN: st.column_config.NumberColumn(
                           FACTOR_COLUMN, min_value=0.0, max_value=MAX_FACTOR, step=0.1, format="%g",
                           help="0 = unpenalized, 1 = as usual, 2 = twice as hard.")})
    with st.expander("Coefficient limits: force an effect's sign, or bound it", icon=":material/vertical_align_center:",
                     expanded=bool(chosen.get("limits"))):
        st.caption("glmnet's lower.limits / upper.limits, in the coefficient's own units: lower 0 keeps an effect from "
                   "being negative (scikit-learn's positive=True), upper 0 from being positive; blank is no limit. Every "
                   "limit keeps 0 allowed (lower ≤ 0 ≤ upper). A text column's limits apply to each of its levels. For "
                   "regression, two-class and count targets; not combined with grouped categories.")
        st.data_editor(limits_table(chosen), key=LIMITS_EDITOR, on_change=store_limit_edits, hide_index=True,
                       num_rows="fixed", disabled=["feature"], width="stretch",
                       column_config={LOWER_COLUMN: st.column_config.NumberColumn(LOWER_COLUMN, max_value=0.0,
                                                                                  format="%g", help="≤ 0; blank: none."),
                                      UPPER_COLUMN: st.column_config.NumberColumn(UPPER_COLUMN, min_value=0.0,
                                                                                  format="%g", help="≥ 0; blank: none.")})

    dataset, prepared, error = current_prepared()
    st.subheader("What was done to the data")
    if error:
        show_error(error)
        st.stop()
    plain_list(prepared.report)
    if prepared.warnings:
        st.caption(":material/warning: Worth knowing")
        plain_list(prepared.warnings)
    st.success(
        f"Ready: {prepared.n_train:,} training rows and {prepared.n_test:,} test rows × {len(prepared.feature_names)} features.",
        icon=":material/check_circle:",
    )
    st.page_link("pages/2_explore.py", label="Explore this dataset", icon=":material/insights:")
