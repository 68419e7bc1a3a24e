"""Chart builders return valid Vega-Lite that vl-convert renders, with the encodings a reader needs."""

import json

import numpy as np
import pytest
import vl_convert as vlc

import reglab
from reglab import biasvariance, charts
from reglab.diagnostics import coefficient_frame, error_curves
from reglab.objective import Penalty

from conftest import make_problem


@pytest.fixture(scope="module")
def analysis():
    X, y, _ = make_problem(150, 6, seed=3)
    path = reglab.path(X, y, penalty="l1", n_lambdas=30)
    cv = reglab.cross_validate(X, y, penalty="l1", folds=4, seed=0, lambdas=path.lambdas)
    fit = reglab.fit(X, y, penalty="l1", lam=cv.lambda_1se)
    bv = biasvariance.bootstrap(X[:100], y[:100], X[100:], y[100:], Penalty.of("l1"), path.lambdas[::3], repeats=5)
    return X, y, path, cv, fit, bv


def layers(spec: dict) -> list[dict]:
    out = []
    for layer in spec.get("layer", [spec]):
        out.extend(layers(layer) if "layer" in layer else [layer])
    return out


def marks(spec: dict) -> list[str]:
    return [l["mark"]["type"] if isinstance(l["mark"], dict) else l["mark"] for l in layers(spec)]


def rendered(chart) -> str:
    svg = vlc.vegalite_to_svg(chart.to_json())
    assert svg.startswith("<svg") and "NaN" not in svg
    return svg


def rule_positions(spec: dict) -> list[float]:
    """λ values of every rule mark, following Altair's data inheritance through layers."""
    datasets = spec.get("datasets", {})
    found: list[float] = []

    def walk(node: dict, inherited: str | None) -> None:
        data = node.get("data", {}).get("name", inherited)
        if "layer" in node:
            for child in node["layer"]:
                walk(child, data)
            return
        mark = node["mark"]["type"] if isinstance(node["mark"], dict) else node["mark"]
        if mark == "rule" and data and node["encoding"].get("x", {}).get("field") == "lambda":
            found.extend(row["lambda"] for row in datasets[data])

    walk(spec, None)
    return found


def test_path_chart_has_log_lambda_axis_feature_colors_tooltips_and_the_lambda_rule(analysis):
    _, _, path, _, fit, _ = analysis
    chart = charts.path_chart(path.to_frame(), current_lambda=fit.lam, selectable=True)
    spec = chart.to_dict()
    line = next(l for l in layers(spec) if marks({"layer": [l]})[0] == "line")
    assert line["encoding"]["x"]["scale"]["type"] == "log" and line["encoding"]["x"]["field"] == "lambda"
    # One colour series per feature (6 features: each its own), one line per feature.
    assert line["encoding"]["color"]["field"] == "series" and line["encoding"]["detail"]["field"] == "feature"
    assert line["encoding"]["color"]["scale"]["domain"] == list(fit.feature_names)
    assert len(set(line["encoding"]["color"]["scale"]["range"])) == len(fit.feature_names)
    assert {t["field"] for t in line["encoding"]["tooltip"]} == {"feature", "lambda", "value"}
    assert rule_positions(spec) == [pytest.approx(fit.lam)]
    params = spec.get("params", []) + [p for l in layers(spec) for p in l.get("params", [])]
    assert {p["name"] for p in params} >= {charts.PICK, "feature_focus"}
    assert "x1" in rendered(chart)  # end-of-line labels name the largest features


def test_path_chart_on_the_l1_fraction_axis(analysis):
    _, _, path, _, _, _ = analysis
    spec = charts.path_chart(path.to_frame(), x="l1_fraction").to_dict()
    line = next(l for l in layers(spec) if marks({"layer": [l]})[0] == "line")
    assert line["encoding"]["x"]["field"] == "l1_fraction"
    assert 0.0 <= path.to_frame()["l1_fraction"].min() and path.to_frame()["l1_fraction"].max() == 1.0


