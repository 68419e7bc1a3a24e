"""Altair chart builders: one pure function per chart, tidy DataFrame in, ``alt.Chart`` out.

Every chart that shows λ uses the same log-scaled x encoding (:func:`lambda_x`), the same
rule for the current λ (:func:`lambda_rule`) and, where clicking should set λ, the same
nearest-point selection named :data:`PICK` (read back by ``st.altair_chart(on_select=…)``).
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

LAMBDA_TITLE = "λ (log scale; stronger regularization →)"
#: Name of the click selection that sets λ; its value is ``[{"lambda": …}]``.
PICK = "pick_lambda"
#: Categorical palette readable on light and dark backgrounds.
PALETTE = "tableau10"
RULE_COLOR = "#8c8c8c"
POSITIVE, NEGATIVE = "#4c78a8", "#e45756"
#: Marks drawn over coloured bars (interval whiskers): a mid grey that reads on light and dark themes.
FOREGROUND = "#6b6b6b"
#: 20 distinguishable colours (Tableau 20) for up to 20 features; beyond that the 12 largest
#: paths get a colour each and the rest are grey ("highlight + grey"): a repeating palette
#: would give two features the same colour.
#: 20 feature colours, every pair at least ΔE 24 apart in CIELAB and none near the grey of "other
#: features" (Tableau 10 without its grey, then picks from Kelly's and ColorBrewer's sets, greedily
#: farthest from those already taken, lightness 38-82 so a line shows on light and dark themes).
#: Tableau 20's second half pairs each hue with a paler twin: Boston's 8th and 13th features were
#: the same pink (ΔE 4).
FEATURE_COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                  "#9c755f", "#e7298a", "#8db600", "#e5c494", "#604e97", "#b3446c", "#a6761d", "#a1caf1",
                  "#e377c2", "#e25822", "#1b9e77", "#40e0d0"]
MAX_COLORED = 12
#: The CV chart's λ.min and λ.1se rules (green and purple, dotted: named so in its subtitle).
LAMBDA_MIN_COLOR, LAMBDA_1SE_COLOR = "#54a24b", "#b279a2"
OTHER_COLOR = "#a0a0a0"
#: One colour per penalty on every Compare chart (keyed by the start of the model's label).
PENALTY_COLORS = {"L1": "#4c78a8", "L2": "#f58518", "elastic": "#54a24b", "Elastic": "#54a24b", "relaxed": "#b279a2"}


def penalty_scale(labels) -> alt.Scale:
    """The fixed penalty colours for model labels such as "L1 (lasso)", "elastic net (α = 0.5)"."""
    domain = list(dict.fromkeys(labels))
    return alt.Scale(domain=domain, range=[next((c for k, c in PENALTY_COLORS.items() if str(m).startswith(k)), RULE_COLOR)
                                           for m in domain])


def feature_colors(frame: pd.DataFrame, value: str = "value", legend_columns: int = 4) -> tuple[pd.DataFrame, alt.Color, alt.Scale]:
    """A ``series`` column and its colour encoding: each feature its own colour when there are at
    most 20, else the MAX_COLORED largest (by max |value|) coloured and the rest one grey series.
    The legend lists features in their data order, in columns under the chart (it wraps on narrow screens).
    With a ``group`` column (grouped features) the series is the group: a group's lines share a colour."""
    if "group" in frame:
        frame = frame.assign(feature_name=frame["feature"], feature=frame["group"]).drop(columns="group")
        colored, encoding, scale = feature_colors(frame, value, legend_columns)
        encoding.title = "feature group (click to highlight)"
        return colored.assign(feature=colored["feature_name"]).drop(columns="feature_name"), encoding, scale
    order = list(dict.fromkeys(frame["feature"]))
    if len(order) <= len(FEATURE_COLORS):
        series, domain = frame["feature"], order
        colors = FEATURE_COLORS[: len(order)]
    else:
        size = frame.groupby("feature", sort=False)[value].apply(lambda v: v.abs().max())
        top = [f for f in order if f in set(size.sort_values(ascending=False).index[:MAX_COLORED])]
        other = f"other {len(order) - len(top)} features"
        series = frame["feature"].where(frame["feature"].isin(top), other)
        domain, colors = top + [other], FEATURE_COLORS[: len(top)] + [OTHER_COLOR]
    scale = alt.Scale(domain=domain, range=colors)
    columns = legend_columns_for(domain, legend_columns)
    encoding = alt.Color("series:N", title="feature (click to highlight)", scale=scale,
                         legend=alt.Legend(orient="bottom", columns=columns, labelLimit=legend_label_limit(columns),
                                           titleLimit=400, symbolLimit=0))
    return frame.assign(series=series.to_numpy()), encoding, scale


