"""Learn page (coming soon)."""

import streamlit as st

from reglab.ui import frame

frame("Learn", ":material/school:")

st.title("Learn")
st.info("The seed articles' math, live: gradient steps, L1 vs L2 updates, the geometry of the penalty, and the bias–variance picture.", icon=":material/construction:")
st.caption("This page is coming soon. The Home page already shows a live lasso path on the diabetes data.")
