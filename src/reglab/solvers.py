"""Solvers for the objective of :mod:`reglab.objective` on a :class:`~reglab.design.Design`.

* ridge (α = 0): closed form for every λ from one eigendecomposition of the p × p Gram
  matrix ``ZcᵀZc`` (or one thin SVD of ``Zc`` when p > n):
  ``w(λ) = (ZcᵀZc + nλ I)⁻¹ Zcᵀyc``;
* lasso / elastic net: covariance-mode coordinate descent over the whole path in one
  compiled call (:mod:`reglab.cd`: strong rules, active sets, an exact solve on a slowly
  converging active set), every λ then checked: KKT residual ≤ 1e-8 · λ_max
  (:data:`KKT_TOLERANCE`), else re-solved by scikit-learn's ``enet_path`` at a strict gap.

Also the default λ grid (glmnet's, extended for a ridge part) and the ridge part's
effective degrees of freedom.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import sklearn
from numpy.typing import ArrayLike, NDArray
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import enet_path

from . import cd, groupcd
from .design import RowDesign, Design, MultinomialDesign, softmax_hessian
from .errors import DataError
from .objective import ALPHA_FLOOR_FOR_GRID, Logistic, Penalty, Poisson, kkt_violation


#: Accuracy standard of the product: the KKT residual of everything shown, exported or returned
#: by the public API is at most this times λ_max (coefficients then agree with an exact
#: solution to ~1e-8 relative; measured against glmnet at thresh 1e-20).
KKT_TOLERANCE = 1e-8
#: Cross-validation's fold fits: the SE is a spread of fold errors, which amplifies a fold fit's error
#: ~100× (at 1e-8 it differed from cv.glmnet at thresh 1e-20 by 1.7e-8 relative; at 1e-10 by
#: < 1e-9). Costs 1.0× (10k × 50) to 1.3× (2k × 500) of 1e-8.
CV_KKT_TOLERANCE = 1e-10
#: Inside resampling (CV folds, bootstrap, stability), where only errors and selection counts are
#: read and no coefficient is shown, callers may pass this looser standard explicitly.
RESAMPLING_KKT_TOLERANCE = 1e-6
#: The compiled path solver aims at this share of the requested standard, so the independent
#: check (from the Gram, in a different order of operations) passes with room to spare.
_KERNEL_MARGIN = 0.1
#: Fallback for a λ the kernel leaves unconverged: scikit-learn's coordinate descent at this
#: duality-gap tolerance (then checked again, and the residual reported as it is).
_CD_TOL_STRICT = 1e-12
#: λ values on the warm-started approach from λ_max to a λ the kernel missed on its own.
_CONTINUATION_STEPS = 50
_CD_MAX_ITER = 100_000
#: The grid extends until the ridge part's effective df reaches this share of its unpenalized value.
GRID_DF_SHARE = 0.999
#: ...but never below λ_max times this (collinear designs need λ → 0 for the last bit of df).
GRID_FLOOR_RATIO = 1e-10


def lambda_grid(
    design: Design | RowDesign, penalty: Penalty, n_lambdas: int = 100, min_ratio: float | None = None, extend: bool = True
) -> NDArray[np.float64]:
    """The default λ grid, decreasing: glmnet's, extended where a ridge part still shrinks.

    glmnet's grid: ``n_lambdas`` values log-spaced from λ_max down to λ_max·ratio, with
    ratio 1e-4 when n ≥ p and 1e-2 when n < p (glmnet's ``nobs < nvars``);
    λ_max is :meth:`Penalty.lambda_max` of ``Zcᵀyc / n``.

    With ``extend`` (the default) and a ridge part (α < 1), the grid continues at the same
    log spacing while the ridge part's effective degrees of freedom
    ``Σᵢ eᵢ / (eᵢ + nλ(1−α))`` (eᵢ the eigenvalues of ``ZcᵀZc``) are below
    ``GRID_DF_SHARE`` of the unpenalized ``rank(Zc)``, down to λ_max·``GRID_FLOOR_RATIO``.
    glmnet's ridge grid starts at λ_max/0.001 and stops 1e-4 below it, where on real data the
    ridge fit still has a fraction of its degrees of freedom and its CV error is still falling:
    without the extension the ridge's best λ lies outside the range (the lasso's never does:
    α = 1 is not extended). ``extend=False`` gives glmnet's grid exactly.
    """
    lam_max = design.grid_top(penalty)
    if not np.isfinite(lam_max) or lam_max <= 0.0:
        raise DataError(
            "No feature varies together with the target (the target or every feature is constant), "
            "so there is nothing for regularization to do. Choose another target or other features."
        )
    if min_ratio is None:
        min_ratio = 1e-4 if design.n_samples >= design.n_features else 1e-2
    if n_lambdas < 1:
        raise ValueError("n_lambdas must be at least 1.")
    if n_lambdas == 1:
        return np.array([lam_max])
    grid = np.geomspace(lam_max, lam_max * min_ratio, num=n_lambdas)
    if not extend or penalty.alpha >= 1.0:
        return grid
    lam_needed = _lambda_for_ridge_df(design, penalty, GRID_DF_SHARE, lam_max * GRID_FLOOR_RATIO)
    if lam_needed is None or lam_needed >= grid[-1]:
        return grid
    step = np.log(grid[0] / grid[1])
    extra = int(np.ceil(np.log(grid[-1] / lam_needed) / step))
    return lam_max * np.exp(-step * np.arange(n_lambdas + extra))


def ridge_spectrum(design: Design | RowDesign) -> NDArray[np.float64] | None:
    """Eigenvalues of ``ZcᵀZc`` (from the ridge basis, computed once per design), or None
    when the design was built from counts with p > n (no rows to decompose).

    For a classifier, of the log-loss's Hessian (× n) at the null model, ``ZᵀCZ·ȳ(1 − ȳ)``:
    the ridge part's df then measure how far the fit is from unpenalized near that model. For
    K classes, of the class block with the largest curvature ``maxₖ sₖ(1 − sₖ)`` (sₖ the class
    shares): the block whose ridge part needs the smallest λ to let go.
    """
    if isinstance(design, RowDesign):
        return design.null_spectrum
    return design.gram_spectrum


def ridge_df(spectrum: NDArray[np.float64], n: int, lam_ridge: float) -> float:
    """Effective degrees of freedom of a ridge fit, ``Σᵢ eᵢ / (eᵢ + n·λ_ridge)`` (0 … rank)."""
    return float(np.sum(spectrum / (spectrum + n * lam_ridge))) if lam_ridge > 0 else float(np.count_nonzero(spectrum))


def _lambda_for_ridge_df(design: Design | RowDesign, penalty: Penalty, share: float, floor: float) -> float | None:
    """The λ at which the ridge part's df reaches ``share`` of rank(Zc) (bisection in log λ), ≥ ``floor``."""
    spectrum = ridge_spectrum(design)
    if spectrum is None or not spectrum.size or spectrum.max() <= 0:
        return None
    spectrum = spectrum[spectrum > 1e-10 * spectrum.max()]  # numerically zero directions add no df
    target, n, ridge_part = share * spectrum.size, design.n_samples, 1.0 - penalty.alpha
    if ridge_df(spectrum, n, floor * ridge_part) < target:
        return floor
    low, high = np.log(floor), np.log(design.lambda_max(penalty))
    for _ in range(60):  # df decreases in λ: bisection to ~1e-16 relative in log λ
        mid = 0.5 * (low + high)
        if ridge_df(spectrum, n, np.exp(mid) * ridge_part) >= target:
            low = mid
        else:
            high = mid
    return float(np.exp(low))