def legend_columns_for(labels, most: int = 4) -> int:
    """Legend columns that fit a 420 px phone: Vega-Lite does not wrap a legend's columns, so long
    names get fewer (about 40 characters per row), down to one column for names of 40 or more."""
    longest = min(max((len(str(label)) for label in labels), default=1), 40)
    return max(1, min(most, 40 // longest))


def legend_label_limit(columns: int) -> int:
    """Pixels a legend label may take in ``columns`` columns on a 420 px row (a label is cut, with
    an ellipsis, only past that: ~55 characters in one column, ~16 in four)."""
    return max(110, 400 // columns - 20)


def legend_room(chart, entries: int, columns: int = 4):
    """Record the height a bottom legend of ``entries`` in ``columns`` needs (``usermeta.extra_height``,
    px), for the page to size the chart's element: Streamlit sizes layered charts by their plot height."""
    rows = -(-entries // columns)
    return chart.properties(usermeta={"extra_height": 20 * rows + 30})


def spaced_labels(end: pd.DataFrame, n_labels: int, min_gap: float) -> pd.DataFrame:
    """The ``n_labels`` largest end values, skipping any closer than ``min_gap`` to one already kept
    (labels that would print on top of each other)."""
    kept: list[int] = []
    for i in end["value"].abs().sort_values(ascending=False).index:
        if end.at[i, "value"] == 0 or len(kept) == n_labels:
            continue
        if all(abs(end.at[i, "value"] - end.at[j, "value"]) >= min_gap for j in kept):
            kept.append(i)
    return end.loc[kept]


def lambda_x(field: str = "lambda", title: str = LAMBDA_TITLE) -> alt.X:
    """The shared λ axis: log scale, increasing to the right."""
    return alt.X(f"{field}:Q", scale=alt.Scale(type="log", zero=False, nice=False), title=title)


def lambda_rule(lam: float, label: str = "current λ", color: str = RULE_COLOR, dash=(6, 4), row: int = 0,
                show_label: bool = True) -> alt.LayerChart | alt.Chart:
    """A vertical rule at ``lam`` with a small label at the top (``row`` staggers several labels;
    ``show_label=False``: the rule alone, its value in the tooltip, for a chart that names it elsewhere)."""
    frame = pd.DataFrame({"lambda": [float(lam)], "label": [f"{label} = {lam:.4g}"], "rule": [label]})
    rule = alt.Chart(frame).mark_rule(strokeDash=list(dash), color=color, size=1.5).encode(
        x=alt.X("lambda:Q"), tooltip=[alt.Tooltip("label:N", title="")]
    )
    if not show_label:
        return rule
    # Right of the rule, or left of it in the plot's right quarter: there the label would run past the
    # plot onto the right-hand y axis's tick labels (the path chart) or out of the chart.
    flipped = "scale('x', datum.lambda) > 0.75 * width"
    text = alt.Chart(frame).mark_text(
        align=alt.ExprRef(f"{flipped} ? 'right' : 'left'"), dx=alt.ExprRef(f"{flipped} ? -4 : 4"), baseline="top",
        color=color, fontSize=11,
    ).encode(x=alt.X("lambda:Q"), y=alt.value(2 + 14 * row), text="label:N")
    return alt.layer(rule, text)


def to_spec(chart) -> dict:
    """The chart's Vega-Lite spec with its data inline, however many rows (a path of 120 features
    has 12,000; Altair's default transformer refuses more than 5,000)."""
    with alt.data_transformers.enable("default", max_rows=None):
        return chart.to_dict()


def move_lambda(spec: dict, lam: float, rule: str = "current λ") -> dict:
    """A copy of a chart's spec (``chart.to_dict()``) with its ``rule`` line (:func:`lambda_rule`) at ``lam``.

    Moving λ changes nothing else in a path, CV or non-zero chart: rebuilding it through Altair
    (schema validation of every layer) cost ~90 ms a move. The spec is built once per path and
    only this one-row dataset changes, so Streamlit also sends the same spec with new data.
    """
    datasets = dict(spec.get("datasets", {}))
    for name, rows in datasets.items():
        if is_lambda_rule(rows, rule):
            datasets[name] = [{**rows[0], "lambda": float(lam), "label": f"{rule} = {lam:.4g}"}]
    return {**spec, "datasets": datasets}


def is_lambda_rule(rows, rule: str = "current λ") -> bool:
    """Whether a spec dataset is the one-row λ rule of :func:`lambda_rule` (what :func:`move_lambda` moves)."""
    return isinstance(rows, list) and len(rows) == 1 and isinstance(rows[0], dict) and rows[0].get("rule") == rule


def _picker(frame: pd.DataFrame, y: str | None) -> alt.Chart:
    """Invisible points carrying the click-to-set-λ selection (nearest point on click).

    ``y=None``: one point per λ along the top edge, so the nearest point is the nearest λ
    wherever the click lands (the Voronoi cells are vertical strips). A path chart needs only
    that: one point per (λ, feature) made Vega recompute a 1,000-cell Voronoi diagram on every
    λ move (~90 ms of each move in Chromium).
    """
    pick = alt.selection_point(name=PICK, fields=["lambda"], nearest=True, on="click", clear=False)
    if y is None:
        return alt.Chart(frame[["lambda"]].drop_duplicates()).mark_point(opacity=0, size=60).encode(
            x=lambda_x(), y=alt.value(0)).add_params(pick)
    return alt.Chart(frame).mark_point(opacity=0, size=60).encode(x=lambda_x(), y=alt.Y(y)).add_params(pick)


def path_chart(
    path_frame: pd.DataFrame,
    current_lambda: float | None = None,
    value: str = "coef",
    value_title: str = "coefficient (original units)",
    x: str = "lambda",
    n_labels: int = 5,
    height: int = 380,
    selectable: bool = False,
    present: bool = False,
) -> alt.LayerChart:
    """Coefficient paths: one line per feature against λ (log) or the L1-norm fraction.

    Parameters
    ----------
    path_frame : DataFrame
        Tidy rows with ``lambda``, ``feature``, ``value`` and (for ``x="l1_fraction"``)
        ``l1_fraction`` = ‖w(λ)‖₁ / maxλ ‖w(λ)‖₁ (see :meth:`reglab.Path.to_frame`).
    current_lambda : float, optional
        Draws the shared λ rule (on the λ axis) or the point of the current fit.
    n_labels : int
        End-of-line labels for the features largest in magnitude at the smallest λ.
    selectable : bool
        Add the click-to-set-λ selection.
    present : bool
        For a projector: larger type, the legend beside the chart (one entry per line, in one
        column, so the chart keeps the screen's height) and every line labelled that has room.
    """
    columns = ["lambda", "feature", value] + [c for c in ("l1_fraction", "group") if c in path_frame]
    frame, color, color_scale = feature_colors(path_frame[columns].rename(columns={value: "value"}))
    if present:
        n_labels = len(color_scale.domain)
        color.legend = alt.Legend(orient="right", columns=1 if n_labels <= 8 else 2, labelLimit=200, titleLimit=220,
                                  symbolLimit=0, labelFontSize=15, titleFontSize=15, symbolSize=160,
                                  symbolStrokeWidth=4, rowPadding=1, title="feature")
    x_enc = lambda_x() if x == "lambda" else alt.X("l1_fraction:Q", title="‖w‖₁ / max ‖w‖₁ (less regularization →)")
    highlight = alt.selection_point(name="feature_focus", fields=["series"], bind="legend")
    lines = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2)
        .encode(
            x=x_enc,
            # y-axis on the right: the left edge carries the end-of-line labels
            y=alt.Y("value:Q", title=value_title, axis=alt.Axis(orient="right")),
            color=color,
            opacity=alt.condition(highlight, alt.value(1.0), alt.value(0.12)),
            detail="feature:N",
            tooltip=[
                alt.Tooltip("feature:N"),
                alt.Tooltip("lambda:Q", title="λ", format=".4g"),
                alt.Tooltip("value:Q", title="coefficient", format=".4g"),
            ],
        )
        .add_params(highlight)
    )
    end = frame[frame["lambda"] == frame["lambda"].min()]
    spread = float(frame["value"].max() - frame["value"].min()) or 1.0
    font = 15 if present else 11
    top = spaced_labels(end, n_labels, (font + 6) / height * spread)  # one label's height apart
    labels = (
        alt.Chart(top)
        .mark_text(align="left" if x != "lambda" else "right", dx=6 if x != "lambda" else -6, fontSize=font,
                   fontWeight="bold")
        .encode(x=x_enc, y="value:Q", text="feature:N", color=alt.Color("series:N", scale=color_scale, legend=None))
    )
    zero = alt.Chart(pd.DataFrame({"value": [0.0]})).mark_rule(color=RULE_COLOR, size=0.5).encode(y="value:Q")
    layers: list = [zero, lines, labels]
    if current_lambda is not None and np.isfinite(current_lambda) and x == "lambda":
        layers.append(lambda_rule(current_lambda))
    if selectable and x == "lambda":
        layers.append(_picker(frame, None))
    left = (110 if present else 70) if x == "lambda" else 5  # room for the end-of-line labels
    chart = alt.layer(*layers).properties(height=height, padding={"left": left, "right": 5})
    if present:
        # extra_height 1: the page gives the element its height (plot + axes) rather than "content",
        # which Streamlit squashes for a layered chart with a legend beside it
        return chart.configure_axis(labelFontSize=15, titleFontSize=16).properties(usermeta={"extra_height": 1})
    return legend_room(chart, len(color_scale.domain), columns=legend_columns_for(color_scale.domain))


def nonzero_chart(frame: pd.DataFrame, current_lambda: float, height: int = 260) -> alt.LayerChart:
    """Number of non-zero coefficients against λ (step line), current λ marked.

    ``frame`` has columns ``lambda`` and ``n_nonzero``.
    """
    line = alt.Chart(frame).mark_line(interpolate="step-after", strokeWidth=2.5, color=POSITIVE).encode(
        x=lambda_x(),
        y=alt.Y("n_nonzero:Q", title="non-zero coefficients", axis=alt.Axis(tickMinStep=1)),
        tooltip=[alt.Tooltip("lambda:Q", title="λ", format=".4g"), alt.Tooltip("n_nonzero:Q", title="non-zero")],
    )
    return alt.layer(line, lambda_rule(current_lambda)).properties(height=height)


def coefficient_bars(frame: pd.DataFrame, height: int | None = None) -> alt.LayerChart:
    """Coefficients at the current λ: sorted by magnitude, colored by sign, zeros shown as zeros.

    ``frame`` has ``feature`` and ``coef``, optionally ``nonzero`` (else exact zeros count as zero) and
    ``true_coef`` (drawn as ticks).
    """
    data = frame.copy()
    selected = data["nonzero"] if "nonzero" in data else data["coef"] != 0
    data["sign"] = np.where(~selected, "zero", np.where(data["coef"] > 0, "positive", "negative"))
    data["magnitude"] = data["coef"].abs()
    order = data.sort_values("magnitude", ascending=False)["feature"].tolist()
    y = alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelLimit=200, labelOverlap=False))
    tooltip = [alt.Tooltip("feature:N"), alt.Tooltip("coef:Q", title="coefficient", format=".4g")]
    if "true_coef" in data:
        tooltip.append(alt.Tooltip("true_coef:Q", title="true coefficient", format=".4g"))
    bars = alt.Chart(data).mark_bar().encode(
        x=alt.X("coef:Q", title="coefficient (standardized units)"),
        y=y,
        color=alt.Color("sign:N", scale=alt.Scale(domain=["positive", "negative", "zero"], range=[POSITIVE, NEGATIVE, RULE_COLOR]),
                        title="sign"),
        tooltip=tooltip,
    )
    zeros = alt.Chart(data[data["sign"] == "zero"]).mark_text(align="left", dx=4, color=RULE_COLOR, fontSize=11).encode(
        x=alt.datum(0), y=y, text=alt.value("0")
    )
    layers = [bars, zeros]
    if "lower" in data:  # bootstrap intervals, with each feature's selection frequency at the interval's end
        ends = data.assign(selected=data["frequency"].map(lambda v: f"{v:.0%}"), end=data[["upper", "coef"]].max(axis=1).clip(lower=0.0))
        interval_tip = [*tooltip, alt.Tooltip("lower:Q", title="interval from", format=".4g"),
                        alt.Tooltip("upper:Q", title="interval to", format=".4g"),
                        alt.Tooltip("frequency:Q", title="selected in resamples", format=".0%")]
        layers.append(alt.Chart(ends).mark_rule(color=FOREGROUND, strokeWidth=2).encode(
            x="lower:Q", x2="upper:Q", y=y, tooltip=interval_tip))
        layers.append(alt.Chart(ends).mark_text(align="left", dx=5, fontSize=10, color=RULE_COLOR).encode(
            x="end:Q", y=y, text="selected:N"))
    if "true_coef" in data:
        truth = alt.Chart(data).mark_tick(color="#f58518", thickness=3, size=14).encode(
            x=alt.X("true_coef:Q"), y=y, tooltip=tooltip
        )
        layers.append(truth)
    # an element height for Streamlit (chart_with_downloads): it squashed a short layered chart, dropping every
    # other feature's label
    return alt.layer(*layers).properties(height=height or max(160, 24 * len(data)), usermeta={"extra_height": 10})


