"""Model checks at λ: residuals by the datafit (by hand), the Q–Q points, the hover's values, and the tab
in the app on an uploaded CSV (a hostile column name stays text in the hover), counts' two residuals."""

import json

import numpy as np
import pandas as pd
from conftest import open_page
from scipy.stats import norm

import reglab
from reglab.checks import check_frame, qq_frame
from reglab.ui import state

HOSTILE = '[x](http://e) **b** "]]; q <- 1'


def homes(n=160, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"size": rng.normal(50, 10, n), HOSTILE: rng.normal(size=n),
                          "city": rng.choice(["north", "south", "east"], n)})
    frame["price"] = 0.3 * frame["size"] + 2 * frame[HOSTILE] + rng.normal(size=n)
    return frame


def test_least_squares_residuals_rows_and_hover_values():
    prepared = reglab.preprocess(homes(), "price", test_size=0.25, seed=0)
    fit = reglab.fit(prepared.X_train, prepared.y_train, "l1", 0.05, feature_names=prepared.feature_names)
    frame, names = check_frame(fit, prepared)
    assert len(frame) == prepared.n_train + prepared.n_test
    train = frame[frame["set"] == "training"]
    np.testing.assert_allclose(train["residual"], prepared.y_train - fit.predict(prepared.X_train), rtol=1e-12)
    np.testing.assert_array_equal(train["row"], prepared.train_rows + 1)
    assert list(names.values())[:2] == ["size", HOSTILE]  # the columns that matter most, by |β|·sd: 0.3·10, 2·1
    hostile = prepared.feature_names.index(HOSTILE)
    np.testing.assert_array_equal(train["v1"], prepared.X_train[:, hostile])
    sample, _ = check_frame(fit, prepared, max_points=50)
    assert len(sample) == 50 and sample["row"].is_unique


def test_qq_points_are_normal_quantiles_against_standardized_sorted_residuals():
    r = np.array([3.0, -1.0, 0.5, 2.0])
    qq = qq_frame(r)
    np.testing.assert_allclose(qq["theoretical"], norm.ppf([0.125, 0.375, 0.625, 0.875]))
    z = (np.sort(r) - r.mean()) / r.std()
    np.testing.assert_allclose(qq["sample"], z)


def test_count_residuals_by_hand():
    rng = np.random.default_rng(1)
    y = rng.poisson(2.0, size=50).astype(float)
    mu = rng.uniform(0.5, 4.0, size=50)
    poisson = reglab.objective.DATAFITS["poisson"]
    np.testing.assert_allclose(poisson.residuals(y, mu, "pearson"), (y - mu) / np.sqrt(mu))
    deviance = poisson.residuals(y, mu, "deviance")
    np.testing.assert_allclose(np.sum(deviance**2), np.sum(poisson.deviance(y, mu)))
    assert np.all(np.sign(deviance) == np.sign(y - mu))


def upload_and_open_checks(frame, target):
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("rows.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    next(s for s in at.selectbox if s.label.startswith("Target")).set_value(target).run()
    at.switch_page("pages/2_explore.py").run()
    at.session_state[state.EXPLORE_TAB] = next(t.label for t in at.tabs if "Model checks" in t.label)
    return at.run()


def test_the_checks_tab_hovers_each_point_to_its_row_with_the_file_names_as_text():
    at = upload_and_open_checks(homes(), "price")
    assert not at.exception and not at.error, [e.value for e in at.exception]
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    assert len(specs) == 4
    tooltips = json.dumps(specs[0])
    assert '"title": "table row"' in tooltips and json.dumps(HOSTILE)[1:-1] in tooltips
    assert '"field": "v0"' in tooltips  # fields never carry the file's text


def test_counts_draw_pearson_or_deviance_residuals_and_a_classifiers_checks_are_its_classification_views():
    rng = np.random.default_rng(3)
    frame = pd.DataFrame(rng.normal(size=(200, 3)), columns=["a", "b", "c"])
    frame["events"] = rng.poisson(np.exp(0.5 + 0.6 * frame["a"]))
    at = upload_and_open_checks(frame, "events")
    assert not at.exception and not at.error
    choice = next(s for s in at.segmented_control if s.label == "Residuals")
    assert choice.value == "pearson"
    choice.set_value("deviance").run()
    assert not at.exception
    assert "deviance residual" in at.get("vega_lite_chart")[1].proto.spec
    frame["label"] = np.where(frame["a"] > 0, "yes", "no")
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    at.file_uploader[0].upload("rows.csv", frame.to_csv(index=False).encode(), "text/csv").run()
    next(s for s in at.selectbox if s.label.startswith("Target")).set_value("label").run()
    at.switch_page("pages/2_explore.py").run()
    labels = [t.label for t in at.tabs]  # one model-checks tab: a classifier's is calibration and confusion
    assert sum("Model checks" in t for t in labels) == 1 and any("Model checks · Classification" in t for t in labels)