def test_cv_chart_marks_lambda_min_and_1se_and_writes_nonzero_counts(analysis):
    _, _, _, cv, fit, _ = analysis
    chart = charts.cv_chart(cv.to_frame(), cv.lambda_min, cv.lambda_1se, fit.lam)
    spec = chart.to_dict()
    np.testing.assert_allclose(sorted(rule_positions(spec)), sorted([cv.lambda_min, cv.lambda_1se, fit.lam]), rtol=1e-12)
    assert "area" in marks(spec) and "text" in marks(spec)
    svg = rendered(chart)
    assert "λ.min" in svg and "λ.1se" in svg


def test_coefficient_bars_sort_by_magnitude_color_by_sign_and_overlay_truth(analysis):
    _, _, _, _, fit, _ = analysis
    frame = coefficient_frame(fit, true_weights=np.arange(len(fit.coef), dtype=float))
    spec = charts.coefficient_bars(frame).to_dict()
    bar = next(l for l in layers(spec) if marks({"layer": [l]})[0] == "bar")
    order = bar["encoding"]["y"]["sort"]
    magnitudes = dict(zip(frame["feature"], frame["coef"].abs()))
    assert [magnitudes[f] for f in order] == sorted(magnitudes.values(), reverse=True)
    assert bar["encoding"]["color"]["field"] == "sign"
    assert "tick" in marks(spec)
    rendered(charts.coefficient_bars(frame))


def test_nonzero_and_curve_charts_render(analysis):
    X, y, path, _, fit, bv = analysis
    rendered(charts.nonzero_chart(path.nonzero_frame(), fit.lam))
    svg = rendered(charts.curves_chart(bv.to_frame(), fit.lam, "squared error", dashed=(bv.labels["total"],)))
    assert "bias² + noise" in svg
    rendered(charts.curves_chart(error_curves(path, X[:100], y[:100], X[100:], y[100:]), fit.lam, "MSE"))


def test_specs_are_json_serializable_without_numpy_leaks(analysis):
    _, _, path, cv, fit, _ = analysis
    for chart in (charts.path_chart(path.to_frame(), fit.lam), charts.cv_chart(cv.to_frame(), cv.lambda_min, cv.lambda_1se, fit.lam)):
        json.loads(chart.to_json())


@pytest.mark.parametrize("p", [15, 22, 60])
def test_many_features_get_distinct_colours_or_highlight_and_grey_and_a_wrapping_legend(p):
    X, y, _ = make_problem(200, p, seed=4, n_informative=8)
    path = reglab.path(X, y, penalty="l1", n_lambdas=20)
    chart = charts.path_chart(path.to_frame(), path.lambdas[5], value="coef_standardized")
    line = next(l for l in layers(chart.to_dict()) if marks({"layer": [l]})[0] == "line")
    scale, legend = line["encoding"]["color"]["scale"], line["encoding"]["color"]["legend"]
    assert legend["orient"] == "bottom" and legend["columns"] >= 2  # wraps under the chart, never clipped
    colours = scale["range"]
    if p <= 20:
        assert len(colours) == p and len(set(colours)) == p
    else:  # highlight + grey: the 12 largest coloured, no colour used twice
        assert len(colours) == charts.MAX_COLORED + 1 and colours[-1] == charts.OTHER_COLOR
        assert len(set(colours[:-1])) == charts.MAX_COLORED and scale["domain"][-1].startswith("other")
    rendered(chart)


@pytest.mark.parametrize("names, columns", [(["a", "b", "c", "d", "e"], 4),
                                            (["tenure", "monthly_calls", "plan", "region"], 3),
                                            (["a_rather_long_feature_name", "another_long_feature_name"], 1)])
