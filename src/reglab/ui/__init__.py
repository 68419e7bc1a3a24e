"""The only package that imports Streamlit: the shared page frame, session state, cached wrappers.

Every page script starts with :func:`frame`, which sets the page config, draws the menu
(``st.page_link``; the automatic ``pages/`` menu is hidden in ``.streamlit/config.toml``),
the sidebar dataset status and the session defaults.  Why not ``st.navigation``: with a
``pages/`` folder present it breaks deep links on a fresh server (see DESIGN.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from reglab.data import BUILTIN, DEFAULT_DATASET

from . import state
from .cache import builtin_dataset

__all__ = ["PAGES", "frame", "state", "builtin_dataset"]


@dataclass(frozen=True)
class PageInfo:
    script: str
    label: str
    icon: str
    url: str
    blurb: str


PAGES: tuple[PageInfo, ...] = (
    PageInfo("app.py", "Home", ":material/home:", "/", "What this is and a 30-second tour."),
    PageInfo("pages/1_data.py", "Data", ":material/table_chart:", "/data", "Upload a file or pick a built-in or synthetic dataset."),
    PageInfo("pages/2_explore.py", "Explore", ":material/insights:", "/explore", "Move λ and watch paths, sparsity and cross-validation."),
    PageInfo("pages/3_compare.py", "Compare", ":material/compare_arrows:", "/compare", "L1 vs L2 vs elastic net side by side."),
    PageInfo("pages/4_learn.py", "Learn", ":material/school:", "/learn", "The math, step by step, with the seed articles' numbers."),
)


def _init_session() -> None:
    if state.DATASET not in st.session_state:
        chosen = st.query_params.get("dataset", DEFAULT_DATASET)
        st.session_state[state.DATASET] = chosen if chosen in BUILTIN else DEFAULT_DATASET
    for key, value in state.DEFAULTS.items():
        st.session_state.setdefault(key, value)


def frame(title: str, icon: str = ":material/tune:") -> None:
    """Set up a page: config, session defaults, menu and dataset status in the sidebar."""
    st.set_page_config(page_title=f"{title} · Regularization Lab", page_icon=icon, layout="wide")
    _init_session()
    with st.sidebar:
        st.markdown("### :material/tune: Regularization Lab")
        for page in PAGES:
            st.page_link(page.script, label=page.label, icon=page.icon)
        st.divider()
        dataset = builtin_dataset(st.session_state[state.DATASET])
        st.caption("Current dataset")
        # Plain text: dataset titles may one day come from a user's file name.
        st.text(f"{dataset.title}\n{dataset.shape_text}\ntarget: {dataset.target}")
