"""Data page through AppTest: built-in, synthetic and uploaded data; choices persist across pages."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from conftest import open_page

from reglab.ui import state

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"


def data_page(**query) -> AppTest:
    return open_page("pages/1_data.py", **query)


def texts(at) -> str:
    return "\n".join(t.value for t in at.text)


def by_label(widgets, label):
    return next(w for w in widgets if w.label.startswith(label))


def test_first_visit_has_diabetes_ready():
    at = data_page()
    assert not at.exception
    assert by_label(at.selectbox, "Built-in dataset").value == "diabetes"
    assert by_label(at.selectbox, "Target").value == "progression"
    assert "Split 442 rows into 331 for training and 111 for testing" in texts(at)
    assert at.success and "Ready: 331 training rows" in at.success[0].value


def test_upload_choose_target_and_see_the_report():
    at = data_page()
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("prices.csv", (DATA / "semicolon_decimal_comma_latin1.csv").read_bytes(), "text/csv").run()
    assert not at.exception
    assert "Numbers use a decimal comma" in texts(at) and "Windows-1252" in texts(at)
    assert at.dataframe[0].value.shape == (4, 4)
    by_label(at.selectbox, "Target").set_value("gewicht").run()
    report = texts(at)
    assert "target 'gewicht' (regression)" in report and "One-hot encoded 'stadt'" in report
    assert "prices.csv" in "\n".join(t.value for t in at.sidebar.text)


def test_unusable_upload_shows_the_message_not_a_traceback():
    at = data_page()
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("photo.csv", (DATA / "binary_renamed.csv").read_bytes()).run()
    assert not at.exception
    assert "looks like a binary file" in at.error[0].value


def test_synthetic_data_with_url_round_trip():
    at = data_page()
    at.segmented_control[0].set_value("synthetic").run()
    by_label(at.selectbox, "Generator").set_value("groups").run()
    by_label(at.number_input, "Rows").set_value(120).run()
    assert not at.exception
    assert at.query_params["dataset"] == "groups" and at.query_params["n"] == "120"
    assert "120 rows × 12 features" in "\n".join(t.value for t in at.sidebar.text)
    # A fresh session opened from that URL shows the same data.
    again = data_page(dataset="groups", n="120")
    assert by_label(again.selectbox, "Generator").value == "groups"
    assert "120 rows × 12 features" in "\n".join(t.value for t in again.sidebar.text)


def test_builtin_choice_comes_from_the_url_and_bad_values_fall_back():
    assert by_label(data_page(dataset="wine").selectbox, "Built-in dataset").value == "wine"
    at = data_page(dataset="sparse", n="not-a-number", rho="5")
    assert not at.exception
    assert "correlation ρ must lie between 0 and 0.99" in at.error[0].value


def test_choices_survive_switching_pages():
    at = data_page()
    by_label(at.selectbox, "Built-in dataset").set_value("wine").run()
    by_label(at.slider, "Test share").set_value(0.4).run()
    at.switch_page("pages/4_learn.py").run()
    assert "Wine" in "\n".join(t.value for t in at.sidebar.text)
    at.switch_page("pages/1_data.py").run()
    assert by_label(at.selectbox, "Built-in dataset").value == "wine"
    assert by_label(at.slider, "Test share").value == 0.4
    assert at.session_state[state.PREP]["test_size"] == 0.4