def test_a_legend_row_fits_a_phone_however_long_the_names(names, columns):
    """Vega-Lite does not wrap legend columns: a row of long names must fit 420 px (~40 characters)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, len(names)))
    path = reglab.path(X, X @ np.arange(1, len(names) + 1) + rng.normal(size=60), "l1", n_lambdas=10,
                       feature_names=names)
    chart = charts.path_chart(path.to_frame(), path.lambdas[3])
    line = next(l for l in layers(chart.to_dict()) if marks({"layer": [l]})[0] == "line")
    assert line["encoding"]["color"]["legend"]["columns"] == columns
    assert columns * min(max(map(len, names)), 16) <= 40 or columns == 1
    # and a name is shown whole (~7 px a character at the legend's size), not cut at 16 characters
    assert line["encoding"]["color"]["legend"]["labelLimit"] >= 7 * max(map(len, names))


def test_end_labels_never_print_on_top_of_each_other():
    import pandas as pd

    end = pd.DataFrame({"feature": list("abcdef"), "value": [3.0, 2.99, 2.0, -1.0, -1.01, 0.0]})
    kept = charts.spaced_labels(end, 5, min_gap=0.1)
    assert list(kept["feature"]) == ["a", "c", "e"]  # by magnitude; b and d would overprint a and e


def test_compare_charts_give_each_penalty_the_same_colour():
    import pandas as pd

    models = ["L1 (lasso)", "L2 (ridge)", "elastic net (α = 0.5)"]
    coefs = pd.DataFrame({"model": models * 2, "feature": ["x"] * 3 + ["z"] * 3, "coef": np.arange(6.0)})
    grouped = charts.grouped_coefficients(coefs).to_dict()["encoding"]["color"]["scale"]
    freq = pd.DataFrame({"model": [models[0], models[2]], "feature": ["x", "x"], "frequency": [0.5, 0.7]})
    stability = layers(charts.frequency_bars(freq).to_dict())[0]["encoding"]["color"]["scale"]
    colour = dict(zip(grouped["domain"], grouped["range"]))
    assert dict(zip(stability["domain"], stability["range"])) == {m: colour[m] for m in (models[0], models[2])}
    assert len(set(colour.values())) == 3


def test_moving_lambda_changes_only_the_rule_and_equals_a_rebuilt_chart(analysis):
    X, y, path, cv, fit, bv = analysis
    built_at = float(path.lambdas[0])
    spec = charts.path_chart(path.to_frame(), current_lambda=built_at, selectable=True).to_dict()
    moved = charts.move_lambda(spec, fit.lam)
    assert rule_positions(moved) == [pytest.approx(fit.lam)] and rule_positions(spec) == [pytest.approx(built_at)]
    assert {k: v for k, v in moved.items() if k != "datasets"} == {k: v for k, v in spec.items() if k != "datasets"}
    rebuilt = charts.path_chart(path.to_frame(), current_lambda=fit.lam, selectable=True).to_dict()
    values = lambda s: sorted(json.dumps(rows, sort_keys=True) for rows in s["datasets"].values())  # noqa: E731
    assert values(moved) == values(rebuilt)  # the same data a rebuilt chart would carry
    cv_spec = charts.cv_chart(cv.to_frame(), cv.lambda_min, cv.lambda_1se, built_at).to_dict()
    positions = sorted(rule_positions(charts.move_lambda(cv_spec, fit.lam)))
    assert positions == pytest.approx(sorted([cv.lambda_min, cv.lambda_1se, fit.lam]))


def test_specs_and_image_downloads_of_charts_with_more_than_5000_rows():
    from reglab.export import chart_svg

    X, y, _ = make_problem(300, 120, seed=6, n_informative=10)
    path = reglab.path(X, y, penalty="l1", n_lambdas=60)
    assert len(path.to_frame()) > 5000
    chart = charts.path_chart(path.to_frame(), path.lambdas[10])
    spec = charts.move_lambda(charts.to_spec(chart), path.lambdas[20])
    assert rule_positions(spec) == [pytest.approx(path.lambdas[20])]
    assert chart_svg(chart).startswith(b"<svg") and chart_svg(spec).startswith(b"<svg")


def test_a_wire_spec_sends_the_same_data_and_downloads_the_same_image(analysis):
    """Explore's λ charts hold their datasets in Streamlit's wire format (Arrow bytes, converted once):
    read back, the rows are the chart's own, moving λ still moves the rule, and the PNG is drawn."""
    from reglab.export import chart_png, json_spec
    from reglab.ui.explore import wire_spec

    _, _, path, _, fit, _ = analysis
    spec = charts.to_spec(charts.path_chart(path.to_frame(), float(path.lambdas[0]), value="coef_standardized"))
    wire = wire_spec(spec)
    assert sum(isinstance(rows, bytes) for rows in wire["datasets"].values()) == len(spec["datasets"]) - 1
    back = json_spec(wire)
    for name, rows in spec["datasets"].items():
        assert len(back["datasets"][name]) == len(rows)
        for got, want in zip(back["datasets"][name], rows):
            assert got.keys() >= want.keys()
            assert all(got[k] == pytest.approx(v) if isinstance(v, float) else got[k] == v for k, v in want.items())
    moved = charts.move_lambda(wire, fit.lam)
    (rule,) = [name for name, rows in spec["datasets"].items() if charts.is_lambda_rule(rows)]
    assert moved["datasets"][rule] == charts.move_lambda(spec, fit.lam)["datasets"][rule]
    assert moved["datasets"][rule][0]["lambda"] == fit.lam
    assert chart_png(moved).startswith(b"\x89PNG")