def cv_chart(
    frame: pd.DataFrame,
    lambda_min: float,
    lambda_1se: float,
    current_lambda: float,
    error_title: str = "mean CV error (MSE)",
    height: int = 380,
    selectable: bool = True,
) -> alt.LayerChart:
    """Cross-validation curve: mean error ± 1 SE against λ, rules at λ.min and λ.1se.

    ``frame`` has ``lambda``, ``mean_error``, ``se`` and ``n_nonzero``; the non-zero count
    is written along the top, as in glmnet's plot.
    """
    data = frame.assign(lower=frame["mean_error"] - frame["se"], upper=frame["mean_error"] + frame["se"])
    tooltip = [
        alt.Tooltip("lambda:Q", title="λ", format=".4g"),
        alt.Tooltip("mean_error:Q", title="mean CV error", format=".4g"),
        alt.Tooltip("se:Q", title="± 1 SE", format=".3g"),
        alt.Tooltip("n_nonzero:Q", title="non-zero"),
    ]
    band = alt.Chart(data).mark_area(opacity=0.25, color=POSITIVE).encode(
        x=lambda_x(), y=alt.Y("lower:Q", title=error_title, scale=alt.Scale(zero=False)), y2="upper:Q"
    )
    line = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=18), color=POSITIVE).encode(
        x=lambda_x(), y="mean_error:Q", tooltip=tooltip
    )
    step = max(1, len(data) // 12)
    top = data.iloc[::step]
    counts = alt.Chart(top).mark_text(fontSize=10, color=RULE_COLOR, baseline="bottom").encode(
        x=lambda_x(), y=alt.value(-4), text="n_nonzero:Q"
    )
    layers = [
        band,
        line,
        counts,
        # λ.min and λ.1se are named in the title, not beside their rules: three labels near one
        # another (λ.1se is often a step from the current λ) printed over each other and the lines.
        lambda_rule(lambda_min, "λ.min", color=LAMBDA_MIN_COLOR, dash=(2, 2), show_label=False),
        lambda_rule(lambda_1se, "λ.1se", color=LAMBDA_1SE_COLOR, dash=(2, 2), show_label=False),
        lambda_rule(current_lambda),
    ]
    if selectable:
        layers.append(_picker(data, "mean_error:Q"))
    return alt.layer(*layers).properties(
        height=height, title=alt.Title(
            "non-zero coefficients at each λ (numbers along the top)", fontSize=12, fontWeight="normal",
            color=RULE_COLOR, anchor="start",
            subtitle=[f"dotted green: λ.min = {lambda_min:.4g}  ·  dotted purple: λ.1se = {lambda_1se:.4g}",
                      "dashed grey: the current λ"],  # two short lines: one is cut on a 420 px phone
            subtitleColor=RULE_COLOR, subtitleFontSize=11, subtitlePadding=4, offset=16)
    )


#: One colour per information criterion (AIC, BIC, EBIC), distinct from the CV chart's λ.min / λ.1se rules.
CRITERIA_COLORS = {"AIC": "#4c78a8", "BIC": "#f58518", "EBIC": "#e45756"}


def criteria_chart(frame: pd.DataFrame, current_lambda: float, height: int = 380, selectable: bool = True
                   ) -> alt.LayerChart:
    """AIC, BIC and EBIC against λ (:meth:`reglab.criteria.Criteria.to_frame`: ``lambda``,
    ``criterion``, ``value``, ``df``, ``chosen``), each criterion's minimum a filled point, a rule at
    the current λ; a click picks the nearest λ, as on the CV chart."""
    names = [name for name in CRITERIA_COLORS if name in set(frame["criterion"])]
    color = alt.Color("criterion:N", title=None, sort=names,
                      scale=alt.Scale(domain=names, range=[CRITERIA_COLORS[n] for n in names]),
                      legend=alt.Legend(orient="top-left", direction="horizontal", padding=4))
    tooltip = [alt.Tooltip("criterion:N"), alt.Tooltip("lambda:Q", title="λ", format=".4g"),
               alt.Tooltip("value:Q", format=",.4~f"), alt.Tooltip("df:Q", title="degrees of freedom", format=".3~f")]
    lines = alt.Chart(frame).mark_line().encode(
        x=lambda_x(), y=alt.Y("value:Q", title="criterion (smaller is better)", scale=alt.Scale(zero=False)),
        color=color, tooltip=tooltip)
    minima = alt.Chart(frame[frame["chosen"]]).mark_point(filled=True, size=90, opacity=1).encode(
        x=lambda_x(), y="value:Q", color=color, shape=alt.Shape("criterion:N", sort=names, legend=None),
        tooltip=tooltip)
    layers = [lines, minima, lambda_rule(current_lambda)]
    if selectable:
        layers.append(_picker(frame[frame["criterion"] == names[0]], "value:Q"))
    return alt.layer(*layers).properties(
        height=height, title=alt.Title("each criterion's minimum is its choice of λ (filled point)", fontSize=12,
                                       fontWeight="normal", color=RULE_COLOR, anchor="start",
                                       subtitle="dashed grey: the current λ", subtitleColor=RULE_COLOR,
                                       subtitleFontSize=11))


#: The waterfall's colours: the intercept and η neutral, a part that raises η one colour, one that lowers it another.
WATERFALL_COLORS = {"intercept": RULE_COLOR, "up": POSITIVE, "down": NEGATIVE, "total": "#54a24b"}


def waterfall_chart(frame: pd.DataFrame, axis_title: str) -> alt.LayerChart:
    """One row's prediction as a horizontal waterfall (:func:`reglab.whatif.waterfall_frame`): the
    intercept, then each column's part (blue raises η, red lowers it) in the order they add up, then η;
    each bar labelled with its signed part, the hover naming the column's value."""
    data = frame.reset_index(drop=True).assign(order=lambda f: np.arange(len(f)),
                                               label=lambda f: f["contribution"].map(lambda v: f"{v:+.4g}"))
    y = alt.Y("step:N", sort=alt.EncodingSortField("order"), title=None,
              axis=alt.Axis(labelLimit=220, labelFontSize=12, labelOverlap=False))
    tooltip = [alt.Tooltip("step:N", title="column"), alt.Tooltip("value:N", title="value"),
               alt.Tooltip("contribution:Q", title="part of η", format="+.4g"),
               alt.Tooltip("end:Q", title="η after it", format=".4g")]
    color = alt.Color("kind:N", legend=None, scale=alt.Scale(domain=list(WATERFALL_COLORS),
                                                            range=list(WATERFALL_COLORS.values())))
    bars = alt.Chart(data).mark_bar(height={"band": 0.7}).encode(
        y=y, x=alt.X("start:Q", title=axis_title, scale=alt.Scale(zero=False)), x2="end:Q", color=color,
        tooltip=tooltip)
    labels = alt.Chart(data).mark_text(align="left", dx=4, fontSize=11, color=RULE_COLOR).encode(
        y=y, x=alt.X("max_end:Q"), text="label:N").transform_calculate(max_end="max(datum.start, datum.end)")
    # an element height for Streamlit (chart_with_downloads), which squashes a short layered chart's rows
    return alt.layer(bars, labels).properties(height=max(120, 28 * len(data)), usermeta={"extra_height": 10})


#: Training and test points in the model checks: two colours that read on light and dark backgrounds.
SET_COLORS = {"training": "#4c78a8", "test": "#f58518"}


def _hover(names: dict[str, str], observed_title: str, residual_title: str) -> list[alt.Tooltip]:
    """A point's hover: its table row, set, observed, predicted and residual, and its values (titles are
    the file's column names: shown as text by Vega's tooltip)."""
    return ([alt.Tooltip("row:Q", title="table row"), alt.Tooltip("set:N", title="rows"),
             alt.Tooltip("observed:Q", title=observed_title, format=".4g"),
             alt.Tooltip("predicted:Q", title="predicted", format=".4g"),
             alt.Tooltip("residual:Q", title=residual_title, format=".3g")]
            + [alt.Tooltip(f"{field}:Q", title=name, format=".4g") for field, name in names.items()])


def model_check_charts(frame: pd.DataFrame, names: dict[str, str], qq: pd.DataFrame, observed_title: str,
                       residual_title: str) -> list[alt.LayerChart]:
    """The four model checks (:func:`reglab.checks.check_frame`): predicted against observed with the
    identity line, residuals against predicted with the zero line, the residuals' histogram, and their
    normal Q–Q plot with the line y = x. Training and test rows in two colours; every point hovers to its row."""
    color = alt.Color("set:N", title=None, scale=alt.Scale(domain=list(SET_COLORS), range=list(SET_COLORS.values())),
                      legend=alt.Legend(orient="top", direction="horizontal"))
    tooltip = _hover(names, observed_title, residual_title)
    low = float(min(frame["observed"].min(), frame["predicted"].min()))
    high = float(max(frame["observed"].max(), frame["predicted"].max()))
    identity = alt.Chart(pd.DataFrame({"x": [low, high], "y": [low, high]})).mark_line(
        color=RULE_COLOR, strokeDash=[6, 4]).encode(x="x:Q", y="y:Q")
    points = alt.Chart(frame).mark_circle(size=28, opacity=0.6)
    versus = alt.layer(identity, points.encode(
        x=alt.X("predicted:Q", title="predicted", scale=alt.Scale(zero=False)),
        y=alt.Y("observed:Q", title=observed_title, scale=alt.Scale(zero=False)), color=color, tooltip=tooltip)
    ).properties(height=320, title=alt.Title("predicted against observed (dashed: equal)", fontSize=12,
                                             fontWeight="normal", anchor="start"))
    zero = alt.Chart(pd.DataFrame({"y": [0.0]})).mark_rule(color=RULE_COLOR, strokeDash=[6, 4]).encode(y="y:Q")
    spread = alt.layer(zero, points.encode(
        x=alt.X("predicted:Q", title="predicted", scale=alt.Scale(zero=False)),
        y=alt.Y("residual:Q", title=residual_title), color=color, tooltip=tooltip)
    ).properties(height=320, title=alt.Title("residuals against predicted (a pattern is a missed effect)",
                                             fontSize=12, fontWeight="normal", anchor="start"))
    histogram = alt.Chart(frame).mark_bar(opacity=0.75).encode(
        x=alt.X("residual:Q", bin=alt.Bin(maxbins=40), title=residual_title),
        y=alt.Y("count():Q", title="rows", stack=True), color=color,
        tooltip=[alt.Tooltip("set:N", title="rows"), alt.Tooltip("count():Q", title="rows in the bin")]
    ).properties(height=320, title=alt.Title("residuals' histogram", fontSize=12, fontWeight="normal",
                                             anchor="start"))
    edge = float(np.ceil(max(np.abs(qq[["theoretical", "sample"]].to_numpy()).max(), 1.0)))
    line = alt.Chart(pd.DataFrame({"x": [-edge, edge], "y": [-edge, edge]})).mark_line(
        color=RULE_COLOR, strokeDash=[6, 4]).encode(x="x:Q", y="y:Q")
    quantiles = alt.layer(line, alt.Chart(qq).mark_circle(size=22, color=POSITIVE, opacity=0.7).encode(
        x=alt.X("theoretical:Q", title="normal quantile"), y=alt.Y("sample:Q", title="standardized residual"),
        tooltip=[alt.Tooltip("theoretical:Q", format=".3f"), alt.Tooltip("sample:Q", format=".3f")])
    ).properties(height=320, title=alt.Title("normal Q–Q (on the line when residuals are normal)", fontSize=12,
                                             fontWeight="normal", anchor="start"))
    return [versus, spread, histogram, quantiles]


def curves_chart(
    frame: pd.DataFrame,
    current_lambda: float,
    y_title: str,
    color_title: str = "",
    height: int = 340,
    dashed: tuple[str, ...] = (),
    zero: bool = True,
) -> alt.LayerChart:
    """Several named curves against λ (bias–variance components, train vs test error, recovery).

    ``frame`` has ``lambda``, ``component`` and ``value``; components listed in ``dashed``
    are drawn dashed (e.g. a total that should coincide with a measured curve). ``zero=False``
    fits the y-axis to the curves (errors compared with each other, far from 0).
    """
    data = frame.assign(dashed=frame["component"].isin(dashed))
    line = alt.Chart(data).mark_line(strokeWidth=2.5).encode(
        x=lambda_x(),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=zero)),
        color=alt.Color("component:N", title=color_title or None, scale=alt.Scale(scheme=PALETTE),
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=320)),
        strokeDash=alt.condition("datum.dashed", alt.value([5, 4]), alt.value([1, 0])),
        tooltip=[alt.Tooltip("component:N", title=""), alt.Tooltip("lambda:Q", title="λ", format=".4g"),
                 alt.Tooltip("value:Q", format=".4g")],
    )
    return alt.layer(line, lambda_rule(current_lambda)).properties(height=height)


