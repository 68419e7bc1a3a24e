"""Widget specifications shared by pages (labels, ranges, defaults), kept out of page scripts."""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass

from reglab.data import SYNTHETIC, SYNTHETIC_PARAMS


@dataclass(frozen=True)
class NumberControl:
    short: str
    label: str
    low: float
    high: float
    step: float
    help: str
    #: Another control whose current value caps this one (informative features ≤ features).
    at_most: str | None = None


def _sparse_glm_controls(rows_help: str, *extra: NumberControl) -> tuple[NumberControl, ...]:
    """The controls of a sparse generated model on the rows (logistic, counts): n, p, informative
    features, correlation, then ``extra``, then the seed."""
    return (
        NumberControl("n", "Rows (n)", 50, 20_000, 10, rows_help),
        NumberControl("p", "Features (p)", 1, 500, 1, "Number of feature columns."),
        NumberControl("k", "Informative features", 0, 500, 1, "How many true coefficients are non-zero (x1, x2, …).",
                      at_most="p"),
        NumberControl("rho", "Feature correlation ρ", 0.0, 0.99, 0.05, "corr(xⱼ, xₖ) = ρ^|j−k|."),
        *extra,
        NumberControl("seed", "Random seed", 0, 1_000_000, 1, "Same seed, same data."),
    )


SYNTHETIC_CONTROLS: dict[str, tuple[NumberControl, ...]] = {
    "sparse": (
        NumberControl("n", "Rows (n)", 10, 20_000, 10, "Number of observations."),
        NumberControl("p", "Features (p)", 1, 500, 1, "Number of feature columns."),
        NumberControl("k", "Informative features", 0, 500, 1, "How many true coefficients are non-zero (x1, x2, …).",
                      at_most="p"),
        NumberControl("noise", "Noise σ", 0.0, 100.0, 0.1, "Standard deviation of the Gaussian noise, in target units."),
        NumberControl("rho", "Feature correlation ρ", 0.0, 0.99, 0.05, "corr(xⱼ, xₖ) = ρ^|j−k|."),
        NumberControl("seed", "Random seed", 0, 1_000_000, 1, "Same seed, same data."),
    ),
    "poly": (
        NumberControl("n", "Points (n)", 5, 5_000, 5, "Number of noisy samples of sin(πx)."),
        NumberControl("degree", "Polynomial degree d", 1, 30, 1, "Features x, x², …, x^d."),
        NumberControl("noise", "Noise σ", 0.0, 5.0, 0.05, "Standard deviation of the noise."),
        NumberControl("seed", "Random seed", 0, 1_000_000, 1, "Same seed, same data."),
    ),
    "groups": (
        NumberControl("n", "Rows (n)", 10, 20_000, 10, "Number of observations."),
        NumberControl("groups", "Groups", 1, 20, 1, "Number of groups of correlated features."),
        NumberControl("size", "Features per group", 2, 10, 1, "Members of each group."),
        NumberControl("corr", "Within-group correlation", 0.0, 0.999, 0.01, "Correlation between members of a group."),
        NumberControl("k", "Informative groups", 0, 20, 1, "Groups that carry signal (shared equally by their members).",
                      at_most="groups"),
        NumberControl("noise", "Noise σ", 0.0, 100.0, 0.1, "Standard deviation of the noise."),
        NumberControl("seed", "Random seed", 0, 1_000_000, 1, "Same seed, same data."),
    ),
    "logistic": _sparse_glm_controls("Number of observations.", NumberControl(
        "classes", "Classes", 2, 5, 1, "2: yes/no, a logistic model (binomial). 3 or more: a multinomial model in which "
        "each informative feature raises one class's odds.")),
    "counts": _sparse_glm_controls("Number of observations (each a count of events)."),
}


#: Controls shared by Explore and Compare whose values also arrive in links.
L1_RATIO = NumberControl("l1_ratio", "L1 ratio α", 0.05, 0.95, 0.05, "Share of the L1 part in the elastic net: 1 = lasso, 0 = ridge.")
FOLDS = NumberControl("folds", "CV folds", 2, 20, 1, "K of K-fold cross-validation (seeded).")
RELAX_GAMMA = NumberControl("gamma", "Relaxation γ", 0.0, 1.0, 0.25,
                            "The model γ·(penalized fit) + (1 − γ)·(its features refitted without penalty): "
                            "1 = the lasso itself, 0 = the relaxed fit (glmnet's relax = TRUE, gamma).")
TEST_SHARE = NumberControl("test", "Test share", 0.0, 0.5, 0.05, "Rows held out to measure test error. 0 uses every row for training.")
SPLIT_SEED = NumberControl("seed", "Split seed", 0, 1_000_000, 1, "Same seed, same train/test split.")


def parse_number(raw: str | None, control: NumberControl, integer: bool = False) -> tuple[float | None, str | None]:
    """A link's text value for ``control``: ``(value, None)`` inside the widget's own range
    (snapped to its step), ``(None, None)`` when absent, ``(None, message)`` when unusable.

    Everything from a URL passes through here before it reaches a widget or a generator:
    a value outside the widget's range would raise inside Streamlit on every rerun.
    """
    if raw is None:
        return None, None
    try:
        value = float(raw)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value) or not control.low <= value <= control.high:
        shown = str(raw)[:40]
        return None, (f"The link's {control.short}={shown} is not usable: {control.label} must be a number from "
                      f"{control.low:g} to {control.high:g}. Kept the current value.")
    steps = round((value - control.low) / control.step)
    value = round(control.low + steps * control.step, 10)
    return (int(value) if integer else value), None


def synthetic_bounds(kind: str, params: dict) -> tuple[dict[str, float], dict]:
    """Each control's upper bound given the current ``params`` (a capped control follows its cap),
    and ``params`` with every value clipped into its bound (what the generator will use)."""
    defaults = synthetic_defaults(kind)
    current = {**defaults, **params}
    highs = {c.short: (min(c.high, current[c.at_most]) if c.at_most else c.high) for c in SYNTHETIC_CONTROLS[kind]}
    clipped = dict(params)
    for short, high in highs.items():
        if current[short] > high:  # a stored value, or a default the cap has moved below
            clipped[short] = type(current[short])(high)
    return highs, clipped


def synthetic_defaults(kind: str) -> dict[str, float]:
    """Default URL parameters of a generator, read from its signature (one source of truth)."""
    signature = inspect.signature(SYNTHETIC[kind])
    return {short: signature.parameters[keyword].default for short, (keyword, _) in SYNTHETIC_PARAMS[kind].items()}
