"""Altair chart builders: one pure function per chart, tidy DataFrame in, ``alt.Chart`` out.

Every chart that shows λ uses the same log-scaled x encoding (:func:`lambda_x`) and the
same rule for the current λ (:func:`lambda_rule`), so λ looks the same everywhere.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

LAMBDA_TITLE = "λ (log scale; stronger regularization →)"
#: Categorical palette readable on light and dark backgrounds.
PALETTE = "tableau10"


def lambda_x(field: str = "lambda", title: str = LAMBDA_TITLE) -> alt.X:
    """The shared λ axis: log scale, increasing to the right."""
    return alt.X(f"{field}:Q", scale=alt.Scale(type="log", zero=False, nice=False), title=title)


def lambda_rule(lam: float, label: str = "current λ") -> alt.LayerChart:
    """A vertical rule at ``lam`` with a small label, layered over any λ chart."""
    frame = pd.DataFrame({"lambda": [float(lam)], "label": [f"{label} = {lam:.4g}"]})
    rule = alt.Chart(frame).mark_rule(strokeDash=[6, 4], color="#888", size=1.5).encode(
        x=alt.X("lambda:Q"), tooltip=[alt.Tooltip("label:N", title="")]
    )
    text = alt.Chart(frame).mark_text(align="left", dx=4, dy=-4, baseline="top", color="#888").encode(
        x=alt.X("lambda:Q"), y=alt.value(2), text="label:N"
    )
    return alt.layer(rule, text)


def path_chart(
    path_frame: pd.DataFrame,
    current_lambda: float | None = None,
    value: str = "coef",
    value_title: str = "coefficient (original units)",
    n_labels: int = 5,
    height: int = 360,
) -> alt.LayerChart:
    """Coefficient paths: one line per feature, coefficient vs λ on a log axis.

    Parameters
    ----------
    path_frame : DataFrame
        Tidy rows with columns ``lambda``, ``feature`` and ``value`` (see :meth:`reglab.Path.to_frame`).
    current_lambda : float, optional
        Draws the shared λ rule there.
    n_labels : int
        End-of-line labels for the features largest in magnitude at the smallest λ.
    """
    frame = path_frame[["lambda", "feature", value]].rename(columns={value: "value"})
    highlight = alt.selection_point(fields=["feature"], bind="legend")
    lines = (
        alt.Chart(frame)
        .mark_line(strokeWidth=2)
        .encode(
            x=lambda_x(),
            y=alt.Y("value:Q", title=value_title),
            color=alt.Color("feature:N", title="feature", scale=alt.Scale(scheme=PALETTE)),
            opacity=alt.condition(highlight, alt.value(1.0), alt.value(0.15)),
            tooltip=[
                alt.Tooltip("feature:N"),
                alt.Tooltip("lambda:Q", title="λ", format=".4g"),
                alt.Tooltip("value:Q", title="coefficient", format=".4g"),
            ],
        )
        .add_params(highlight)
    )
    smallest = frame[frame["lambda"] == frame["lambda"].min()]
    top = smallest.reindex(smallest["value"].abs().sort_values(ascending=False).index).head(n_labels)
    labels = (
        alt.Chart(top)
        .mark_text(align="right", dx=-6, fontSize=11)
        .encode(x=lambda_x(), y="value:Q", text="feature:N", color=alt.Color("feature:N"))
    )
    zero = alt.Chart(pd.DataFrame({"value": [0.0]})).mark_rule(color="#999", size=0.5).encode(y="value:Q")
    layers = [zero, lines, labels]
    if current_lambda is not None and np.isfinite(current_lambda):
        layers.append(lambda_rule(current_lambda))
    return alt.layer(*layers).properties(height=height)
