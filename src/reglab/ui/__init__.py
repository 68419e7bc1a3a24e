"""The only package that imports Streamlit: the shared page frame, session state, cached wrappers.

Every page script starts with :func:`frame`, which sets the page config, draws the menu
(``st.page_link``; the automatic ``pages/`` menu is hidden in ``.streamlit/config.toml``),
the sidebar dataset status and the session defaults.  Why not ``st.navigation``: with a
``pages/`` folder present it breaks deep links on a fresh server (see DESIGN.md).
"""

from __future__ import annotations

import logging
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import streamlit as st

from . import state
from .safetext import md
from .datastate import current_prepared, read_query_params, sync_query_params

__all__ = ["PAGES", "bind", "chart_with_downloads", "frame", "md", "page_guard", "plain_list", "presenting",
           "require_prepared", "state", "show_error", "user_errors"]

log = logging.getLogger("reglab")


def _freeze_import_heap() -> None:
    """Move everything the imports created (numpy, pandas, scikit-learn, numba, Altair: ~1M
    long-lived objects) out of the cyclic garbage collector's reach, once per process: its
    collections then walk only what runs create, so they stay short. Streamlit's full collection
    after every run is switched off in .streamlit/config.toml (``runner.postScriptGC``) for the
    same reason: it took ~120 ms of every λ move."""
    import gc
    import importlib

    for module in ("altair", "reglab.cd", "reglab.charts", "reglab.groupcd"):  # what every page imports anyway
        importlib.import_module(module)
    gc.collect()
    gc.freeze()


_freeze_import_heap()


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
    for key, value in state.DEFAULTS.items():
        st.session_state.setdefault(key, value)
    read_query_params()


def _store(widget: str, store_key: str, field: str | None) -> None:
    if widget not in st.session_state:  # reset because the dataset changed in this run
        return
    value = st.session_state[widget]
    if field is None:
        st.session_state[store_key] = value
    else:
        st.session_state[store_key] = {**st.session_state.get(store_key, {}), field: value}


def bind(store_key: str, field: str | None = None, default: object = None) -> dict:
    """Widget kwargs (``key``, ``on_change``, ``args``) that keep its value in session state.

    Widget state is dropped when the user leaves a page, so the lasting value lives in
    ``st.session_state[store_key]`` (or its dict entry ``field``) — the one source of truth —
    is copied there by a callback (before the next run starts, so the sidebar and URL see it
    at once), and seeds the widget on every run. Seeding every run matters when two pages
    show the same setting with different widgets (Explore's and Compare's L1 ratio): a
    widget's leftover state from the other page is not its own, and Streamlit would
    otherwise fall back to the new widget's minimum.
    """
    widget = state.widget_key(store_key if field is None else f"{store_key}.{field}")
    stored = st.session_state.get(store_key)
    value = stored if field is None else (stored or {}).get(field, default)
    if value is None:
        value = default
    if value is not None or widget not in st.session_state:
        st.session_state[widget] = value
    return {"key": widget, "on_change": _store, "args": (widget, store_key, field)}


def plain_list(items: list[str] | tuple[str, ...]) -> None:
    """Bulleted text that may contain user-supplied names: shown as plain text, never Markdown."""
    if items:
        st.text("\n".join(f"• {item}" for item in items))


def show_error(message: str) -> None:
    """A DataError (or similar) for the user: plain text in an error box, never a traceback.

    The message may quote a file's column names or an imported file's keys: it is shown
    literally (:func:`md`), never as Markdown.
    """
    st.error(md(message), icon=":material/error:")


#: Presentation view (``?present=1``), for a projector: larger type, no sidebar, less padding, so
#: Explore's controls and its main chart fit one 1280×720 screen. Static CSS, no user text.
_PRESENT_CSS = """<style>
html { font-size: 16px; }
[data-testid="stMainBlockContainer"] { padding-top: 3.6rem; padding-bottom: 0.5rem; max-width: 100%; }
h1 { display: none; }
[data-testid="stMetricValue"] { font-size: 1.5rem; }
</style>"""


def presenting() -> bool:
    """Whether the page is in the presentation view (``?present=1`` in the link)."""
    return st.query_params.get("present") == "1"


def frame(title: str, icon: str = ":material/tune:") -> None:
    """Set up a page: config, session defaults, menu and dataset status in the sidebar."""
    st.set_page_config(page_title=f"{title} · Regularization Lab", page_icon=icon, layout="wide",
                       initial_sidebar_state="collapsed" if presenting() else "auto")
    if presenting():
        st.html(_PRESENT_CSS)
    _init_session()
    with st.sidebar:
        st.markdown("### :material/tune: Regularization Lab")
        for page in PAGES:
            st.page_link(page.script, label=page.label, icon=page.icon)
        st.divider()
        st.caption("Current dataset")
        from .cluster import chosen_server_dataset

        server = chosen_server_dataset()
        dataset, prepared, error = (None, None, None) if server is not None else current_prepared()
        if server is not None:
            st.text(f"{server.name}\non the server (Dask)\ntarget: {server.target}")
        elif dataset is None:
            st.text("No usable dataset")
        else:
            # Plain text: titles and column names may come from a user's file.
            st.text(f"{dataset.title}\n{dataset.shape_text}\ntarget: {prepared.target if prepared else dataset.target}")
            if prepared is not None:
                st.caption(f":material/check_circle: ready: {prepared.n_train} training rows × {len(prepared.feature_names)} features")
        if error:
            st.caption(":material/error: The data needs attention on the Data page.")
        from reglab.parallel import scheduler_address

        if scheduler_address():
            st.caption(":material/cloud: Resampling runs on the configured Dask cluster.")
    sync_query_params()
    if st.session_state.get(state.SCENARIOS):
        ask_before_leaving()


