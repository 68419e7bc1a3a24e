"""Block coordinate descent for the group elastic net on the Gram (least squares), compiled.

Objective, on standardized centred features (as every least-squares fit here)::

    1/(2n)‖y − Zw‖² + λ Σ_g ω_g (α‖w_g‖₂ + (1−α)/2 ‖w_g‖₂²),   ω_g = f_g·√|g|

(f_g the group's penalty factor; singleton groups give the ordinary elastic net). Each block
update solves its subproblem exactly::

    min_x  ½ xᵀH x − vᵀx + b‖x‖ + a/2 ‖x‖²,   H = G_gg/n,  v = H x_old − ∇_g,  b = λαω_g,  a = λ(1−α)ω_g

x = 0 when ‖v‖ ≤ b; otherwise x = Q (Λ + a + b/t)⁻¹ Qᵀv with t = ‖x‖ the root of
‖(Λ + a + b/t)⁻¹ u‖ = t (u = Qᵀv, H = QΛQᵀ), found by a safeguarded Newton/bisection to
rounding. A singular block (all levels of a category kept: the centred dummies sum to 0) has
v ⟂ its null space, which is left at 0 (the minimum-norm block solution). Sweeps repeat until
the KKT residual of every group is under the target (the same test as
:func:`reglab.objective.Penalty.subdiff_distance`).

Hand-written because no installed library solves the group elastic net from a Gram with
glmnet's conventions (adelie does, but declares numpy < 2 and imports IPython: see
``research/solvers.md``); compiled with numba like :mod:`reglab.cd`, cached on disk and warmed
by ``make``.
"""

from __future__ import annotations

import numpy as np
from numba import njit
from numpy.typing import NDArray


@njit(cache=True)
def _block_solution(lam_vals: NDArray[np.float64], u: NDArray[np.float64], a: float, b: float) -> float:
    """t = ‖x‖ > 0 solving Σ uᵢ²/(Λᵢ + a + b/t)² = t² (‖u‖ > b assumed; zero Λᵢ with uᵢ = 0 skipped)."""
    # bracket: N(t) ≥ t‖u‖/(Λmax·t + a·t + b) and ≤ ‖u‖/(Λmin⁺ + a) (components with Λ = 0 carry u = 0)
    unorm = np.sqrt(np.sum(u * u))
    top = 0.0
    low_eig = np.inf
    for i in range(lam_vals.size):
        if u[i] != 0.0:
            if lam_vals[i] + a < low_eig:
                low_eig = lam_vals[i] + a
            if lam_vals[i] + a > top:
                top = lam_vals[i] + a
    lo = max((unorm - b) / max(top, 1e-300), 0.0)
    hi = unorm / low_eig if low_eig > 0 else np.inf
    if not np.isfinite(hi):
        hi = max(lo * 2.0, 1.0)
        for _ in range(200):  # grow until the norm falls short of t
            s = 0.0
            for i in range(lam_vals.size):
                d = lam_vals[i] + a + b / hi
                s += u[i] * u[i] / (d * d)
            if np.sqrt(s) < hi:
                break
            hi *= 2.0
    t = 0.5 * (lo + hi) if lo > 0 else hi * 0.5
    for _ in range(200):
        s = 0.0
        ds = 0.0
        for i in range(lam_vals.size):
            d = lam_vals[i] + a + b / t
            s += u[i] * u[i] / (d * d)
            ds += u[i] * u[i] * 2.0 * b / (t * t * d * d * d)  # d/dt of uᵢ²/d², since dd/dt = −b/t²
        norm = np.sqrt(s)
        h = norm - t
        if h > 0:
            lo = t
        else:
            hi = t
        dh = ds / (2.0 * norm) - 1.0 if norm > 0 else -1.0
        step = t - h / dh if dh != 0 else 0.5 * (lo + hi)
        if not (lo < step < hi):
            step = 0.5 * (lo + hi)
        if abs(step - t) <= 1e-15 * t:
            t = step
            break
        t = step
    return t


