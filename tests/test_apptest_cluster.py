"""Server datasets in the app (AppTest): the operator's catalog on the Data page, Explore running the path
and its CV on a Dask cluster, λ moved on the driver's statistics; a visitor can only pick a listed dataset."""

import re

import pytest

distributed = pytest.importorskip("distributed")

import dask.dataframe as dd
import pyarrow.dataset

import reglab
from reglab.ui import state

from conftest import open_page

EXACT = "reglab.widget.lambda_exact"


@pytest.fixture
def catalog(server_catalog, monkeypatch):
    """The operator's catalog, and no cluster result kept from another test (each test presses Run)."""
    from reglab.ui.cache import shared_cache

    monkeypatch.setenv("REGLAB_DATASETS", str(server_catalog))
    shared_cache().clear()
    return server_catalog


@pytest.fixture
def reads(monkeypatch):
    """Every path the app hands to a Parquet reader (Dask's or pyarrow's metadata)."""
    seen = []
    dask_reader, arrow_reader = dd.read_parquet, pyarrow.dataset.dataset

    def dask_read(path, *args, **kwargs):
        seen.append(str(path))
        return dask_reader(path, *args, **kwargs)

    def arrow_read(path, *args, **kwargs):
        seen.append(str(path))
        return arrow_reader(path, *args, **kwargs)

    monkeypatch.setattr(dd, "read_parquet", dask_read)
    monkeypatch.setattr(pyarrow.dataset, "dataset", arrow_read)
    return seen


def only_listed(reads, catalog) -> bool:
    """Every file or folder a reader was given lies in a dataset the catalog lists."""
    listed = [d.path for d in reglab.serverdata.read_catalog(catalog)]
    paths = [found for read in reads for found in re.findall(r"/[^'\",\]]+", read)]
    return bool(paths) and all(any(path == root or path.startswith(root + "/") for root in listed) for path in paths)


def choose_server(at, name=None):
    at.button_group[0].set_value("server").run()
    if name is not None:
        at.selectbox(key=state.widget_key(state.SERVER_DATASET)).set_value(name).run()
    return at


def metrics(at) -> dict:
    return {m.label: m.value for m in at.metric}


def test_no_catalog_no_server_source(monkeypatch):
    monkeypatch.delenv("REGLAB_DATASETS", raising=False)
    at = open_page("pages/1_data.py")
    assert not any("server" in str(option).lower() for option in at.button_group[0].options)
    assert len(at.button_group[0].options) == 3


def test_pick_a_server_dataset_run_on_a_cluster_and_move_lambda(catalog, reads):
    cluster = distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None)
    try:
        with distributed.Client(cluster) as client, distributed.get_task_stream(client) as stream:
            at = choose_server(open_page("pages/1_data.py"))
            assert not at.exception
            text = "\n".join(t.value for t in at.text)
            assert "Store sales" in text and "3,000 rows × 7 columns · target: sales · least squares" in text
            at.switch_page("pages/2_explore.py").run()
            assert [b.label for b in at.button][:2] == ["Run on the cluster", "Stop"]
            assert not at.metric, "nothing runs before Run is pressed"
            at.button[0].click().run()
            assert not at.exception, [e.value for e in at.exception]
            shown = metrics(at)
            assert shown["Passes over the data"] == "2"
            assert "Run on the cluster" not in [b.label for b in at.button]
            before = shown["CV mean squared error"]
            at.number_input(key=EXACT).set_value(0.3).run()
            moved = metrics(at)
            assert not at.exception and moved["CV mean squared error"] != before
            assert moved["Non-zero coefficients"].endswith("of 7")
            # the same setting again (another visit): from the cache, no new pass
            tasks = len(stream.data)
            at.switch_page("pages/1_data.py").run()
            at.switch_page("pages/2_explore.py").run()
            assert metrics(at)["λ.1se"] == moved["λ.1se"] and len(stream.data) == tasks
        assert len(stream.data) > 0, "the passes did not reach the cluster"
    finally:
        cluster.close()
    assert only_listed(reads, catalog)


def test_a_two_class_server_dataset_snaps_lambda_to_its_grid(catalog):
    at = choose_server(open_page("pages/1_data.py"), "Bought <b>it</b> *twice*")
    # the operator's name is shown as text, markup and all
    assert any("Bought <b>it</b> *twice*" in t.value for t in at.text)
    at.switch_page("pages/2_explore.py").run()
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = metrics(at)
    assert "CV" in next(iter(shown)) and int(shown["Passes over the data"]) > 2
    at.number_input(key=EXACT).set_value(0.0123).run()
    assert any("nearest λ of the path's grid" in c.value for c in at.caption)


def test_a_visitor_cannot_point_the_server_at_another_path(catalog, reads):
    at = open_page("pages/1_data.py", source="server", dataset="/etc")
    at.session_state[state.SOURCE] = "server"
    at.session_state[state.SERVER_DATASET] = "/etc/passwd"
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception
    at.button[0].click().run()
    assert only_listed(reads, catalog)
    assert not any("/etc" in path for path in reads)


def test_stop_keeps_nothing_and_other_pages_say_where_the_data_is(catalog):
    at = choose_server(open_page("pages/1_data.py"))
    at.switch_page("pages/2_explore.py").run()
    at.session_state["reglab.cluster_stop"] = True  # as the Stop button's callback does mid-run
    at.button[0].click().run()
    assert not at.exception
    assert any("Stopped: nothing was kept" in i.value for i in at.info)
    assert not at.metric
    at.switch_page("pages/3_compare.py").run()
    assert not at.exception
    assert any("analysed on Explore" in i.value for i in at.info)


def test_a_broken_catalog_is_a_message(tmp_path, monkeypatch):
    bad = tmp_path / "datasets.toml"
    bad.write_text('[[dataset]]\nname = "x"\npath = "/nowhere"\n', encoding="utf-8")
    monkeypatch.setenv("REGLAB_DATASETS", str(bad))
    at = choose_server(open_page("pages/1_data.py"))
    assert not at.exception
    # shown literally (md escapes every Markdown character): compare without the escapes
    assert any("'target' must be a non-empty string" in e.value.replace("\\", "") for e in at.error)