# ----------------------------------------------------------------------------- classification


def roc_chart(frame: pd.DataFrame, auc: float, height: int = 320) -> alt.LayerChart:
    """ROC curve (``false_positive_rate``, ``true_positive_rate``, ``threshold``) with the chance diagonal."""
    diagonal = alt.Chart(pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 1.0]})).mark_line(
        color=RULE_COLOR, strokeDash=[4, 3]).encode(x="x:Q", y="y:Q")
    tooltip = [alt.Tooltip("threshold:Q", title="probability threshold", format=".3f"),
               alt.Tooltip("false_positive_rate:Q", title="false positive rate", format=".3f"),
               alt.Tooltip("true_positive_rate:Q", title="true positive rate", format=".3f")]
    by_class = "class" in frame  # one-vs-rest curves of a multinomial model, one colour per class
    curve = alt.Chart(frame).mark_line(strokeWidth=2.5, interpolate="step-after", **({} if by_class else {"color": POSITIVE})).encode(
        x=alt.X("false_positive_rate:Q", title="false positive rate (1 − specificity)", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("true_positive_rate:Q", title="true positive rate (sensitivity)", scale=alt.Scale(domain=[0, 1])),
        tooltip=([alt.Tooltip("class:N")] if by_class else []) + tooltip,
        **({"color": alt.Color("class:N", title="class (against the rest)", scale=alt.Scale(range=FEATURE_COLORS),
                               legend=alt.Legend(orient="bottom"))} if by_class else {}),
    )
    return alt.layer(diagonal, curve).properties(
        height=height, title=alt.Title(f"AUC = {auc:.3f}" + (" (mean over the classes)" if by_class else ""), fontSize=12,
                                       fontWeight="normal", anchor="start"))


def confusion_chart(frame: pd.DataFrame, height: int = 220) -> alt.LayerChart:
    """Confusion matrix (``true class``, ``predicted class``, ``count``): shaded cells with their counts."""
    base = alt.Chart(frame).encode(
        x=alt.X("predicted class:N", title="predicted class", axis=alt.Axis(labelAngle=0, labelLimit=160)),
        y=alt.Y("true class:N", title="true class", axis=alt.Axis(labelLimit=160)),
    )
    cells = base.mark_rect(stroke="#ffffff", strokeWidth=2).encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=[alt.Tooltip("true class:N"), alt.Tooltip("predicted class:N"), alt.Tooltip("count:Q")],
    )
    # Counts in black on light cells, white on dark ones (readable in both themes: the cell is the background).
    top = float(frame["count"].max()) if len(frame) else 0.0
    labels = base.mark_text(fontSize=18, fontWeight="bold").encode(
        text="count:Q",
        color=alt.condition(f"datum.count > {0.55 * top}", alt.value("#ffffff"), alt.value("#1a1a1a")),
    )
    return alt.layer(cells, labels).properties(height=height)


