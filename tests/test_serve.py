"""The launcher `make run` uses: Streamlit's own CLI with the command line unchanged, modules warmed first."""

import sys
import threading

from reglab.ui import serve


def test_the_launcher_hands_streamlit_run_the_command_line_and_warms_in_the_background(monkeypatch):
    from streamlit.web import cli

    seen = {}
    warmed = threading.Event()
    monkeypatch.setattr(cli, "main", lambda: seen.setdefault("argv", list(sys.argv)))
    monkeypatch.setattr(serve, "warm", warmed.set)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    serve.main(["app.py", "--server.port", "8765", "--server.address", "127.0.0.1"])
    assert seen["argv"] == ["streamlit", "run", "app.py", "--server.port", "8765", "--server.address", "127.0.0.1"]
    assert warmed.wait(10), "the warm-up thread did not run"


def test_the_warm_up_imports_what_the_pages_need_and_never_raises(monkeypatch):
    serve.warm()
    assert all(name in sys.modules for name in serve.WARM_MODULES)
    monkeypatch.setattr(serve, "WARM_MODULES", ("reglab.no_such_module",))
    serve.warm()  # a failed import is left for the page that needs it: the server still starts
