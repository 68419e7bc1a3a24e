"""Every messy file that loads can be taken through the whole app: data, explore, compare, no traceback."""

import pytest

from conftest import each_explore_tab, open_page
from test_loading import DATA, LOADS


@pytest.mark.parametrize("name", sorted(LOADS))
def test_uploaded_file_flows_through_every_page_without_an_exception(name):
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload(name, (DATA / name).read_bytes()).run()
    assert not at.exception, [e.value for e in at.exception]
    for page in ("pages/2_explore.py", "pages/3_compare.py"):
        at.switch_page(page).run()
        assert not at.exception, (page, [e.value for e in at.exception])
        # Either the analysis is there, or a message says what to change.
        assert at.dataframe or at.metric or at.error, page
        if page == "pages/2_explore.py" and at.metric:
            for tab in each_explore_tab(at):
                assert not at.exception, (tab, [e.value for e in at.exception])
