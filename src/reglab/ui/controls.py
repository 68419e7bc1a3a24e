"""Widget specifications shared by pages (labels, ranges, defaults), kept out of page scripts."""

from __future__ import annotations

import inspect
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


SYNTHETIC_CONTROLS: dict[str, tuple[NumberControl, ...]] = {
    "sparse": (
        NumberControl("n", "Rows (n)", 10, 20_000, 10, "Number of observations."),
        NumberControl("p", "Features (p)", 1, 500, 1, "Number of feature columns."),
        NumberControl("k", "Informative features", 0, 500, 1, "How many true coefficients are non-zero (x1, x2, …)."),
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
        NumberControl("k", "Informative groups", 0, 20, 1, "Groups that carry signal (shared equally by their members)."),
        NumberControl("noise", "Noise σ", 0.0, 100.0, 0.1, "Standard deviation of the noise."),
        NumberControl("seed", "Random seed", 0, 1_000_000, 1, "Same seed, same data."),
    ),
}


def synthetic_defaults(kind: str) -> dict[str, float]:
    """Default URL parameters of a generator, read from its signature (one source of truth)."""
    signature = inspect.signature(SYNTHETIC[kind])
    return {short: signature.parameters[keyword].default for short, (keyword, _) in SYNTHETIC_PARAMS[kind].items()}