def calibration_chart(frame: pd.DataFrame, height: int = 320, titles: tuple[str, str] | None = None,
                      top: float = 1.0) -> alt.LayerChart:
    """Reliability curve: observed share of the positive class against the mean predicted probability
    per bin (``predicted``, ``observed``, ``rows``; point size = rows), with the perfect-calibration
    diagonal; with a ``class`` column one curve per class against the rest (multinomial), coloured
    as the ROC chart's. ``titles`` (x, y) and ``top`` (both axes run 0 … top) serve other means than
    probabilities (:func:`count_calibration_chart`)."""
    diagonal = alt.Chart(pd.DataFrame({"x": [0.0, top], "y": [0.0, top]})).mark_line(
        color=RULE_COLOR, strokeDash=[4, 3]).encode(x="x:Q", y="y:Q")
    by_class = "class" in frame
    x_title, y_title = titles or ("mean predicted probability",
                                  "observed share of the class" if by_class else "observed share of the positive class")
    axis_x = alt.X("predicted:Q", title=x_title, scale=alt.Scale(domain=[0, top]))
    axis_y = alt.Y("observed:Q", title=y_title, scale=alt.Scale(domain=[0, top]))
    tooltip = ([alt.Tooltip("class:N")] if by_class else []) + [
        alt.Tooltip("predicted:Q", title="predicted", format=".3f"),
        alt.Tooltip("observed:Q", title="observed", format=".3f"), alt.Tooltip("rows:Q")]
    colour = ({"color": alt.Color("class:N", title="class (against the rest)", scale=alt.Scale(range=FEATURE_COLORS),
                                  legend=alt.Legend(orient="bottom"))} if by_class else {})
    fixed = {} if by_class else {"color": POSITIVE}
    line = alt.Chart(frame).mark_line(strokeWidth=2, **fixed).encode(x=axis_x, y=axis_y, **colour)
    points = alt.Chart(frame).mark_circle(opacity=0.9, **fixed).encode(
        x=axis_x, y=axis_y, size=alt.Size("rows:Q", legend=None, scale=alt.Scale(range=[30, 300])), tooltip=tooltip,
        **colour)
    return alt.layer(diagonal, line, points).properties(height=height)


