"""The seed articles' teaching math, in *their* convention (not the app's objective).

Seed convention (articles 000, 001, 003): a loss ``L`` plus a penalty, one plain gradient
(sub)step ``w ← w − η·∂L_total/∂w``::

    L2:          L_total = L + λ·Σ wⱼ²            ∂/∂wⱼ = ∂L/∂wⱼ + 2λ·wⱼ
    L1:          L_total = L + λ·Σ |wⱼ|           ∂/∂wⱼ = ∂L/∂wⱼ + λ·sign(wⱼ)   (sign(0) = 0)
    elastic net: L_total = L + λ₁·Σ|wⱼ| + λ₂·Σwⱼ²

Note the L2 penalty here is λΣw² (gradient 2λw), while the app's objective uses
λ(1−α)/2·‖w‖² — every number on the Learn page says which convention it uses.

Also here: one-variable gradient descent for ŷ = wx + b (equations 0–2 of seed 000),
the proximal (soft-thresholding) step, the geometry of Lp balls with a constrained
optimum, and polynomial fits for the bias–variance picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize_scalar

from .objective import Penalty

SeedPenalty = Literal["none", "l2", "l1", "elasticnet"]

#: The worked example of seed 003.
SEED_W = (2.5, -0.8, 0.1)
SEED_BASE_LOSS = 1.2
SEED_GRAD = (-0.2, 0.1, -0.05)
SEED_LAMBDA = 0.01
SEED_LR = 0.1


@dataclass(frozen=True)
class SeedStep:
    """One gradient step in the seed convention, with every intermediate quantity.

    Attributes
    ----------
    penalty_value : float
        The penalty term added to the loss (e.g. λΣw²).
    loss : float
        ``base_loss + penalty_value``.
    penalty_grad, full_grad, update, new_w : ndarray of shape (n_weights,)
        ∂penalty/∂w, ∂L_total/∂w, −η·∂L_total/∂w and the updated weights.
    """

    kind: SeedPenalty
    penalty_value: float
    loss: float
    penalty_grad: NDArray[np.float64]
    full_grad: NDArray[np.float64]
    update: NDArray[np.float64]
    new_w: NDArray[np.float64]


def seed_step(
    w: ArrayLike,
    base_loss: float,
    grad: ArrayLike,
    kind: SeedPenalty,
    lam: float = SEED_LAMBDA,
    lr: float = SEED_LR,
    lam1: float | None = None,
    lam2: float | None = None,
) -> SeedStep:
    """The penalized loss and one (sub)gradient step, as seed 003 computes them.

    ``kind="elasticnet"`` uses λ₁ = ``lam1`` and λ₂ = ``lam2`` (both default to ``lam``).
    """
    w = np.asarray(w, dtype=float)
    grad = np.asarray(grad, dtype=float)
    if kind == "none":
        value, pen_grad = 0.0, np.zeros_like(w)
    elif kind == "l2":
        value, pen_grad = lam * float(np.sum(w**2)), 2.0 * lam * w
    elif kind == "l1":
        value, pen_grad = lam * float(np.sum(np.abs(w))), lam * np.sign(w)
    elif kind == "elasticnet":
        l1 = lam if lam1 is None else lam1
        l2 = lam if lam2 is None else lam2
        value = l1 * float(np.sum(np.abs(w))) + l2 * float(np.sum(w**2))
        pen_grad = l1 * np.sign(w) + 2.0 * l2 * w
    else:
        raise ValueError(f"Unknown penalty {kind!r}: use 'none', 'l2', 'l1' or 'elasticnet'.")
    full = grad + pen_grad
    update = -lr * full
    return SeedStep(kind, value, base_loss + value, pen_grad, full, update, w + update)


# ----------------------------------------------------------------------------- one variable

ONE_VARIABLE_X = np.linspace(-1.0, 1.0, 21)
#: y = 0.15·x + 1 + small deterministic wiggle: a weak slope that a moderate L1 penalty removes.
ONE_VARIABLE_Y = 0.15 * ONE_VARIABLE_X + 1.0 + 0.05 * np.sin(7.0 * ONE_VARIABLE_X)


def descent_trajectories(
    x: ArrayLike = ONE_VARIABLE_X,
    y: ArrayLike = ONE_VARIABLE_Y,
    lam: float = 0.5,
    lr: float = 0.1,
    steps: int = 60,
    w0: float = 1.5,
    b0: float = 0.0,
) -> pd.DataFrame:
    """w over ``steps`` iterations of the seed's updates for ŷ = wx + b (loss: mean squared error).

    With ``H = mean 2x(wx + b − y)`` (seed 000's H, averaged over the sample):

    * no penalty (eq. 0):  ``w ← w − η·H``
    * L1 (eqs. 1.1/1.2):   ``w ← w − η·(H + λ·sign(w))`` — a subgradient step; it overshoots
      0 and chatters around it
    * L2 (eq. 2):          ``w ← w − η·(H + 2λw)`` — shrinks w geometrically, never to 0
    * L1 proximal:         ``w ← soft_threshold(w − η·H, η·λ)`` — lands exactly on 0

    The bias b is never penalized: ``b ← b − η·mean 2(wx + b − y)`` in every variant.
    Returns a tidy table: ``step``, ``method``, ``w``.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    l1_prox = Penalty.of("l1")
    rows = []
    for method in ("no penalty", "L2 (eq. 2)", "L1 subgradient (eq. 1)", "L1 proximal"):
        w, b = float(w0), float(b0)
        for step in range(steps + 1):
            rows.append((step, method, w))
            residual = w * x + b - y
            H = float(np.mean(2.0 * x * residual))
            db = float(np.mean(2.0 * residual))
            if method == "no penalty":
                w = w - lr * H
            elif method.startswith("L2"):
                w = w - lr * (H + 2.0 * lam * w)
            elif method.startswith("L1 sub"):
                w = w - lr * (H + lam * float(np.sign(w)))
            else:
                w = float(l1_prox.prox(np.array([w - lr * H]), lam, lr)[0])
            b = b - lr * db
    return pd.DataFrame(rows, columns=["step", "method", "w"])


def proximal_vs_subgradient(w: ArrayLike, grad: ArrayLike, lam: float, lr: float) -> tuple[NDArray, NDArray]:
    """One L1 step both ways (seed convention λΣ|w|): ``(subgradient result, proximal result)``.

    Proximal: ``soft_threshold(w − η·g, η·λ)``: exactly 0 wherever ``|w − η·g| ≤ η·λ``.
    """
    w = np.asarray(w, dtype=float)
    grad = np.asarray(grad, dtype=float)
    sub = w - lr * (grad + lam * np.sign(w))
    prox = Penalty.of("l1").prox(w - lr * grad, lam, lr)
    return sub, prox


# ----------------------------------------------------------------------------- geometry

BALLS = ("0.5", "1", "1.5", "2", "inf", "elastic net")
NON_CONVEX = {"0.5"}


def _norm(u: NDArray[np.float64], ball: str, l1_ratio: float) -> NDArray[np.float64]:
    """The 'size' of points u (shape (..., 2)) whose sublevel set is the ball of radius 1."""
    if ball == "inf":
        return np.abs(u).max(axis=-1)
    if ball == "elastic net":
        a = l1_ratio
        return a * np.abs(u).sum(axis=-1) + (1 - a) / 2 * (u**2).sum(axis=-1)
    p = float(ball)
    return (np.abs(u) ** p).sum(axis=-1) ** (1.0 / p)


def boundary_radius(directions: NDArray[np.float64], ball: str, t: float, l1_ratio: float = 0.5) -> NDArray[np.float64]:
    """Distance r along unit ``directions`` to the boundary ``‖r·u‖ = t`` of the ball."""
    if ball == "elastic net":
        a = l1_ratio
        l1 = np.abs(directions).sum(axis=-1)
        l2 = (directions**2).sum(axis=-1)
        if a == 1.0:
            return t / l1
        # (1−α)/2·l2·r² + α·l1·r − t = 0, positive root
        qa, qb = (1 - a) / 2 * l2, a * l1
        return (-qb + np.sqrt(qb**2 + 4 * qa * t)) / (2 * qa)
    return t / _norm(directions, ball, l1_ratio)


def ball_outline(ball: str, t: float, l1_ratio: float = 0.5, points: int = 721) -> pd.DataFrame:
    """Points around the boundary of {w : ‖w‖ ≤ t}, in drawing order (columns w1, w2, order)."""
    theta = np.linspace(0.0, 2 * np.pi, points)
    u = np.stack([np.cos(theta), np.sin(theta)], axis=-1)
    r = boundary_radius(u, ball, t, l1_ratio)
    return pd.DataFrame({"w1": r * u[:, 0], "w2": r * u[:, 1], "order": np.arange(points)})


@dataclass(frozen=True)
class Quadratic:
    """A 2-D quadratic loss ``L(w) = (w − center)ᵀ A (w − center)`` with A symmetric positive definite."""

    center: tuple[float, float]
    A: tuple[tuple[float, float], tuple[float, float]]

    def value(self, w: NDArray[np.float64]) -> NDArray[np.float64]:
        d = np.asarray(w, dtype=float) - np.asarray(self.center)
        return np.einsum("...i,ij,...j->...", d, np.asarray(self.A), d)

    def contour(self, level: float, points: int = 361) -> pd.DataFrame:
        """The ellipse ``L(w) = level``: center + √level · A^{-1/2}·(cos φ, sin φ)."""
        eigvals, V = np.linalg.eigh(np.asarray(self.A))
        phi = np.linspace(0, 2 * np.pi, points)
        circle = np.stack([np.cos(phi), np.sin(phi)])
        pts = np.asarray(self.center)[:, None] + np.sqrt(level) * (V @ (circle / np.sqrt(eigvals)[:, None]))
        return pd.DataFrame({"w1": pts[0], "w2": pts[1], "order": np.arange(points)})


#: Chosen so that at t = 1 the L1 ball's optimum is the corner (1, 0) while L2's is not on an axis.
DEFAULT_LOSS = Quadratic(center=(2.0, 0.6), A=((1.0, 0.3), (0.3, 1.0)))


def constrained_optimum(loss: Quadratic, ball: str, t: float, l1_ratio: float = 0.5) -> NDArray[np.float64]:
    """argmin L(w) subject to ‖w‖ ≤ t (any of :data:`BALLS`, non-convex p = 0.5 included).

    If the unconstrained minimum lies inside the ball it is the answer.  Otherwise the
    answer lies on the boundary (a convex loss has no other local minimum inside), found by
    a dense search over the boundary angle, refined by a bounded 1-D minimization; the
    axis points are tried exactly, so corner solutions of L1 come out with an exact 0.
    """
    center = np.asarray(loss.center, dtype=float)
    if _norm(center, ball, l1_ratio) <= t:
        return center

    def point(theta: float) -> NDArray[np.float64]:
        u = np.array([np.cos(theta), np.sin(theta)])
        return boundary_radius(u[None, :], ball, t, l1_ratio)[0] * u

    grid = np.linspace(0.0, 2 * np.pi, 7201)
    u = np.stack([np.cos(grid), np.sin(grid)], axis=-1)
    values = loss.value(boundary_radius(u, ball, t, l1_ratio)[:, None] * u)
    i = int(np.argmin(values))
    step = grid[1] - grid[0]
    refined = minimize_scalar(lambda th: float(loss.value(point(th))), bounds=(grid[i] - step, grid[i] + step),
                              method="bounded", options={"xatol": 1e-12})
    # Corners are tried exactly: the axis points (L1, p < 1) and the square's diagonal corners (p = ∞).
    corners = [np.array(u) for u in ((1.0, 0.0), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0),
                                     (1.0, 1.0), (1.0, -1.0), (-1.0, 1.0), (-1.0, -1.0))]
    corners = [c / np.linalg.norm(c) for c in corners]
    candidates = [point(refined.x)] + [boundary_radius(u[None, :], ball, t, l1_ratio)[0] * u for u in corners]
    return min(candidates, key=lambda w: float(loss.value(w)))


