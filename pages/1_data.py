"""Data page (coming soon)."""

import streamlit as st

from reglab.ui import frame

frame("Data", ":material/table_chart:")

st.title("Data")
st.info("Upload a CSV, Excel or Parquet file, or pick a built-in or synthetic dataset; choose the target and features; see exactly what preprocessing did.", icon=":material/construction:")
st.caption("This page is coming soon. The Home page already shows a live lasso path on the diabetes data.")
