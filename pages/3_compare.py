"""Compare page (coming soon)."""

import streamlit as st

from reglab.ui import frame

frame("Compare", ":material/compare_arrows:")

st.title("Compare")
st.info("L1 vs L2 vs elastic net side by side, saved what-if scenarios, and selection stability.", icon=":material/construction:")
st.caption("This page is coming soon. The Home page already shows a live lasso path on the diabetes data.")