def ball_size(w: ArrayLike, ball: str, l1_ratio: float = 0.5) -> float:
    """‖w‖_p (or the elastic-net size α‖w‖₁ + (1−α)/2‖w‖²) of a point."""
    return float(_norm(np.asarray(w, dtype=float), ball, l1_ratio))


# ----------------------------------------------------------------------------- bias–variance picture


def noisy_sine_sample(n: int = 20, noise_sd: float = 0.25, seed: int = 1) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A small noisy sample of sin(πx) on [−1, 1] (the seed's under/over-fit picture)."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, n))
    return x, np.sin(np.pi * x) + noise_sd * rng.standard_normal(n)


def polynomial_fits(x: ArrayLike, y: ArrayLike, degrees: tuple[int, ...] = (), lambdas: tuple[float, ...] = (),
                    degree_for_lambdas: int = 12, grid_points: int = 200) -> pd.DataFrame:
    """Fitted curves on a grid of x: least squares by degree, or ridge by λ at a fixed high degree.

    Ridge uses the app's objective (standardized polynomial features, same λ as everywhere).
    Returns a tidy table ``x``, ``fit`` (its label), ``y``; the true curve is labelled "truth".
    """
    from .fitting import fit

    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    grid = np.linspace(x.min(), x.max(), grid_points)
    powers = lambda v, d: np.column_stack([v**k for k in range(1, d + 1)])  # noqa: E731
    parts = [pd.DataFrame({"x": grid, "fit": "truth: sin(πx)", "y": np.sin(np.pi * grid)})]
    for d in degrees:
        model = fit(powers(x, d), y, penalty="l2", lam=0.0)
        parts.append(pd.DataFrame({"x": grid, "fit": f"degree {d}", "y": model.predict(powers(grid, d))}))
    for lam in lambdas:
        model = fit(powers(x, degree_for_lambdas), y, penalty="l2", lam=lam)
        parts.append(pd.DataFrame({"x": grid, "fit": f"λ = {lam:g}", "y": model.predict(powers(grid, degree_for_lambdas))}))
    return pd.concat(parts, ignore_index=True)


#: Digits and the decimal point as subscripts, for labels such as ‖w‖₀.₅ (plain text: charts and
#: tables do not render LaTeX, and "‖w‖_1" would show its underscore).
_SUBSCRIPT = str.maketrans("0123456789.", "₀₁₂₃₄₅₆₇₈₉.")


def ball_label(ball: str) -> str:
    """Readable name of a constraint region: ‖w‖₁, ‖w‖₀.₅, ‖w‖∞ or "elastic net"."""
    if ball == "inf":
        return "‖w‖∞"
    if ball == "elastic net":
        return "elastic net"
    return "‖w‖" + str(ball).translate(_SUBSCRIPT)


def geometry(loss: Quadratic, balls: tuple[str, ...], t: float, l1_ratio: float = 0.5) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Tables for the geometry chart: loss contours, ball outlines, and the optima.

    The contour levels include the loss at each constrained optimum, so the picture shows
    the ellipse just touching each ball there (tangency, or a corner for L1).
    """
    names = {b: ball_label(b) for b in balls}
    optima_rows, outlines = [], []
    for b in balls:
        w = constrained_optimum(loss, b, t, l1_ratio)
        optima_rows.append({"ball": names[b], "w1": w[0], "w2": w[1], "loss": float(loss.value(w)),
                            "size": ball_size(w, b, l1_ratio), "exact zero": bool(np.any(w == 0.0)),
                            "convex": b not in NON_CONVEX})
        outlines.append(ball_outline(b, t, l1_ratio).assign(ball=names[b]))
    optima = pd.DataFrame(optima_rows)
    levels = sorted(set(np.round(list(optima["loss"]) + [0.05, 0.3, 1.0, 2.5], 10)))
    contours = pd.concat([loss.contour(level).assign(level=level) for level in levels if level > 0], ignore_index=True)
    return contours, pd.concat(outlines, ignore_index=True), optima


def seed_format(x: float) -> str:
    """A number as the seed prints it: up to 4 decimals, trailing zeros dropped, true minus sign."""
    text = f"{x:.4f}".rstrip("0").rstrip(".")
    text = "0" if text in ("-0", "") else text
    return text.replace("-", "−")