# Saved scenarios live in this browser tab's session: a reload or a closed tab would drop them
# without a word. This static script (no user text in it) asks the browser to confirm leaving
# while scenarios exist; Streamlit has no browser storage of its own to keep them in.
_BEFORE_UNLOAD = """<script>
const top_ = window.parent;
if (!top_.__reglabAsk) {
  top_.__reglabAsk = (event) => { event.preventDefault(); event.returnValue = ""; };
  top_.addEventListener("beforeunload", top_.__reglabAsk);
}
</script>"""


def ask_before_leaving() -> None:
    """Install the leave-confirmation (once per page load; drawn again on every run that needs it)."""
    import streamlit.components.v1 as components

    with st.sidebar:
        components.html(_BEFORE_UNLOAD, height=0)


def chart_with_downloads(chart, name: str, key: str | None = None, selectable: bool = False):
    """Show an Altair chart with PNG and SVG downloads (rendered by vl-convert only when clicked).

    Returns the selection event when ``selectable`` (``st.altair_chart(on_select="rerun")``).
    """
    from reglab.export import chart_png, chart_svg

    # Streamlit does not honour the plot height of layered charts; give it the element height
    # (plot + axes/legend room) so tall charts, e.g. one bar per feature, keep every label.
    spec = chart if isinstance(chart, dict) else None  # a prepared Vega-Lite spec (charts.move_lambda)
    plot_height = spec.get("height") if spec is not None else getattr(chart, "height", None)
    meta = spec.get("usermeta") if spec is not None else getattr(chart, "usermeta", None)
    extra = int(meta.get("extra_height", 0)) if isinstance(meta, dict) else 0  # room for a legend under the plot
    height = int(plot_height) + 110 + extra if isinstance(plot_height, int) and (plot_height > 300 or extra) else "content"
    select = "rerun" if selectable else "ignore"
    if spec is not None:
        event = st.vega_lite_chart(spec, width="stretch", height=height, key=key, on_select=select)
    else:
        event = st.altair_chart(chart, width="stretch", height=height, key=key, on_select=select)
    row = st.container(horizontal=True, gap="small")
    row.download_button("PNG", data=lambda: chart_png(chart), file_name=f"{name}.png", mime="image/png",
                         icon=":material/image:", key=f"png-{key or name}", on_click="ignore", type="tertiary")
    row.download_button("SVG", data=lambda: chart_svg(chart), file_name=f"{name}.svg", mime="image/svg+xml",
                          icon=":material/draw:", key=f"svg-{key or name}", on_click="ignore", type="tertiary")
    return event


def require_prepared():
    """The current dataset and its prepared design, or an explanation and a way back to the Data page."""
    from .cluster import chosen_server_dataset

    if chosen_server_dataset() is not None:
        st.info("This page works on data in memory; the server dataset chosen on the Data page is analysed on Explore.",
                icon=":material/dns:")
        st.page_link("pages/2_explore.py", label="Explore the server dataset", icon=":material/insights:")
        st.page_link("pages/1_data.py", label="Choose other data", icon=":material/table_chart:")
        st.stop()
    dataset, prepared, error = current_prepared()
    if error:
        show_error(error)
        st.page_link("pages/1_data.py", label="Fix it on the Data page", icon=":material/table_chart:")
        st.stop()
    return dataset, prepared


@contextmanager
def user_errors():
    """Show a DataError raised by the analyses as a message (never a traceback) and stop the page."""
    from reglab.errors import DataError

    try:
        yield
    except DataError as exc:
        show_error(str(exc))
        st.page_link("pages/1_data.py", label="Adjust the data on the Data page", icon=":material/table_chart:")
        st.stop()


@contextmanager
def page_guard():
    """Run a page body so that no failure reaches the browser as a traceback.

    A :class:`~reglab.DataError` is shown as its message; anything else is logged on the
    server with its traceback and an id, and the page shows a short message with that id.
    Session state (the dataset, saved scenarios, every choice) is not touched, so the next
    interaction starts from the last good state. Streamlit's own stop/rerun signals are
    ``BaseException``s and pass through.
    """
    from reglab.errors import DataError

    try:
        yield
    except DataError as exc:
        show_error(str(exc))
    except Exception:
        incident = uuid.uuid4().hex[:8]
        log.exception("page failed (incident %s)", incident)
        st.error(f"Something went wrong on this page (incident {incident}, logged on the server). Your data, choices and "
                 "saved scenarios are kept: change a setting, or open another page and come back.", icon=":material/error:")