def count_calibration_chart(frame: pd.DataFrame, target: str, height: int = 320) -> alt.LayerChart:
    """Predicted against observed counts: the mean observed count per bin of rows sorted by their
    predicted mean (``predicted``, ``observed``, ``rows``, as :func:`reglab.diagnostics.calibration_frame`;
    point size = rows), with the diagonal where they agree (:func:`calibration_chart` on counts' axes)."""
    top = float(max(frame["predicted"].max(), frame["observed"].max(), 1e-9)) * 1.05 if len(frame) else 1.0
    return calibration_chart(frame, height, (f"mean predicted count of {target}", f"mean observed count of {target}"), top)


# ----------------------------------------------------------------------------- Learn page


def trajectory_chart(frame: pd.DataFrame, height: int = 320) -> alt.LayerChart:
    """w against the iteration number, one line per update rule (``step``, ``method``, ``w``)."""
    zero = alt.Chart(pd.DataFrame({"w": [0.0]})).mark_rule(color=RULE_COLOR, strokeDash=[4, 3]).encode(y="w:Q")
    lines = alt.Chart(frame).mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=12)).encode(
        x=alt.X("step:Q", title="iteration"),
        y=alt.Y("w:Q", title="weight w"),
        color=alt.Color("method:N", title="update", scale=alt.Scale(scheme=PALETTE), legend=alt.Legend(orient="bottom", columns=2)),
        tooltip=[alt.Tooltip("method:N"), alt.Tooltip("step:Q"), alt.Tooltip("w:Q", format=".6g")],
    )
    return alt.layer(zero, lines).properties(height=height)


