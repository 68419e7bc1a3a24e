"""The app keeps working for everyone: hostile names stay text, bad links and files give messages,
heavy analyses ask first, a session's memory stays bounded (AppTest, in-process)."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from streamlit.testing.v1 import AppTest

from conftest import ROOT, each_explore_tab, open_page

from reglab import limits, scenarios
from reglab.ui import state

HOSTILE = '[click me](https://example.com) **b** :red[x] $x$ "]]; q <- 1'


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    at.switch_page("pages/1_data.py").run()
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload(name, data, "text/csv").run()
    return at


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def hostile_table(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, 3))
    return pd.DataFrame({"plain": X[:, 0], "[x](http://e) **b**": X[:, 1], "other": X[:, 2],
                         HOSTILE: X @ [1.0, -2.0, 0.5] + rng.normal(size=80)})


def all_markdown(at: AppTest) -> list[str]:
    """Every Markdown-rendered string on the page: bodies of markdown/caption/alerts and every help text."""
    out = [e.value for kind in ("markdown", "caption", "error", "warning", "info", "success", "toast")
           for e in at.get(kind)]
    for kind in ("metric", "button", "slider", "number_input", "radio", "toggle", "selectbox", "segmented_control"):
        out += [getattr(e, "help", None) or "" for e in at.get(kind)]
        out += [getattr(e, "label", None) or "" for e in at.get(kind)]
    return out


def test_hostile_column_names_reach_markdown_only_escaped():
    at = upload(open_page("app.py"), "hostile.csv", csv_bytes(hostile_table()))
    assert at.session_state[state.PREP]["target"] == HOSTILE
    for page in ("pages/2_explore.py", "pages/3_compare.py"):
        at.switch_page(page).run()
        assert not at.exception and not at.error, page
        tabs = each_explore_tab(at) if page.endswith("explore.py") else [None]
        for _ in tabs:
            for text in all_markdown(at):
                assert "](http" not in text and "**b" not in text and ":red[" not in text, (page, text)
    # The tooltip that names the target shows it escaped, not as a link.
    at.switch_page("pages/2_explore.py").run()
    helps = [m.help for m in at.metric if m.label == "Training RMSE"]
    assert "\\[click me\\]" in helps[0]


def test_out_of_range_link_values_give_a_message_and_a_working_page():
    for query in ({"penalty": "elasticnet", "l1_ratio": "0.02"}, {"penalty": "elasticnet", "l1_ratio": "0.98"},
                  {"penalty": "nonsense", "lam": "-1"}, {"lam": "inf", "l1_ratio": "1e999"}):
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.run()
        for key, value in query.items():
            at.query_params[key] = value
        at.switch_page("pages/2_explore.py").run()
        assert not at.exception and not at.error, query
        assert at.warning, query
        assert at.metric, query  # the analysis is there
        assert 0.05 <= at.session_state[state.L1_RATIO] <= 0.95


def test_nested_parquet_upload_loads_its_flat_columns_and_every_page_works():
    rng = np.random.default_rng(1)
    n = 60
    table = pa.table({"x1": rng.normal(size=n), "x2": rng.normal(size=n), "tags": [[1, 2]] * n,
                      "meta": [{"a": 1}] * n, "y": rng.normal(size=n)})
    out = io.BytesIO()
    pq.write_table(table, out)
    at = upload(open_page("app.py"), "nested.parquet", out.getvalue())
    assert not at.exception and not at.error
    assert any("lists, structs or maps" in t.value for t in at.text)
    for page in ("pages/2_explore.py", "pages/3_compare.py"):
        at.switch_page(page).run()
        assert not at.exception and not at.error and (at.dataframe or at.metric)


def test_hostile_scenario_files_give_a_message_and_keep_the_saved_ones():
    at = open_page("pages/3_compare.py")
    next(b for b in at.button if b.label.startswith("Save these three")).click().run()
    assert len(at.session_state[state.SCENARIOS]) == 3
    importer = next(u for u in at.file_uploader if u.label.startswith("Import scenarios"))
    bad = {"format": scenarios.FORMAT, "version": 1,
           "scenarios": [{"name": "a", "dataset": "d", "target": "t", "penalty": "l1", "lam": 1.0, "l1_ratio": 1.0,
                          "standardize": True, "coefficients": {"[click me](https://example.com)": "x"}}]}
    for payload in (json.dumps(bad), '{"scenarios": ' + "[" * 50_000 + "]" * 50_000 + "}",
                    json.dumps(bad).replace('"lam": 1.0', '"lam": 1' + "0" * 5000)):
        importer.upload("evil.json", payload.encode(), "application/json").run()
        assert not at.exception
        assert at.error and "](http" not in at.error[0].value
        assert len(at.session_state[state.SCENARIOS]) == 3
        at.switch_page("pages/2_explore.py").run()
        at.switch_page("pages/3_compare.py").run()
        assert not at.exception and not at.error
        importer = next(u for u in at.file_uploader if u.label.startswith("Import scenarios"))


def test_a_wide_upload_asks_first_then_runs_with_progress_and_can_be_stopped():
    rng = np.random.default_rng(2)
    n, p = 60, limits.HEAVY_FEATURES + 10
    frame = pd.DataFrame(rng.normal(size=(n, p)), columns=[f"g{j}" for j in range(p)])
    frame["y"] = frame["g0"] - frame["g1"] + rng.normal(size=n)
    at = upload(open_page("app.py"), "wide.csv", csv_bytes(frame))
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception and not at.metric  # nothing computed yet
    assert any("waits for your go-ahead" in w.value.replace("\\", "") for w in at.warning)
    run = next(b for b in at.button if b.label == "Run the analysis")
    run.click().run()
    assert not at.exception and not at.error and at.metric
    assert at.session_state[state.HEAVY_CONFIRMED]
    # Stop (as its button's callback does during a run) withdraws the go-ahead: the page asks again.
    from reglab.ui.heavy import _stop

    at.session_state[state.HEAVY_CONFIRMED] = set()
    at.session_state[state.HEAVY_STOPPED] = True
    at.run()
    assert not at.metric and any("Stopped" in i.value for i in at.info)
    assert _stop  # the callback the Stop buttons use


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096 / 1e6


def test_200_reruns_keep_memory_bounded():
    """200 λ moves in one session: resident memory does not grow with the number of reruns, with
    the server's own garbage collection only (no full collection after each run: config.toml's
    runner.postScriptGC, which this test runs under)."""
    from streamlit import config

    assert config.get_option("runner.postScriptGC") is False  # the setting the server runs with
    at = open_page("pages/2_explore.py")

    def lam_slider():
        return next(s for s in at.select_slider if s.label.startswith("λ (log scale)"))

    import reglab
    from reglab.ui.explore import slider_stops

    data = reglab.load_builtin("diabetes")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    stops = slider_stops(reglab.path(prepared.X_train, prepared.y_train, "l1").lambdas)
    sizes = []
    for i in range(200):
        lam_slider().set_value(stops[(i * 37) % len(stops)]).run()
        if i in (49, 199):
            sizes.append(rss_mb())
    assert not at.exception and at.metric
    assert sizes[1] - sizes[0] < 50, sizes  # 150 more reruns: < 50 MB more resident memory


def test_20_sessions_with_their_own_uploads_stay_isolated_and_within_the_cache_budget():
    from reglab.ui.cache import CACHE_MB, shared_cache

    sessions = []
    for seed in range(20):
        session = upload(open_page("app.py"), f"s{seed}.csv", csv_bytes(hostile_table(seed)))
        session.switch_page("pages/2_explore.py").run()
        assert not session.exception and session.metric
        sessions.append(session)
    assert shared_cache().total_bytes <= CACHE_MB * 1_000_000
    # Each session sees its own data, never another's.
    for seed, session in enumerate(sessions):
        assert session.session_state[state.UPLOAD]["name"] == f"s{seed}.csv"
        assert np.allclose(session.session_state[state.UPLOAD]["dataset"].frame["plain"], hostile_table(seed)["plain"])


def test_an_error_in_one_tab_stays_in_that_tab(monkeypatch):
    """A failure while drawing one of Explore's tabs is shown there (with an incident id); the λ
    controls, the metrics and every other tab keep working."""
    import reglab.ui.explore_tabs as explore_tabs
    from reglab.ui import state

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(explore_tabs, "bias_variance_view", broken)  # the bias–variance tab draws through it
    at = open_page("pages/2_explore.py")
    for label in each_explore_tab(at):
        assert not at.exception
        failed = [e.value for e in at.error if "Something went wrong" in e.value]
        assert bool(failed) == ("Bias" in label), label
        if failed:  # inside the tab, not below the tabs where a page-wide guard would put it
            tab = next(t for t in at.tabs if t.label == label)
            assert any("Something went wrong" in e.value for e in tab.error)
        assert at.metric and any(w.label == "λ (exact)" for w in at.number_input), label
    assert at.session_state[state.LAMBDA] > 0