def _ridge_weights(design: Design, lambdas: NDArray[np.float64]) -> NDArray[np.float64]:
    """Closed-form ridge weights for every λ, shape (n_lambdas, p).

    ``w(λ) = (G + nλI)⁻¹ Zcᵀyc``.  With ``G = V diag(e) Vᵀ``:
    ``w(λ) = V diag(1/(e + nλ)) Vᵀ zy``; when p > n the thin SVD ``Zc = U S Vᵀ`` is cheaper:
    ``w(λ) = V diag(s/(s² + nλ)) Uᵀ yc``.  At λ = 0 the minimum-norm least-squares solution.
    """
    n = design.n_samples
    kind, spectrum, V, rotated = design.ridge_basis
    shrink_eps = 1e-12 * (spectrum.max() if spectrum.size else 1.0)
    weights = np.empty((len(lambdas), design.n_features))
    for i, lam in enumerate(lambdas):
        if kind == "eig":
            denom = spectrum + n * lam
            factor = np.divide(1.0, denom, out=np.zeros_like(denom), where=denom > shrink_eps)
        else:
            denom = spectrum**2 + n * lam
            factor = np.divide(spectrum, denom, out=np.zeros_like(denom), where=denom > shrink_eps**2)
        weights[i] = V @ (factor * rotated)
    return weights


def gradient_scale(design: Design | RowDesign, penalty: Penalty) -> float:
    """``maxⱼ |∇ⱼ|/fⱼ`` at the null model, i.e. λ_max at α = 1: what the solvers aim their KKT
    target at (× the tolerance). For α = 1 it is λ_max; for a ridge part it is stricter than
    λ_max (= this / max(α, 0.001)), so a ridge-like fit's weights and intercept are as exact as
    a lasso's rather than 1/α times looser."""
    return max(design.lambda_max(penalty) * max(penalty.alpha, ALPHA_FLOOR_FOR_GRID), 1e-300)