@njit(cache=True)
def group_path(gram: NDArray[np.float64], zy: NDArray[np.float64], n: int, lambdas: NDArray[np.float64], alpha: float,
               omega: NDArray[np.float64], order: NDArray[np.int64], starts: NDArray[np.int64],
               eigvals: NDArray[np.float64], eigvecs: NDArray[np.float64], w_start: NDArray[np.float64],
               kkt_target: float, max_sweeps: int) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """Group elastic-net weights at each λ of a decreasing grid (warm-started along it).

    ``order`` lists the features group by group, ``starts[g]:starts[g+1]`` the slice of group g
    in it; ``eigvals[g, :k]``/``eigvecs[g, :k, :k]`` the eigendecomposition of its block of
    G/n (k = its size). Returns the weights (n_lambdas × p) and the sweeps used per λ.
    """
    p = zy.size
    n_groups = starts.size - 1
    w = w_start.copy()
    grad = (gram @ w - zy) / n
    out = np.zeros((lambdas.size, p))
    sweeps_used = np.zeros(lambdas.size, dtype=np.int64)
    largest = 0
    for g in range(n_groups):
        largest = max(largest, starts[g + 1] - starts[g])
    v = np.empty(largest)
    u = np.empty(largest)
    x = np.empty(largest)
    for li in range(lambdas.size):
        lam = lambdas[li]
        sweep = 0
        while sweep < max_sweeps:
            sweep += 1
            for g in range(n_groups):
                k = starts[g + 1] - starts[g]
                b = lam * alpha * omega[g]
                a = lam * (1.0 - alpha) * omega[g]
                # v = H x_old − ∇_g
                vnorm = 0.0
                for r in range(k):
                    j = order[starts[g] + r]
                    s = -grad[j]
                    for c in range(k):
                        s += gram[j, order[starts[g] + c]] / n * w[order[starts[g] + c]]
                    v[r] = s
                    vnorm += s * s
                vnorm = np.sqrt(vnorm)
                if vnorm <= b:
                    for r in range(k):
                        x[r] = 0.0
                else:
                    for r in range(k):
                        s = 0.0
                        for c in range(k):
                            s += eigvecs[g, c, r] * v[c]
                        u[r] = s if eigvals[g, r] > 1e-12 * max(eigvals[g, k - 1], 1e-300) or a > 0 else 0.0
                    if b > 0:
                        t = _block_solution(eigvals[g, :k], u[:k], a, b)
                    else:
                        t = 1.0
                    for r in range(k):
                        d = eigvals[g, r] + a + (b / t if b > 0 else 0.0)
                        u[r] = u[r] / d if d > 0 else 0.0
                    for r in range(k):
                        s = 0.0
                        for c in range(k):
                            s += eigvecs[g, r, c] * u[c]
                        x[r] = s
                # apply the change and keep the gradient current: ∇ += G[:, j]·δ/n
                for r in range(k):
                    j = order[starts[g] + r]
                    delta = x[r] - w[j]
                    if delta != 0.0:
                        w[j] = x[r]
                        for m in range(p):
                            grad[m] += gram[m, j] * delta / n
            # KKT of every group (as Penalty.subdiff_distance), stop when all are under the target
            worst = 0.0
            for g in range(n_groups):
                k = starts[g + 1] - starts[g]
                b = lam * alpha * omega[g]
                a = lam * (1.0 - alpha) * omega[g]
                wn = 0.0
                for r in range(k):
                    wn += w[order[starts[g] + r]] ** 2
                wn = np.sqrt(wn)
                res = 0.0
                if wn == 0.0:
                    for r in range(k):
                        res += grad[order[starts[g] + r]] ** 2
                    res = max(np.sqrt(res) - b, 0.0)
                else:
                    for r in range(k):
                        j = order[starts[g] + r]
                        e = grad[j] + a * w[j] + b * w[j] / wn
                        res += e * e
                    res = np.sqrt(res)
                if res > worst:
                    worst = res
            if worst <= kkt_target:
                break
        out[li] = w
        sweeps_used[li] = sweep
    return out, sweeps_used


def warm_up() -> None:
    """Compile :func:`group_path` into numba's on-disk cache (``make`` runs this once), so the first
    grouped fit in the app does not pay the compilation."""
    gram = np.array([[2.0, 0.5, 0.0], [0.5, 2.0, 0.0], [0.0, 0.0, 2.0]])
    group_path(gram, np.array([1.0, -0.5, 0.3]), 2, np.array([0.1]), 0.5, np.array([np.sqrt(2.0), 1.0]),
               np.array([0, 1, 2], dtype=np.int64), np.array([0, 2, 3], dtype=np.int64),
               np.zeros((2, 2)) + 1.0, np.tile(np.eye(2), (2, 1, 1)), np.zeros(3), 1e-12, 100)
