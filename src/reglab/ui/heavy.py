"""Heavy analyses: ask before starting, show progress while running, and let the user stop.

Above :func:`reglab.limits.is_heavy` (many features, or many rows × features) an analysis
can take tens of seconds on the shared server. Explore and Compare then say so and wait for
a click; once running, every progress bar has a Stop button. Stopping works the way
Streamlit interrupts any run: the click asks for a rerun, the running script is interrupted
at its next progress update (each λ chunk, fold or resample), and the button's callback
withdraws the go-ahead before the new run starts, so the page asks again.
"""

from __future__ import annotations

from typing import Callable

import streamlit as st

from reglab import limits
from reglab.preprocess import Prepared

from . import state
from .safetext import md

Progress = Callable[[float], None]


def _confirmed() -> set[str]:
    return st.session_state.setdefault(state.HEAVY_CONFIRMED, set())


def _halted() -> set[str]:
    return st.session_state.setdefault(state.HEAVY_HALTED, set())


def _confirm(fingerprint: str) -> None:
    _confirmed().add(fingerprint)
    _halted().discard(fingerprint)
    st.session_state.pop(state.HEAVY_STOPPED, None)


def _stop(fingerprint: str) -> None:
    _confirmed().discard(fingerprint)
    _halted().add(fingerprint)
    st.session_state[state.HEAVY_STOPPED] = True


def require_go_ahead(prepared: Prepared, fingerprint: str, what: str) -> bool:
    """For heavy data: stop the page with an explanation and a Run button until the user clicks it.

    Returns whether the data is heavy (so progress bars get a Stop button); light data
    passes straight through.
    """
    n, p, k = prepared.n_train, len(prepared.feature_names), n_classes(prepared)
    if not limits.is_heavy(n, p, k):
        return False
    if fingerprint in _confirmed():
        return True
    if st.session_state.pop(state.HEAVY_STOPPED, False):
        st.info("Stopped. Nothing was lost: run it again, or choose fewer features on the Data page.", icon=":material/stop_circle:")
    seconds = limits.estimated_seconds(n, p, k)
    cost = (f" (estimated {_duration(seconds)} of computing)" if seconds > limits.WORK_BUDGET_SECONDS else "")
    classes = f" × {k} classes" if k > 2 else ""  # (2: one probability or mean count per row)
    st.warning(
        md(f"This design is large: {n:,} training rows × {p:,} features{classes}. {what} may take a minute or more "
           f"here{cost}, so it waits for your go-ahead (progress is shown, and it can be stopped)."),
        icon=":material/hourglass_top:",
    )
    left, right = st.columns([1, 2])
    left.button("Run the analysis", type="primary", icon=":material/play_arrow:", on_click=_confirm, args=(fingerprint,))
    right.page_link("pages/1_data.py", label="Choose fewer features on the Data page", icon=":material/table_chart:")
    st.stop()
    return True  # not reached


def n_classes(prepared: Prepared) -> int:
    """What a model's cost grows with, as :func:`reglab.limits.estimated_seconds` reads it: the class
    count of a class target; 2 for any other model fitted on the rows (Poisson: one linear predictor a
    row and Newton steps like a two-class model's, measured within 20 % of it in ``make bench``); 0 for
    least squares, solved on its Gram and bounded by the design's size limits."""
    if prepared.datafit.classifier:
        return len(prepared.class_labels)
    return 0 if prepared.datafit.quadratic else 2


def _duration(seconds: float) -> str:
    return f"~{seconds:,.0f} s" if seconds < 120 else f"~{seconds / 60:,.0f} min"


def ask_first(token: str, seconds: float, what: str) -> bool:
    """For one costly part of a page (a tab): whether it may run. Under the work budget (unless the
    user stopped it: its progress bar's Stop is given ``token``), or once the user clicked its Run
    button (remembered per ``token``), True; else an explanation with the estimate and a Run
    button, and False (the caller draws nothing else of that part)."""
    halted = token in _halted()
    if token in _confirmed() or (seconds <= limits.WORK_BUDGET_SECONDS and not halted):
        return True
    if halted:
        st.session_state.pop(state.HEAVY_STOPPED, None)
        st.info(f"Stopped. Nothing was lost: {what.lower()} runs again when you ask.", icon=":material/stop_circle:")
    else:
        st.info(f"{what} is estimated at {_duration(seconds)} of computing on this shared server, so it waits for "
                "your go-ahead (progress is shown, and it can be stopped).", icon=":material/hourglass_top:")
    st.button(f"Run: {what.lower()}", type="primary", icon=":material/play_arrow:", on_click=_confirm, args=(token,),
              key=f"ask-{token}")
    return False


def progress_bar(text: str, fingerprint: str, heavy: bool, key: str) -> tuple[Progress, Callable[[], None]]:
    """A progress bar (with a Stop button when ``heavy``); returns ``(report(share), clear())``."""
    slot = st.empty()
    box = slot.container()
    bar = box.progress(0.0, text=text)
    if heavy:
        box.button("Stop", icon=":material/stop_circle:", key=f"stop-{key}", on_click=_stop, args=(fingerprint,),
                   help="Stop this computation; the page will ask again before restarting it.")

    def report(share: float) -> None:
        bar.progress(min(max(float(share), 0.0), 1.0), text=f"{text} {share:.0%}")

    return report, slot.empty


def lazy_progress(text: str, fingerprint: str, heavy: bool, key: str) -> tuple[Progress | None, Callable[[], None]]:
    """Like :func:`progress_bar`, but drawn only when the first report arrives (a cache miss):
    cached results show nothing. ``None`` for light data (no bar at all)."""
    if not heavy:
        return None, lambda: None
    slot = st.empty()
    drawn: list[Progress] = []

    def report(share: float) -> None:
        if not drawn:
            with slot.container():
                drawn.append(progress_bar(text, fingerprint, heavy, key)[0])
        drawn[0](share)

    return report, slot.empty