def _solver_inputs(design: Design) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """X and y as ``enet_path`` needs them in Gram mode.

    With a precomputed Gram and ``Xy``, scikit-learn's Gram coordinate descent reads only X's
    shape and y's squared norm (for its duality-gap scaling), so it gets a zero-stride X of the
    right shape and a vector with the right norm; the KKT check after solving verifies the
    result either way.
    """
    placeholder = np.broadcast_to(np.zeros(1), (design.n_samples, design.n_features))
    y_equivalent = np.zeros(design.n_samples)
    y_equivalent[0] = np.sqrt(design.yy)
    return placeholder, y_equivalent


def _cd_weights(
    design: Design, penalty: Penalty, lambdas: NDArray[np.float64], w_init: NDArray[np.float64] | None = None,
    kkt_tolerance: float = KKT_TOLERANCE, progress: Callable[[float], None] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The compiled path solver (:mod:`reglab.cd`; ``progress`` as in :func:`reglab.cd.solve_path`),
    then every λ checked against ``kkt_tolerance``.

    Any λ whose KKT residual exceeds ``kkt_tolerance · λ_max`` is solved again: first along a
    path of its own from λ_max (a lone λ far below the grid — p > n, nearly interpolating — is
    where coordinate descent without a warm start wanders between supports), then by
    scikit-learn's coordinate descent at a strict duality gap. The accuracy is verified, not
    assumed from a solver's stopping rule. Returns the weights and their KKT residuals
    (absolute, as :func:`kkt_residuals`).
    """
    limit = kkt_tolerance * gradient_scale(design, penalty)
    order = np.argsort(-lambdas, kind="stable")
    factors = penalty.factor_array(design.n_features)
    box = penalty.box(design.x_scale)
    solved, _ = cd.solve_path(design.gram, design.zy, design.n_samples, lambdas[order], penalty.alpha, factors,
                              w_start=w_init, kkt_target=_KERNEL_MARGIN * limit, box=box, progress=progress)
    weights = np.empty((len(lambdas), design.n_features))
    weights[order] = solved
    kkt = kkt_residuals(design, penalty, lambdas, weights)
    lam_max = design.lambda_max(penalty)
    for i in np.flatnonzero(kkt > limit):
        if lambdas[i] < lam_max:
            approach = np.geomspace(lam_max, lambdas[i], _CONTINUATION_STEPS)
            weights[i] = cd.solve_path(design.gram, design.zy, design.n_samples, approach, penalty.alpha, factors,
                                       kkt_target=_KERNEL_MARGIN * limit, box=box)[0][-1]
            kkt[i] = kkt_residuals(design, penalty, lambdas[i : i + 1], weights[i : i + 1])[0]
        plain = penalty.factors is None and box is None  # scikit-learn and LARS have no factors or limits
        if kkt[i] > limit and plain:
            weights[i] = _cd_run(design, penalty, lambdas[i : i + 1], weights[i], _CD_TOL_STRICT)[0]
            kkt[i] = kkt_residuals(design, penalty, lambdas[i : i + 1], weights[i : i + 1])[0]
        if kkt[i] > limit and plain:
            candidate = _lars_weights(design, penalty, float(lambdas[i]))
            residual = kkt_residuals(design, penalty, lambdas[i : i + 1], candidate[None, :])[0]
            if residual < kkt[i]:
                weights[i], kkt[i] = candidate, residual
    return weights, kkt


def _group_weights(
    design: Design, penalty: Penalty, lambdas: NDArray[np.float64], w_init: NDArray[np.float64] | None,
    kkt_tolerance: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The group elastic net on the Gram (:func:`reglab.groupcd.group_path`), every λ then checked
    against ``kkt_tolerance`` (the group KKT conditions); a λ that misses is solved again along a
    path of its own from λ_max. Returns the weights and their KKT residuals."""
    p, n = design.n_features, design.n_samples
    limit = kkt_tolerance * gradient_scale(design, penalty)
    order, starts, omega = penalty.group_structure(p)
    eigvals, eigvecs = _group_blocks(design.gram / n, order, starts)

    def run(grid, start):
        return groupcd.group_path(design.gram, design.zy, n, np.ascontiguousarray(grid), penalty.alpha, omega, order,
                                  starts, eigvals, eigvecs, start, _KERNEL_MARGIN * limit, _GROUP_MAX_SWEEPS)[0]

    rank = np.argsort(-lambdas, kind="stable")
    weights = np.empty((len(lambdas), p))
    weights[rank] = run(lambdas[rank], np.zeros(p) if w_init is None else np.array(w_init, dtype=float))
    kkt = kkt_residuals(design, penalty, lambdas, weights)
    lam_max = design.lambda_max(penalty)
    for i in np.flatnonzero(kkt > limit):
        approach = np.geomspace(max(lam_max, lambdas[i]), lambdas[i], _CONTINUATION_STEPS)
        weights[i] = run(approach, np.zeros(p))[-1]
        kkt[i] = kkt_residuals(design, penalty, lambdas[i : i + 1], weights[i : i + 1])[0]
    return weights, kkt


#: Sweeps over the groups per λ before the group solver gives up (the KKT check then reports it).
_GROUP_MAX_SWEEPS = 100_000


def _group_blocks(hessian: NDArray[np.float64], order: NDArray[np.int64], starts: NDArray[np.int64]
                  ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The eigendecomposition of each group's diagonal block of ``hessian``, padded to the largest
    group: ``eigvals[g, :k]``, ``eigvecs[g, :k, :k]`` (what :func:`reglab.groupcd.group_path` reads)."""
    sizes = np.diff(starts)
    eigvals = np.zeros((len(sizes), int(sizes.max())))
    eigvecs = np.zeros((len(sizes), int(sizes.max()), int(sizes.max())))
    for g, (a, b) in enumerate(zip(starts[:-1], starts[1:])):
        members = order[a:b]
        vals, vecs = np.linalg.eigh(hessian[np.ix_(members, members)])
        eigvals[g, : b - a], eigvecs[g, : b - a, : b - a] = np.maximum(vals, 0.0), vecs
    return eigvals, eigvecs


#: Proximal Newton steps per λ for grouped logistic regression (quadratic convergence: a handful are used).
_GROUP_NEWTON_STEPS = 50


def _group_rows_solution(
    design: RowDesign, penalty: Penalty, lambdas: NDArray[np.float64],
    w_init: NDArray[np.float64] | None, kkt_tolerance: float,
) -> Solution:
    """Grouped logistic or Poisson regression by proximal Newton, warm-started along the λ grid.

    At (b, w) the datafit is replaced by its second-order model (Hessian weights
    hᵢ = cᵢ·∂²ℓ/∂η²(ηᵢ)/n: pᵢ(1 − pᵢ) for the log-loss, μᵢ for counts, from
    ``datafit.hessian_weights``; η includes the rows' offset); the intercept is eliminated exactly
    (the features centred at their h-weighted means: the Schur complement), and the model's group
    elastic net is solved to rounding by the group solver (:func:`reglab.groupcd.group_path` on
    H = Z̃ᵀdiag(h)Z̃). The step to that solution is then halved until the true objective decreases
    enough (Armijo), which makes the iteration converge from any start; near the optimum full steps
    are taken and convergence is quadratic. Every λ stops once its KKT residual (from the rows) is
    under a tenth of ``kkt_tolerance``·λ_max (the margin every kernel here keeps), then is checked again.
    Hand-written for the same reason as the group solver: no installed library fits a grouped
    logistic or Poisson model with glmnet's conventions."""
    p, n = design.n_features, design.n_samples
    limit = kkt_tolerance * gradient_scale(design, penalty)
    order, starts, omega = penalty.group_structure(p)
    Zt, y, c, offset = design.Zt, design.y, design.c, design.eta_offset
    datafit = design.datafit
    w = np.zeros(p) if w_init is None else np.array(w_init, dtype=float)
    b = design.null_intercept()

    def objective(b_, w_, lam):
        return datafit.value(y, offset + b_ + w_ @ Zt, c) + lam * penalty.value(w_)

    weights, intercepts = np.empty((len(lambdas), p)), np.empty(len(lambdas))
    for i in np.argsort(-lambdas, kind="stable"):
        lam = float(lambdas[i])
        for _ in range(_GROUP_NEWTON_STEPS):
            eta = offset + b + w @ Zt
            r = datafit.gradient(y, eta, c)  # ∂F/∂η
            residual = kkt_violation(penalty, w[None], (Zt @ r)[None], [lam],
                                     [r.sum()] if design.intercept else None)[0]
            if residual <= _KERNEL_MARGIN * limit:
                break
            h = np.maximum(c * datafit.hessian_weights(eta) / n, 1e-300)
            mean = Zt @ h / h.sum() if design.intercept else np.zeros(p)
            centred = Zt - mean[:, None]
            hessian = (centred * h) @ centred.T
            reduced_gradient = Zt @ r - mean * (r.sum() if design.intercept else 0.0)
            eigvals, eigvecs = _group_blocks(hessian, order, starts)
            target = _KERNEL_MARGIN**2 * limit  # the model is solved well below the outer target
            w_model = groupcd.group_path(n * hessian, n * (hessian @ w - reduced_gradient), n, np.array([lam]),
                                         penalty.alpha, omega, order, starts, eigvals, eigvecs, w, target,
                                         _GROUP_MAX_SWEEPS)[0][0]
            step_w = w_model - w
            step_b = -(r.sum() + h @ (step_w @ Zt)) / h.sum() if design.intercept else 0.0
            # Armijo on the composite objective: predicted decrease gᵀΔ + λ(P(w + Δ) − P(w)) < 0. Near
            # the optimum the decrease falls below the objective's rounding: a step within that slack is
            # taken (Newton's full steps converge there), else the KKT target could never be reached.
            before = objective(b, w, lam)
            predicted = (float(Zt @ r @ step_w) + float(r.sum()) * step_b
                         + lam * (penalty.value(w_model) - penalty.value(w)))
            slack = 1e-12 * abs(before)
            t = 1.0
            while (t > 1e-10 and objective(b + t * step_b, w + t * step_w, lam)
                   > before + 1e-4 * t * min(predicted, 0.0) + slack):
                t *= 0.5
            if t <= 1e-10:  # no decrease left to find: rounding level
                break
            b, w = b + t * step_b, w + t * step_w
        weights[i], intercepts[i] = w, b
    return Solution(weights, intercepts, kkt_residuals(design, penalty, lambdas, weights, intercepts))


def _lars_weights(design: Design, penalty: Penalty, lam: float) -> NDArray[np.float64]:
    """The elastic net at one λ by LARS–lasso homotopy (scikit-learn's ``lars_path_gram``): exact up
    to rounding however collinear or p > n the design, where coordinate descent crawls. The ridge
    part joins the Gram (``G + nλ(1−α)I``, Zou & Hastie's augmentation); LARS's α is then λα in
    our units (both minimize 1/(2n)‖y − Zw‖² + α‖w‖₁). The last resort of :func:`_cd_weights`."""
    from sklearn.linear_model import lars_path_gram

    n = design.n_samples
    gram = design.gram + n * lam * (1.0 - penalty.alpha) * np.eye(design.n_features)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _, _, coefs = lars_path_gram(Xy=design.zy, Gram=gram, n_samples=n, alpha_min=lam * penalty.alpha,
                                     method="lasso", max_iter=50 * design.n_features, eps=1e-16)
    return coefs[:, -1]


def _cd_run(
    design: Design, penalty: Penalty, lambdas: NDArray[np.float64], w_init: NDArray[np.float64] | None, tol: float
) -> NDArray[np.float64]:
    """Lasso/elastic-net weights via scikit-learn's Gram coordinate descent, warm-started (the fallback).

    ``enet_path`` minimizes ``1/(2n)‖y − Xw‖² + λα‖w‖₁ + λ(1−α)/2‖w‖²`` with ``alpha=λ`` and
    ``l1_ratio=α``: exactly our objective on centered data.  Inputs are validated once in
    :func:`prepare`, so its checks and copies are skipped (``check_input=False``), and so is
    its parameter validation (~0.1 ms a call: most of a one-λ slider refit).
    """
    order = np.argsort(-lambdas, kind="stable")
    with warnings.catch_warnings(), sklearn.config_context(skip_parameter_validation=True):
        warnings.simplefilter("ignore", ConvergenceWarning)
        X_arg, y_arg = _solver_inputs(design)
        _, coefs, _ = enet_path(
            X_arg,
            y_arg,
            l1_ratio=penalty.alpha,
            alphas=lambdas[order],
            precompute=design.gram,
            Xy=design.zy,
            check_input=False,
            # enet_path updates coef_init in place: pass a copy, so a warm start taken from a
            # (shared, cached) path row never changes that path.
            coef_init=None if w_init is None else np.array(w_init, dtype=float, order="F", copy=True),
            tol=tol,
            max_iter=_CD_MAX_ITER,
        )
    weights = np.empty((len(lambdas), design.n_features))
    weights[order] = coefs.T
    return weights


class Solution(NamedTuple):
    """Solutions at k values of λ, in the solver's coordinates (see ``design.to_original``)."""

    weights: NDArray[np.float64]     # (k, p) standardized weights w
    intercepts: NDArray[np.float64]  # (k,) intercept b of η = b + Zw (centered Z)
    kkt: NDArray[np.float64]         # (k,) KKT residual, absolute (gradient units)


def solve(
    design: Design | RowDesign, penalty: Penalty, lambdas: ArrayLike,
    w_init: NDArray[np.float64] | None = None, kkt_tolerance: float = KKT_TOLERANCE,
) -> NDArray[np.float64]:
    """Solver weights ``w`` (objective coordinates) at each λ; shape (n_lambdas, n_features).

    Every λ meets ``KKT residual ≤ kkt_tolerance · λ_max``: by default the product's standard
    (:data:`KKT_TOLERANCE`); resampling loops, whose outputs are errors or selection
    frequencies, may pass :data:`RESAMPLING_KKT_TOLERANCE` explicitly.
    """
    return solve_with_residuals(design, penalty, lambdas, w_init, kkt_tolerance).weights


def solve_with_residuals(
    design: Design | RowDesign, penalty: Penalty, lambdas: ArrayLike,
    w_init: NDArray[np.float64] | None, kkt_tolerance: float = KKT_TOLERANCE,
    progress: Callable[[float], None] | None = None,
) -> Solution:
    """:func:`solve` with the intercepts and the KKT residual of each λ (computed once, used for
    the check and the report). Dispatches on the design's datafit: least squares on the Gram,
    the log-loss or the Poisson loss on the rows (:func:`_rows_solution`), the multinomial on its own.
    ``progress`` (share of λ solved) is reported by the least-squares lasso/elastic-net path only
    (see :func:`reglab.fitting.path_design` for the others)."""
    lambdas = np.atleast_1d(np.asarray(lambdas, dtype=float))
    if np.any(~np.isfinite(lambdas)) or np.any(lambdas < 0):
        raise ValueError("λ must be a finite number ≥ 0.")
    if isinstance(design, RowDesign):
        if penalty.grouped and not design.datafit.groupable:
            raise ValueError(f"Grouped features are not offered for {design.datafit.model_name} here: use least "
                             "squares, two-class logistic or Poisson regression (family='gaussian', 'binomial' or "
                             "'poisson').")
        if np.any(lambdas == 0):
            raise ValueError(f"λ must be > 0 for {design.datafit.model_name} (without a penalty the fit may have no "
                             "finite solution: separable classes, or a feature seen only with counts of 0).")
        if isinstance(design, MultinomialDesign):
            return _multinomial_solution(design, penalty, lambdas, w_init, kkt_tolerance)
        if penalty.grouped:
            return _group_rows_solution(design, penalty, lambdas, w_init, kkt_tolerance)
        return _rows_solution(design, penalty, lambdas, w_init, kkt_tolerance)
    intercepts = design.solver_intercepts(len(lambdas))
    if penalty.grouped:
        if np.any(lambdas == 0):
            raise ValueError("λ must be > 0 for a grouped penalty.")
        weights, kkt = _group_weights(design, penalty, lambdas, w_init, kkt_tolerance)
        return Solution(weights, intercepts, kkt)
    uniform = penalty.factors is None or len(set(penalty.factors)) == 1
    if penalty.alpha == 0.0 and not penalty.bounded and (uniform or np.all(lambdas == 0)):
        # closed form (equal factors, rescaled to 1, are no factors; at λ = 0 nothing is penalized)
        weights = _ridge_weights(design, lambdas)
        return Solution(weights, intercepts, kkt_residuals(design, penalty, lambdas, weights))
    if np.any(lambdas == 0):
        raise ValueError("λ must be > 0 for the l1 and elastic-net penalties.")
    weights, kkt = _cd_weights(design, penalty, lambdas, w_init, kkt_tolerance, progress)
    return Solution(weights, intercepts, kkt)


#: Newton steps per working set and λ for the logistic kernel (a handful are used; quadratic convergence).
_MAX_NEWTON = 100
#: The row kernel's datafit hook (:func:`reglab.cd.glm_path_rows`): each row datafit's code there.
_ROW_KERNELS = {Logistic: cd.LOGISTIC, Poisson: cd.POISSON}


def _rows_solution(
    design: RowDesign, penalty: Penalty, lambdas: NDArray[np.float64],
    w_init: NDArray[np.float64] | None, kkt_tolerance: float,
) -> Solution:
    """A two-class logistic or a Poisson path (no per-class weights) by the compiled proximal-Newton
    kernel (:func:`reglab.cd.glm_path_rows`, the datafit by its code), every λ then
    checked against ``kkt_tolerance · λ_max`` from the rows; a λ that misses is solved again
    along a path of its own from λ_max (warm starts are what keep Newton in its fast region)."""
    lam_max = design.lambda_max(penalty)
    limit = kkt_tolerance * gradient_scale(design, penalty)
    factors = penalty.factor_array(design.n_features)
    order = np.argsort(-lambdas, kind="stable")
    start = np.zeros(design.n_features) if w_init is None else np.array(w_init, dtype=float)

    code = _ROW_KERNELS[type(design.datafit)]
    offset = design.eta_offset
    lower, upper = penalty.box(design.x_scale) or cd.unbounded(design.n_features)

    def run(grid, w_start):
        return cd.glm_path_rows(design.Zt, design.y, design.c, np.ascontiguousarray(grid), penalty.alpha,
                                factors, design.intercept, w_start, design.null_intercept(),
                                _KERNEL_MARGIN * limit, _MAX_NEWTON, code, offset, lower, upper)

    solved_w, solved_b, _ = run(lambdas[order], start)
    weights = np.empty((len(lambdas), design.n_features))
    intercepts = np.empty(len(lambdas))
    weights[order], intercepts[order] = solved_w, solved_b
    kkt = kkt_residuals(design, penalty, lambdas, weights, intercepts)
    for i in np.flatnonzero(kkt > limit):
        approach = np.geomspace(max(lam_max, lambdas[i]), lambdas[i], _CONTINUATION_STEPS)
        w_path, b_path, _ = run(approach, np.zeros(design.n_features))
        weights[i], intercepts[i] = w_path[-1], b_path[-1]
        kkt[i] = kkt_residuals(design, penalty, lambdas[i : i + 1], weights[i : i + 1], intercepts[i : i + 1])[0]
    return Solution(weights, intercepts, kkt)


#: Block cycles over the classes per working set and λ for the multinomial kernel (its linear rate is
#: slow on nearly separable classes: what is left after these, a joint Newton step finishes).
_MAX_CYCLES = 30


def _multinomial_solution(
    design: MultinomialDesign, penalty: Penalty, lambdas: NDArray[np.float64],
    w_init: NDArray[np.float64] | None, kkt_tolerance: float,
) -> Solution:
    """The compiled multinomial path (:func:`reglab.cd.multinomial_path_rows`, block proximal Newton
    over the classes), every λ then checked from the rows; one short of 1e-2 of the standard gets
    joint Newton steps on the full Hessian where that is bounded (:func:`_joint_newton`). Weights
    have shape (k, K, p), intercepts (k, K)."""
    limit = kkt_tolerance * gradient_scale(design, penalty)
    factors = penalty.factor_array(design.n_features)
    K, p = design.n_classes, design.n_features
    order = np.argsort(-lambdas, kind="stable")
    start = np.zeros((K, p)) if w_init is None else np.array(w_init, dtype=float).reshape(K, p)

    box = penalty.box(design.x_scale)
    lower, upper = box or cd.unbounded(p)

    def run(grid, w_start):
        return cd.multinomial_path_rows(design.Zt, design.y, design.c, np.ascontiguousarray(grid), penalty.alpha,
                                        factors, design.intercept, w_start, design.null_intercept(),
                                        _KERNEL_MARGIN * limit, _MAX_CYCLES, lower, upper)

    solved_w, solved_b, _ = run(lambdas[order], start)
    weights = np.empty((len(lambdas), K, p))
    intercepts = np.empty((len(lambdas), K))
    weights[order], intercepts[order] = solved_w, solved_b
    kkt = kkt_residuals(design, penalty, lambdas, weights, intercepts)
    # Nearly separable classes make the log-loss flat: weights meeting the KKT standard can still
    # differ in the 6th digit. Joint Newton steps (quadratic) take every λ well below it.
    polish = K * (p + 1) <= _JOINT_NEWTON_MAX_SIZE  # the full Hessian is K(p+1) square: bounded before it is formed

    def finish(i: int, w: NDArray[np.float64], b: NDArray[np.float64]) -> None:
        if polish:
            w, b = _joint_newton(design, penalty, float(lambdas[i]), w, b, _MULTINOMIAL_POLISH * limit)
        residual = kkt_residuals(design, penalty, lambdas[i : i + 1], w[None], b[None])[0]
        if residual < kkt[i]:
            weights[i], intercepts[i], kkt[i] = w, b, residual

    for i in np.flatnonzero(kkt > _MULTINOMIAL_POLISH * limit):
        finish(i, weights[i], intercepts[i])
    # A λ still short (a cold start far below λ_max, where Newton starts outside its fast region):
    # solved again along a warm-started path of its own from λ_max, as the binary solver does.
    lam_max = design.lambda_max(penalty)
    for i in np.flatnonzero(kkt > limit):
        approach = np.geomspace(max(lam_max, lambdas[i]), lambdas[i], _CONTINUATION_STEPS)
        w_path, b_path, _ = run(approach, np.zeros((K, p)))
        finish(i, w_path[-1], b_path[-1])
    if box is not None:  # limits fix which shifts are feasible: the solution is reported as solved
        return Solution(weights, intercepts, kkt)
    # An unpenalized feature's weights are unique only up to a shift shared by the classes (the
    # softmax ignores it): reported centred over the classes, as glmnet's (η and the KKT unchanged).
    free = factors == 0.0
    if free.any():
        weights[:, :, free] -= weights[:, :, free].mean(axis=1, keepdims=True)
    if penalty.alpha == 1.0 and K % 2 == 0:
        # The lasso's shift is not unique either: Σₖ|wₖⱼ − c| is flat for c between the two middle
        # weights of an even number of classes. glmnet reports the midpoint (its Fortran `elc`);
        # so do we. Every point of that interval is optimal: η, the objective and the KKT hold.
        ordered = np.sort(weights[:, :, ~free], axis=1)
        weights[:, :, ~free] -= 0.5 * (ordered[:, K // 2 - 1] + ordered[:, K // 2])[:, None, :]
    return Solution(weights, intercepts, kkt)


#: Joint Newton steps allowed to finish a multinomial λ the block cycles left short of the target.
_JOINT_NEWTON_STEPS = 40
#: Multinomial solutions are polished to this share of the KKT standard (see _multinomial_solution).
_MULTINOMIAL_POLISH = 1e-2
#: Largest K·(p + 1) for the joint Newton polish: its Hessian is that square (1,500² doubles = 18 MB);
#: larger models keep the block cycles' solution (checked and reported like every other).
_JOINT_NEWTON_MAX_SIZE = 1_500


def _joint_newton(design: MultinomialDesign, penalty: Penalty, lam: float, W: NDArray[np.float64],
                  b: NDArray[np.float64], limit: float) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Finish a multinomial solution with proximal Newton steps on all classes at once.

    Block cycles over the classes converge linearly, slowly on nearly separable data; the joint
    step uses the full Hessian ``(1/n)·Σᵢ cᵢ(diag pᵢ − pᵢpᵢᵀ) ⊗ z̃ᵢz̃ᵢᵀ`` (z̃ = [z, 1]; K(p+1)
    square: small for the tables a multinomial model is fitted on) and converges quadratically.
    Each step is an exact Gram elastic net (the intercepts unpenalized), then a backtracking
    step on the true objective.
    """
    K, p = W.shape
    n = design.n_samples
    Z1 = np.vstack([design.Zt, np.ones((1, n)) if design.intercept else np.zeros((1, n))]).T  # n × (p+1)
    onehot = np.eye(K)[design.y.astype(int)]
    factors = np.tile(np.append(penalty.factor_array(p), 0.0), K)
    limits = penalty.box(design.x_scale)  # each class's weights bounded alike, the intercepts free
    box = None if limits is None else tuple(np.tile(np.append(side, free), K)
                                            for side, free in zip(limits, (-np.inf, np.inf)))
    datafit = design.datafit

    def state(v):
        Wv, bv = v.reshape(K, p + 1)[:, :p], v.reshape(K, p + 1)[:, p]
        eta = design.Zt.T @ Wv.T + bv
        return eta, datafit.value(design.y, eta, design.c) + lam * penalty.value(Wv)

    def gradient_and_violation(v, eta):
        prob = datafit.response(eta)
        grad = (Z1.T @ (design.c[:, None] * (prob - onehot) / n)).T  # (K, p+1)
        violation = kkt_violation(penalty, v.reshape(K, p + 1)[None, :, :p], grad[None, :, :p], [lam],
                                  grad[None, :, p] if design.intercept else None, limits)[0]
        return prob, grad.ravel(), violation

    v = np.column_stack([W, b]).ravel()
    best, best_violation = v, np.inf
    for _ in range(_JOINT_NEWTON_STEPS + 1):  # the last pass only measures the last step
        eta, objective = state(v)
        prob, grad, violation = gradient_and_violation(v, eta)
        if violation < best_violation:  # the violation need not fall at every step (flat directions): keep the best
            best, best_violation = v, violation
        if violation <= limit:
            break
        gram = n * softmax_hessian(Z1.T, design.c, prob)
        zy = gram @ v - n * grad
        solved, _ = cd.solve_path(gram, zy, n, np.array([lam]), penalty.alpha, factors, w_start=v, box=box,
                                  kkt_target=0.1 * limit)
        step = solved[0] - v
        t = 1.0
        while t > 1e-10:
            if state(v + t * step)[1] <= objective + 1e-12 * abs(objective):
                break
            t *= 0.5
        if t <= 1e-10:  # no step lowers the objective: rounding has the last word
            break
        v = v + t * step
    out = best.reshape(K, p + 1)
    b_out = out[:, p] - out[:, p].mean() if design.intercept else np.zeros(K)
    return out[:, :p].copy(), b_out


def kkt_residuals(design: Design | RowDesign, penalty: Penalty, lambdas: NDArray[np.float64],
                  weights: NDArray[np.float64], intercepts: NDArray[np.float64] | None = None) -> NDArray[np.float64]:
    """KKT residual of each row of ``weights`` at its λ: the design's datafit gradient
    (``design.gradients``: from the Gram for least squares, from the rows otherwise) judged by the one
    check, :func:`reglab.objective.kkt_violation`."""
    weights = np.asarray(weights, dtype=float)
    grads, intercept_grads = design.gradients(weights, intercepts)
    return kkt_violation(penalty, weights, grads, lambdas, intercept_grads, penalty.box(design.x_scale))