def test_feature_colours_are_told_apart_and_never_grey():
    """Every pair of the 20 feature colours at least ΔE 20 apart (CIELAB): the old palette gave
    Boston's 'dis' and 'lstat' the same pink (ΔE 4)."""
    import itertools

    from reglab.charts import FEATURE_COLORS, OTHER_COLOR

    def lab(colour: str) -> np.ndarray:
        rgb = np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
        rgb = np.where(rgb > 0.04045, ((rgb + 0.055) / 1.055) ** 2.4, rgb / 12.92)
        xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]) @ rgb
        f = np.cbrt(np.maximum(xyz / [0.95047, 1.0, 1.08883], 0.008856))
        return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])

    assert len(set(FEATURE_COLORS)) == 20
    for a, b in itertools.combinations(FEATURE_COLORS + [OTHER_COLOR], 2):
        assert np.linalg.norm(lab(a) - lab(b)) >= 20, (a, b)


def test_the_lambda_label_stays_inside_the_plot_at_either_end_of_the_grid(analysis):
    """At the grid's right end a label drawn right of the rule ran onto the path chart's right-hand y axis
    (its top tick label): there it is drawn left of the rule, and right of it elsewhere, also after a move."""
    import re

    X, y, path, cv, fit, bv = analysis
    spec = charts.path_chart(path.to_frame(), current_lambda=float(path.lambdas[-1]), selectable=True).to_dict()

    def label_and_rule(spec: dict) -> tuple[str, float, float]:
        svg = vlc.vegalite_to_svg(spec)
        label = re.search(r'<text[^>]*text-anchor="(\w+)" transform="translate\(([-\d.]+),[^>]*>current λ', svg)
        rule = re.search(r'<line [^>]*transform="translate\(([-\d.]+),[^>]*stroke-dasharray="6,4"', svg)
        assert label and rule, "the current-λ rule and its label are drawn"
        return label.group(1), float(label.group(2)), float(rule.group(1))

    for lam, side in [(path.lambdas[-1], "right"), (path.lambdas[0], "left"), (path.lambdas[3], "left"),
                      (path.lambdas[len(path.lambdas) // 2], "right")]:
        anchor, at, rule = label_and_rule(charts.move_lambda(spec, float(lam)))
        if side == "right":  # the label starts right of the rule
            assert anchor == "start" and at > rule, lam
        else:  # it ends left of the rule
            assert anchor == "end" and at < rule, lam