def geometry_chart(contours: pd.DataFrame, balls: pd.DataFrame, optima: pd.DataFrame, center: tuple[float, float],
                   size: int = 460) -> alt.LayerChart:
    """Loss contours (ellipses), constraint regions ‖w‖ ≤ t and the constrained optima, on equal axes.

    ``contours``: ``level``, ``w1``, ``w2``, ``order``; ``balls``: ``ball``, ``w1``, ``w2``, ``order``;
    ``optima``: ``ball``, ``w1``, ``w2``.
    """
    extent = float(max(np.abs(contours[["w1", "w2"]]).to_numpy().max(), np.abs(balls[["w1", "w2"]]).to_numpy().max())) * 1.05
    scale = alt.Scale(domain=[-extent, extent], nice=False, zero=False)
    x, y = alt.X("w1:Q", scale=scale, title="w₁"), alt.Y("w2:Q", scale=scale, title="w₂")
    axes = alt.Chart(pd.DataFrame({"v": [0.0]}))
    layers = [
        axes.mark_rule(color=RULE_COLOR, size=0.5).encode(x=alt.X("v:Q", scale=scale)),
        axes.mark_rule(color=RULE_COLOR, size=0.5).encode(y=alt.Y("v:Q", scale=scale)),
        alt.Chart(contours).mark_line(color=RULE_COLOR, strokeWidth=1, opacity=0.8).encode(
            x=x, y=y, detail="level:N", order="order:Q", tooltip=[alt.Tooltip("level:Q", title="loss", format=".3g")]),
        alt.Chart(balls).mark_line(strokeWidth=2.5).encode(
            x=x, y=y, order="order:Q", color=alt.Color("ball:N", title="constraint ‖w‖ ≤ t", scale=alt.Scale(scheme=PALETTE),
                                                        legend=alt.Legend(orient="bottom"))),
        alt.Chart(optima).mark_point(size=140, filled=True, stroke="white", strokeWidth=1.5).encode(
            x=x, y=y, color=alt.Color("ball:N"),
            tooltip=[alt.Tooltip("ball:N", title="ball"), alt.Tooltip("w1:Q", format=".4g"), alt.Tooltip("w2:Q", format=".4g")]),
        alt.Chart(pd.DataFrame({"w1": [center[0]], "w2": [center[1]], "label": ["unconstrained minimum"]}))
        .mark_point(shape="cross", size=160, color=RULE_COLOR, strokeWidth=2).encode(x=x, y=y, tooltip="label:N"),
    ]
    return alt.layer(*layers).properties(width=size, height=size)


def fits_chart(curves: pd.DataFrame, x: np.ndarray, y: np.ndarray, title: str = "", height: int = 340) -> alt.LayerChart:
    """A noisy sample (points) with fitted curves (``x``, ``fit``, ``y``) over it."""
    ymin, ymax = float(np.min(y)), float(np.max(y))
    pad = 0.6 * (ymax - ymin)
    clip = alt.Scale(domain=[ymin - pad, ymax + pad], clamp=True)
    is_truth = curves["fit"].str.startswith("truth")
    truth = alt.Chart(curves[is_truth]).mark_line(strokeWidth=2, strokeDash=[5, 4], color=RULE_COLOR, clip=True).encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title="y", scale=clip), tooltip=alt.Tooltip("fit:N", title=""))
    lines = alt.Chart(curves[~is_truth]).mark_line(strokeWidth=2.5, clip=True).encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("y:Q", title="y", scale=clip),
        color=alt.Color("fit:N", title=None, scale=alt.Scale(scheme=PALETTE), legend=alt.Legend(orient="bottom"),
                        sort=None),
    )
    points = alt.Chart(pd.DataFrame({"x": x, "y": y})).mark_circle(size=55, color=RULE_COLOR, opacity=0.9).encode(
        x="x:Q", y=alt.Y("y:Q", scale=clip), tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f")])
    return alt.layer(truth, lines, points).properties(
        height=height, title=alt.Title(title, subtitle="dashed grey: the true curve sin(πx); dots: the sample",
                                       subtitleColor=RULE_COLOR))  # Vega's default subtitle colour is black, unreadable in dark mode


# ----------------------------------------------------------------------------- Compare page


def grouped_coefficients(frame: pd.DataFrame, height: int = 320) -> alt.Chart:
    """One group of bars per feature, one bar per model (``model``, ``feature``, ``coef``)."""
    order = frame.groupby("feature", sort=False)["coef"].apply(lambda v: v.abs().max()).sort_values(ascending=False).index.tolist()
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("feature:N", sort=order, title=None, axis=alt.Axis(labelAngle=-40, labelLimit=140)),
        xOffset=alt.XOffset("model:N"),
        y=alt.Y("coef:Q", title="standardized coefficient"),
        color=alt.Color("model:N", title=None, scale=penalty_scale(frame["model"]), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("feature:N"), alt.Tooltip("coef:Q", format=".4g")],
    ).properties(height=height)


