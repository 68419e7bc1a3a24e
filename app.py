"""Home page: what Regularization Lab is, a 30-second tour, and one live example."""

import streamlit as st

from reglab import charts
from reglab.ui import PAGES, frame, page_guard
from reglab.ui.cache import builtin_path

with page_guard():
    frame("Home")

    st.title("Regularization Lab")
    st.markdown(
        "Regularization fits a model while charging a price for large coefficients: "
        "**L1 (lasso)** charges λ·Σ|βⱼ| and sets some coefficients to exactly zero, "
        "**L2 (ridge)** charges λ/2·Σβⱼ² and shrinks all of them smoothly, and the **elastic net** mixes both. "
        "The larger λ, the simpler the model — less variance, more bias — and this lab shows that trade, live."
    )

    left, right = st.columns([2, 3], gap="large")
    with left:
        st.subheader("30-second tour")
        for step, page in enumerate(PAGES[1:], start=1):
            st.page_link(page.script, label=f"{step}. {page.label}", icon=page.icon)
            st.caption(page.blurb)
        st.caption(
            "One objective everywhere: 1/(2n)·Σ(yᵢ − b − zᵢᵀw)² + λ·(α‖w‖₁ + (1−α)/2·‖w‖₂²), "
            "features standardized, intercept unpenalized. Same λ as scikit-learn's Lasso/ElasticNet "
            "alpha and glmnet's lambda; scikit-learn's Ridge alpha is n·λ."
        )
    with right:
        st.subheader("Lasso on the diabetes data")
        lasso = builtin_path("diabetes", "l1", 1.0)
        st.altair_chart(
            charts.path_chart(lasso.to_frame(), value="coef_standardized", value_title="standardized coefficient"),
            width="stretch",
        )
        st.caption(
            "Each line is one of the 10 measurements. Reading right to left (λ falling), "
            "coefficients enter the model one at a time; at the far right (λ ≥ λ_max) every one is exactly 0."
        )
