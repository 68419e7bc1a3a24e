"""Every built-in and synthetic dataset works on every page (opened by URL, as a shared link would)."""

import pytest

from conftest import each_explore_tab, open_page

DATASETS = [{"dataset": "diabetes"}, {"dataset": "wine"}, {"dataset": "breast_cancer"}, {"dataset": "sparse"},
            {"dataset": "poly"}, {"dataset": "groups"}, {"dataset": "sparse", "n": "40", "p": "120", "k": "5"},
            {"dataset": "logistic"}, {"dataset": "logistic", "n": "60", "p": "90", "k": "4"}]


@pytest.mark.parametrize("query", DATASETS, ids=lambda q: "-".join(q.values()))
@pytest.mark.parametrize("page", ["pages/1_data.py", "pages/2_explore.py", "pages/3_compare.py", "pages/4_learn.py"])
def test_dataset_renders_on_page(query, page):
    at = open_page(page, **query)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    if page == "pages/2_explore.py":
        for tab in each_explore_tab(at):
            assert not at.exception, (tab, [e.value for e in at.exception])
            assert not at.error, (tab, [e.value for e in at.error])
