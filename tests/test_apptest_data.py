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


def test_a_bad_upload_after_a_good_one_keeps_the_good_data():
    at = data_page()
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("good.csv", (DATA / "clean.csv").read_bytes(), "text/csv").run()
    shape = at.subheader[0].value
    at.file_uploader[0].upload("photo.csv", (DATA / "binary_renamed.csv").read_bytes()).run()
    assert not at.exception
    message = at.error[0].value.replace("\\", "")
    assert "photo.csv could not be used" in message and "Still using good.csv" in message
    assert at.subheader[0].value == shape
    assert "good.csv" in "\n".join(t.value for t in at.sidebar.text)
    at.switch_page("pages/2_explore.py").run()
    assert not at.exception
    # good.csv's default target is 'label' (a, b, a, c): a class with one row cannot be cross-validated,
    # said (since the Data page checks the target) with the classes named
    assert "2 class(es) with a single row ('b', 'c')" in at.error[0].value.replace("\\", "")


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
    # A link's values pass the Data page widgets' own ranges: each bad one is named in a
    # warning, the rest of the link still applies, and the page works.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.query_params.update(dataset="sparse", n="inf", p="2000", rho="5", seed="7", k="nan")
    at.run()
    assert not at.exception and not at.error
    warnings = "\n".join(w.value for w in at.warning)
    for shown in ("n=inf", "p=2000", "rho=5", "k=nan"):
        assert shown in warnings.replace("\\", "")
    assert at.session_state[state.SYNTH_PARAMS] == {"seed": 7}
    at.switch_page("pages/1_data.py").run()
    assert not at.exception and not at.error
    assert "200 rows × 20 features" in at.subheader[0].value


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


def test_informative_groups_follow_the_number_of_groups():
    at = data_page(dataset="groups", groups="4", k="4")
    informative = lambda: by_label(at.number_input, "Informative groups")  # noqa: E731
    assert informative().value == 4 and informative().max == 4
    by_label(at.number_input, "Groups").set_value(2).run()
    assert not at.exception and not at.error
    assert informative().value == 2 and informative().max == 2
    assert at.session_state[state.SYNTH_PARAMS]["k"] == 2  # what the widget shows is what the data uses
    at = data_page(dataset="groups", groups="1")  # the default k = 2 exceeds one group: capped, no error
    assert not at.error and informative().value == 1


def test_upload_defaults_explain_themselves_and_a_target_change_keeps_the_old_target():
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(3)
    n = 80
    frame = pd.DataFrame({"Unnamed: 0": np.arange(n), "x1": rng.normal(size=n), "x2": rng.normal(size=n),
                          "price": rng.normal(size=n), "city": rng.choice(["a", "b"], n)})
    at = data_page()
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("rows.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    assert not at.exception and not at.error
    notes = texts(at)
    # the stated rule: no name says "target", and the last column holds classes (two text labels)
    assert "Target 'city' chosen by default: the last column holds a few text labels: an outcome to classify" in notes
    assert "'Unnamed: 0' is left out of the features by default" in notes
    features = by_label(at.multiselect, "Features")
    assert "Unnamed: 0" not in features.value and set(features.value) == {"x1", "x2", "price"}
    by_label(at.selectbox, "Target").set_value("x1").run()
    assert not at.exception and not at.error
    settings = at.session_state[state.PREP]
    assert settings["target"] == "x1" and "x1" not in settings["features"] and "price" in settings["features"]
    assert set(by_label(at.multiselect, "Features").value) == {"x2", "city", "price"}
    # A text target under Task = regression points at the task switch.
    by_label(at.selectbox, "Target").set_value("city").run()
    by_label(at.segmented_control, "Task").set_value("regression").run()
    assert "Set Task to 'classification'" in at.error[0].value.replace("\\", "")
