"""Explore page (coming soon)."""

import streamlit as st

from reglab.ui import frame

frame("Explore", ":material/insights:")

st.title("Explore")
st.info("Pick L1, L2 or elastic net, move λ, and watch coefficient paths, sparsity, cross-validation and the bias–variance trade-off.", icon=":material/construction:")
st.caption("This page is coming soon. The Home page already shows a live lasso path on the diabetes data.")
