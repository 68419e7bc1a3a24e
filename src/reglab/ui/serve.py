"""``python -m reglab.ui.serve app.py [flags]``: ``streamlit run`` with the app's modules warmed at start.

Streamlit imports a page's modules when the first visitor opens it, so that visitor waits for
scikit-learn, Altair, the pages' own modules and the compiled solvers' machine code (~2–4 s on
the 2-core reference machine, before any data is touched). This launcher starts a background
thread that imports them and loads the solvers from numba's cache while the server comes up,
then hands the command line to Streamlit's own CLI unchanged (the same flags as ``streamlit run``).
Nothing is computed for a visitor in advance: results stay keyed on the visitor's data.
"""

from __future__ import annotations

import importlib
import sys
import threading

#: What a first visit to Home, Data, Explore and Compare imports (their pages import the rest).
WARM_MODULES = ("reglab", "reglab.charts", "reglab.ui.explore_tabs", "reglab.ui.compare", "reglab.ui.compare_sections",
                "reglab.ui.datastate", "reglab.ui.cluster", "sklearn.linear_model", "sklearn.model_selection")


def warm() -> None:
    """Import :data:`WARM_MODULES` and load the path solvers' machine code (errors are left for the
    pages to report: a warm-up never stops the server)."""
    try:
        for name in WARM_MODULES:
            importlib.import_module(name)
        from reglab import cd, groupcd

        cd.warm_up()
        groupcd.warm_up()
    except Exception:  # noqa: BLE001 - the page that needs the module raises it again, visibly
        pass


def main(argv: list[str] | None = None) -> None:
    """Start :func:`warm` in a daemon thread, then ``streamlit run`` with ``argv`` (default: this command's)."""
    threading.Thread(target=warm, name="reglab-warm-up", daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