def path_small_multiples(frame: pd.DataFrame, lambdas: dict[str, float], height: int = 260) -> list[alt.LayerChart]:
    """Coefficient paths per model, one chart each, sharing the λ axis, the coefficient axis and the
    feature colours (so they can sit side by side, or stack on a narrow screen).

    ``frame``: ``model``, ``lambda``, ``feature``, ``coef_standardized``; ``lambdas``: each model's λ,
    drawn as a dashed rule in its chart. The first chart carries the feature legend.
    """
    # A third of the page wide: a two-column legend fits.
    data, color, scale = feature_colors(frame.rename(columns={"coef_standardized": "value"}), legend_columns=2)
    x_domain = [float(data["lambda"].min()), float(data["lambda"].max())]
    y_domain = [float(data["value"].min()), float(data["value"].max())]
    out = []
    for i, (model, lam) in enumerate(lambdas.items()):
        part = data[data["model"] == model]
        legend_color = color if i == 0 else alt.Color("series:N", scale=scale, legend=None)
        lines = alt.Chart(part).mark_line(strokeWidth=1.8).encode(
            x=alt.X("lambda:Q", scale=alt.Scale(type="log", zero=False, nice=False, domain=x_domain), title="λ (log)"),
            y=alt.Y("value:Q", title="standardized coefficient", scale=alt.Scale(domain=y_domain)),
            color=legend_color,
            detail="feature:N",
            tooltip=[alt.Tooltip("feature:N"), alt.Tooltip("lambda:Q", title="λ", format=".4g"),
                     alt.Tooltip("value:Q", title="coefficient", format=".4g")],
        )
        rule = alt.Chart(pd.DataFrame({"lambda": [float(lam)]})).mark_rule(color=RULE_COLOR, strokeDash=[6, 4], size=1.5).encode(
            x="lambda:Q", tooltip=[alt.Tooltip("lambda:Q", title="λ used", format=".4g")])
        chart = alt.layer(lines, rule).properties(
            height=height, title=alt.Title(str(model), fontSize=13, color=PENALTY_COLORS.get(str(model).split(" ")[0], RULE_COLOR)))
        out.append(legend_room(chart, len(scale.domain), columns=legend_columns_for(scale.domain, 2)) if i == 0 else chart)
    return out


def frequency_bars(frame: pd.DataFrame, threshold: float = 0.6) -> alt.LayerChart:
    """Selection frequency per feature and model (``model``, ``feature``, ``frequency`` in [0, 1])."""
    order = frame.groupby("feature")["frequency"].max().sort_values(ascending=False).index.tolist()
    bars = alt.Chart(frame).mark_bar().encode(
        y=alt.Y("feature:N", sort=order, title=None, axis=alt.Axis(labelLimit=200)),
        yOffset=alt.YOffset("model:N"),
        x=alt.X("frequency:Q", title="share of bootstrap resamples that select the feature", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("model:N", title=None, scale=penalty_scale(frame["model"]), legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("model:N"), alt.Tooltip("feature:N"), alt.Tooltip("frequency:Q", format=".0%")],
    )
    line = alt.Chart(pd.DataFrame({"frequency": [threshold]})).mark_rule(color=RULE_COLOR, strokeDash=[4, 3]).encode(x="frequency:Q")
    n_features = frame["feature"].nunique()
    return alt.layer(bars, line).properties(height=max(160, 34 * n_features))


def cv_heatmap_chart(frame: pd.DataFrame, height: int = 260) -> alt.LayerChart:
    """Mean CV error over (λ, L1 ratio); the minimum marked ★, the one-SE region outlined."""
    data = frame.assign(lambda_label=frame["lambda"].map(lambda v: f"{v:.3g}"), ratio_label=frame["l1_ratio"].map(lambda v: f"{v:g}"))
    lambda_order = data.drop_duplicates("lambda").sort_values("lambda")["lambda_label"].tolist()
    x = alt.X("lambda_label:O", sort=lambda_order, title="λ (log-spaced; stronger regularization →)", axis=alt.Axis(labelAngle=-45))
    y = alt.Y("ratio_label:O", title="L1 ratio α", sort="descending")
    tooltip = [alt.Tooltip("l1_ratio:Q", title="α"), alt.Tooltip("lambda:Q", title="λ", format=".4g"),
               alt.Tooltip("mean_error:Q", title="mean CV error", format=".4g"), alt.Tooltip("se:Q", title="SE", format=".3g")]
    cells = alt.Chart(data).mark_rect().encode(x=x, y=y, color=alt.Color("mean_error:Q", title="mean CV error",
                                                                        scale=alt.Scale(scheme="viridis", reverse=True)),
                                               tooltip=tooltip)
    # Dark outline and star: drawn on the cells (viridis runs to pale yellow), so they read in both themes.
    region = alt.Chart(data[data["within_1se"]]).mark_rect(fill=None, stroke="#1a1a1a", strokeWidth=2).encode(x=x, y=y)
    best = alt.Chart(data[data["is_min"]]).mark_text(text="★", fontSize=18, color="#1a1a1a").encode(x=x, y=y, tooltip=tooltip)
    return alt.layer(cells, region, best).properties(height=height)


def choice_spread_chart(frame: pd.DataFrame, height: int = 140) -> alt.Chart:
    """λ.min and λ.1se from repeated CV (``seed``, ``lambda_min``, ``lambda_1se``) as ticks on the λ axis."""
    long = frame.melt(id_vars="seed", value_vars=["lambda_min", "lambda_1se"], var_name="rule", value_name="lambda")
    long["rule"] = long["rule"].map({"lambda_min": "λ.min", "lambda_1se": "λ.1se"})
    return alt.Chart(long).mark_tick(thickness=3, size=28).encode(
        x=lambda_x(title="λ chosen (log scale)"),
        y=alt.Y("rule:N", title=None),
        color=alt.Color("rule:N", scale=alt.Scale(domain=["λ.min", "λ.1se"], range=["#54a24b", "#b279a2"]), legend=None),
        tooltip=[alt.Tooltip("rule:N"), alt.Tooltip("seed:Q", title="fold seed"), alt.Tooltip("lambda:Q", title="λ", format=".4g")],
    ).properties(height=height)
