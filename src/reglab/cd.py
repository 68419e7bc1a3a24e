"""Covariance-mode coordinate descent for a whole elastic-net path in one compiled call.

Solves, for every λ of a decreasing grid, in the solver's coordinates (Gram ``G = ZcᵀZc``,
``zy = Zcᵀyc``, n rows, penalty factors ``f ≥ 0``)::

    minimize over w:  1/(2n)·(yᵀy − 2·zyᵀw + wᵀGw)  +  λ·Σⱼ fⱼ·(α|wⱼ| + (1−α)/2·wⱼ²)

Why by hand: scikit-learn's ``enet_path`` (our reference and fallback) calls its Cython
solver once per λ from a Python loop and sweeps every coordinate at every iteration; on a
small design that per-λ overhead is most of the time (3.3× slower than glmnet on diabetes),
and on 2k × 500 the full sweeps are (1.5× slower). No maintained library solves a Gram-mode
path in one call with numpy 2 (adelie pins numpy < 2), so this is glmnet's recipe, written
small: sequential strong rules pick a working set, coordinate descent runs on the non-zero
coordinates until their KKT residual is below the target, the working set is checked, and
every coordinate is checked against the exact gradient before a λ is accepted. Three additions cut
the sweeps where features are many and correlated (2k × 500: 1.25× → ~0.75× lasso_path): each λ
starts from the path's linear prediction (:func:`_predict`), sweeps on the support run on a compact
copy of its Gram block with Anderson extrapolation (:func:`_active_descent`), and a small support
ends at its exact stationary point (:func:`_finish_exactly`). For the lasso (α = 1, no box), once
the support is large, each λ is solved by exact steps on a Cholesky factor of the support's Gram
block kept across λ (:func:`_exact_lambda`; 2k × 500: ~0.45× lasso_path), coordinate descent
finishing any λ they cannot.

Units: the residual correlation ``c = zy − Gw`` is n × the negative datafit gradient, so a
KKT residual of the objective above is ``|…| / n`` (target units × feature units, as λ).

Box constraints ``lowerⱼ ≤ wⱼ ≤ upperⱼ`` (glmnet's ``lower.limits`` / ``upper.limits`` in the
solver's coordinates, each interval holding 0; ±inf where there is none) are exact in each
coordinate step — the one-dimensional minimizer clipped to its interval — and the KKT test of every
kernel is that of the bounded problem (:func:`_penalty_violation`).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable

import numba
import numpy as np
from numpy.typing import NDArray


@numba.njit(cache=True, nogil=True, inline="always")
def _update(j, w, c, gram, diag, l1, l2, lo, hi):
    """Exact minimization in coordinate j within [lo, hi] (the unconstrained minimizer clipped: the
    one-dimensional problem is convex); keeps c = zy − Gw. Returns |Δwⱼ|·√Gⱼⱼ."""
    denom = diag[j] + l2
    if denom <= 0.0:
        return 0.0
    old = w[j]
    g = c[j] + diag[j] * old
    if g > l1:
        new = (g - l1) / denom
    elif g < -l1:
        new = (g + l1) / denom
    else:
        new = 0.0
    if new < lo:
        new = lo
    elif new > hi:
        new = hi
    delta = new - old
    if delta == 0.0:
        return 0.0
    w[j] = new
    column = gram[j]
    for i in range(c.shape[0]):
        c[i] -= column[i] * delta
    return abs(delta) * np.sqrt(diag[j])


@numba.njit(cache=True, nogil=True, inline="always")
def _penalty_violation(grad_j, w_j, l1, l2, lo, hi):
    """Distance of −grad_j to the subdifferential of l1|w| + l2/2·w² plus the normal cone of [lo, hi]
    at w_j (gradient units; lo ≤ 0 ≤ hi): the one KKT test of every kernel here
    (:meth:`reglab.objective.Penalty.subdiff_distance`, compiled). At a bound the gradient may push
    outward as hard as it likes; a bound of ±inf is never reached."""
    smooth = grad_j + l2 * w_j
    if lo == hi:  # a coefficient fixed at 0
        return 0.0
    if w_j <= lo:  # at the lower bound: −(smooth + l1·σ) may point down only (σ = +1 when lo = 0)
        return max(-(smooth + l1), 0.0) if w_j == 0.0 else max(l1 - smooth, 0.0)
    if w_j >= hi:  # at the upper bound: only up
        return max(smooth - l1, 0.0) if w_j == 0.0 else max(smooth + l1, 0.0)
    if w_j == 0.0:
        return max(abs(smooth) - l1, 0.0)
    if w_j > 0.0:
        return abs(smooth + l1)
    return abs(smooth - l1)


@numba.njit(cache=True, nogil=True, inline="always")
def _violation(j, w, c, l1, l2, lower, upper):
    """:func:`_penalty_violation` in the Gram kernel's terms: cⱼ = (zy − Gw)ⱼ is −n × the gradient
    (n × the KKT residual; negation is exact, so the result is the same to the bit)."""
    return _penalty_violation(-c[j], w[j], l1, l2, lower[j], upper[j])


@numba.njit(cache=True, nogil=True, inline="always")
def _sweep(indices, w, c, gram, diag, l1, l2, factors, lower, upper):
    """One pass of exact coordinate minimizations over ``indices``."""
    for j in indices:
        _update(j, w, c, gram, diag, l1 * factors[j], l2 * factors[j], lower[j], upper[j])


@numba.njit(cache=True, nogil=True, inline="always")
def _worst(indices, w, c, l1, l2, factors, lower, upper):
    """Largest KKT violation (n × residual) over ``indices``."""
    worst = 0.0
    for j in indices:
        v = _violation(j, w, c, l1 * factors[j], l2 * factors[j], lower, upper)
        if v > worst:
            worst = v
    return worst


@numba.njit(cache=True, nogil=True)
def _residual_correlation(gram, zy, w):
    """``zy − Gw`` over the non-zero wⱼ (G symmetric: row j is column j)."""
    c = zy.copy()
    for j in range(w.shape[0]):
        if w[j] != 0.0:
            row = gram[j]
            for i in range(c.shape[0]):
                c[i] -= row[i] * w[j]
    return c


@numba.njit(cache=True, nogil=True)
def _polish(active, w, c, gram, zy, l1, l2, factors):
    """Feature-sign search on the active set (Lee et al. 2007): solve the stationarity
    equations with the current signs s, ``(G_AA + l2·F_A)·x = zy_A − l1·F_A·s``; if every xⱼ
    keeps its sign, w_A = x exactly. Otherwise move from w_A toward x up to the first sign
    change (the objective, a convex quadratic on that orthant face, decreases along the
    segment), set that weight to 0, drop it and solve again. Recomputes c if w changed.
    Returns whether an exact stationary point on the remaining support was reached.
    """
    members = active[w[active] != 0.0]  # sweeps since may have zeroed some
    m = members.size
    changed = False
    exact = False
    while m > 0:
        system = np.empty((m, m))
        rhs = np.empty(m)
        for a in range(m):
            j = members[a]
            for b in range(m):
                system[a, b] = gram[j, members[b]]
            system[a, a] += l2 * factors[j]
            rhs[a] = zy[j] - l1 * factors[j] * np.sign(w[j])
        singular = False
        try:
            solved = np.linalg.solve(system, rhs)
        except Exception:
            singular = True
        if singular:
            # More active weights than the rank (p > n, a near-interpolating λ): the quadratic
            # is flat along a null vector v of the block and the objective linear, slope −rhsᵀv.
            # Move downhill along ±v until a weight reaches 0, drop it, and solve again.
            _, values, right = np.linalg.svd(system)
            if values[-1] > 1e-10 * values[0]:
                break
            null = right[m - 1].copy()
            direction = null if np.dot(rhs, null) >= 0.0 else -null
            step, crossing = np.inf, -1
            for a in range(m):
                old = w[members[a]]
                if old * direction[a] < 0.0 and -old / direction[a] < step:
                    step, crossing = -old / direction[a], a
            if crossing < 0:
                break
            for a in range(m):
                w[members[a]] += step * direction[a]
            w[members[crossing]] = 0.0
            members = np.concatenate((members[:crossing], members[crossing + 1:]))
            m -= 1
            changed = True
            continue
        step, crossing = 1.0, -1
        for a in range(m):
            old = w[members[a]]
            if not np.isfinite(solved[a]):
                step = -1.0
                break
            if np.sign(solved[a]) != np.sign(old):
                t = old / (old - solved[a])
                if t < step:
                    step, crossing = t, a
        if step < 0.0:
            break
        for a in range(m):
            j = members[a]
            w[j] = w[j] + step * (solved[a] - w[j])
        changed = True
        if crossing < 0:
            exact = True
            break
        w[members[crossing]] = 0.0
        members = np.concatenate((members[:crossing], members[crossing + 1:]))
        m -= 1
    if changed:
        c[:] = _residual_correlation(gram, zy, w)
    return exact


#: Anderson extrapolation (as in skglm / celer): after this many sweeps on the active set, the
#: weights are extrapolated from the last ones and kept if the objective is lower.
_ANDERSON_K = 5


@numba.njit(cache=True, nogil=True)
def _objective_times_n(w, c, zy, l1, l2, factors):
    """n × the objective minus yᵀy/(2n), from c = zy − Gw: ½wᵀGw − zyᵀw = −½wᵀ(zy + c)."""
    value = 0.0
    for j in range(w.shape[0]):
        wj = w[j]
        if wj != 0.0:
            value += -0.5 * wj * (zy[j] + c[j]) + factors[j] * (l1 * abs(wj) + 0.5 * l2 * wj * wj)
    return value


@numba.njit(cache=True, nogil=True)
def _extrapolate(active, history, w, c, gram, zy, l1, l2, factors):
    """Anderson acceleration of coordinate descent (Bertrand & Massias 2021): ``history`` holds
    K + 1 successive iterates of w on ``active``; the combination Σ θᵢ·wᵢ (Σ θᵢ = 1) that
    minimizes the norm of the combined successive differences is an extrapolation of the
    fixed-point iteration. It is kept only if the objective decreases, so convergence is that of
    plain coordinate descent at worst; with correlated features it saves most sweeps.
    Why by hand: the kernel's whole path is one compiled call; skglm's version is Python-level.
    Cost: p·|A| (the new c), about one sweep. Returns whether the extrapolation was kept."""
    k_hist = history.shape[0] - 1
    m = active.shape[0]
    diffs = np.empty((k_hist, m))
    for i in range(k_hist):
        for a in range(m):
            diffs[i, a] = history[i + 1, a] - history[i, a]
    system = diffs @ diffs.T
    scale = 0.0
    for i in range(k_hist):
        scale = max(scale, system[i, i])
    if scale == 0.0:
        return False
    for i in range(k_hist):
        system[i, i] += 1e-12 * scale
    try:
        z = np.linalg.solve(system / scale, np.ones(k_hist))
    except Exception:
        return False
    total = z.sum()
    if not np.isfinite(total) or total == 0.0:
        return False
    theta = z / total
    w_new = w.copy()
    for a in range(m):
        w_new[active[a]] = 0.0
        for i in range(k_hist):
            w_new[active[a]] += theta[i] * history[i + 1, a]
    return _keep_if_lower(w, c, w_new, gram, zy, l1, l2, factors)


@numba.njit(cache=True, nogil=True)
def _keep_if_lower(w, c, w_new, gram, zy, l1, l2, factors):
    """Move to ``w_new`` (and c = zy − Gw with it, p per changed coordinate) if the objective is lower
    there; else leave w and c as they are. Returns whether it moved. The acceptance test of every
    extrapolated point (:func:`_extrapolate`, :func:`_predict`): never worse than not extrapolating."""
    c_new = c.copy()
    moved = False
    for j in range(w.shape[0]):
        delta = w_new[j] - w[j]
        if delta != 0.0:
            moved = True
            row = gram[j]
            for i in range(c_new.shape[0]):
                c_new[i] -= row[i] * delta
    if moved and _objective_times_n(w_new, c_new, zy, l1, l2, factors) < _objective_times_n(w, c, zy, l1, l2, factors):
        w[:] = w_new
        c[:] = c_new
        return True
    return False


@numba.njit(cache=True, nogil=True)
def _predict(k, lambdas, weights, w, c, gram, zy, l1, l2, factors, lower, upper):
    """Warm start by linear extrapolation along the path: the lasso path is linear in λ between
    changes of the active set, so w(λₖ) ≈ wₖ₋₁ + (λₖ − λₖ₋₁)/(λₖ₋₁ − λₖ₋₂)·(wₖ₋₁ − wₖ₋₂)
    (a coordinate predicted to cross 0 is set to 0; the box is respected). Kept only if the
    objective at λₖ is lower than at wₖ₋₁, so it never costs more than p·|A| (one sweep); where the
    active set is stable it leaves coordinate descent a few sweeps of work instead of dozens."""
    ratio = (lambdas[k] - lambdas[k - 1]) / (lambdas[k - 1] - lambdas[k - 2])
    w_new = w.copy()
    for j in range(w.shape[0]):
        step = ratio * (weights[k - 1, j] - weights[k - 2, j])
        if step != 0.0:
            guess = w[j] + step
            if guess * w[j] < 0.0:
                guess = 0.0
            w_new[j] = min(max(guess, lower[j]), upper[j])
    _keep_if_lower(w, c, w_new, gram, zy, l1, l2, factors)


@numba.njit(cache=True, nogil=True)
def _active_descent(active, w, c, gram, zy, diag, l1, l2, factors, lower, upper, target, budget, bounded):
    """Coordinate descent on the non-zero coordinates ``active`` until their KKT residual is ≤ ``target``
    (n × gradient units), at most ``budget`` sweeps; then w and c (all p) are updated. Returns
    (sweeps spent, stalled).

    The sweeps run on a compact copy of G_AA and of c on A: an update then costs |A|, not p (the
    other coordinates' correlations are brought up to date once, at the end, for p·|A|), and the
    rows read are contiguous. Every 6th sweep is an Anderson extrapolation (:func:`_extrapolate`);
    slow (collinear) convergence tries the exact solve on A after 16, 32, 64… sweeps, once the
    sweeps have cost about as much as the solve (|A|³/3 against |A|² a sweep)."""
    m = active.size
    sub = np.empty((m, m))
    for a in range(m):
        row = gram[active[a]]
        for b in range(m):
            sub[a, b] = row[active[b]]
    w_a = w[active].copy()
    c_a = c[active].copy()
    zy_a, diag_a, factors_a = zy[active].copy(), diag[active].copy(), factors[active].copy()
    lower_a, upper_a = lower[active].copy(), upper[active].copy()
    every = np.arange(m)
    history = np.empty((_ANDERSON_K + 1, m))
    spent = 0
    next_polish = 16
    checkpoint = np.inf
    stalled = False
    while spent < budget:
        _sweep(every, w_a, c_a, sub, diag_a, l1, l2, factors_a, lower_a, upper_a)
        spent += 1
        if not bounded:  # an extrapolation may leave the box: plain sweeps there
            slot = (spent - 1) % (_ANDERSON_K + 1)
            history[slot] = w_a
            if slot == _ANDERSON_K:
                _extrapolate(every, history, w_a, c_a, sub, zy_a, l1, l2, factors_a)
        if spent == next_polish:
            next_polish *= 2
            if not bounded and m <= 3 * spent:
                _polish(every, w_a, c_a, sub, zy_a, l1, l2, factors_a)
        worst = _worst(every, w_a, c_a, l1, l2, factors_a, lower_a, upper_a)
        if worst <= target:
            break
        # Stalled (the target is below what rounding allows here): hand this λ back.
        if spent % 1024 == 0:
            if worst > 0.5 * checkpoint:
                stalled = True
                break
            checkpoint = worst
    for a in range(m):
        delta = w_a[a] - w[active[a]]
        if delta != 0.0:
            row = gram[active[a]]
            for i in range(c.shape[0]):
                c[i] -= row[i] * delta
            w[active[a]] = w_a[a]
    return spent, stalled


#: Supports up to this size get the exact solve on their support once a λ has converged.
_EXACT_SUPPORT = 64


@numba.njit(cache=True, nogil=True)
def _finish_exactly(w, c, gram, zy, l1, l2, factors, lower, upper, target):
    """Replace a converged w by the exact stationary point on its support and signs (one linear solve,
    |A|³/3, done when |A| ≤ :data:`_EXACT_SUPPORT`), kept only if it meets the KKT target on every
    coordinate. Coordinate descent stops anywhere inside the target's ball, at a point that depends
    on the iterations' rounding (Anderson steps and path predictions are accepted or not by an
    objective comparison); the exact solution does not, so two routes to the same statistics (in
    memory, on a cluster) agree to rounding rather than to the tolerance."""
    support = np.flatnonzero(w)
    if support.size == 0 or support.size > _EXACT_SUPPORT:
        return
    w_exact = w.copy()
    c_exact = c.copy()
    if not _polish(support, w_exact, c_exact, gram, zy, l1, l2, factors):
        return
    for j in range(w.shape[0]):
        if _violation(j, w_exact, c_exact, l1 * factors[j], l2 * factors[j], lower, upper) > target:
            return
    w[:] = w_exact
    c[:] = c_exact


# --- Exact active-set steps for the lasso (α = 1) ---------------------------------------------------
#
# Where the support is large and the features correlated, coordinate descent needs tens of sweeps
# per λ at the product's tolerance (2,000 × 500, ~450 active: 20–45 sweeps of |A|² each). Between
# changes of the support the lasso's stationarity equations on A are linear,
# ``G_AA·w_A = zy_A − l1·F_A·s_A``, so a Cholesky factor of G_AA kept across λ and updated as
# coordinates enter (|A|² each) or leave (Givens rotations, |A|² each) solves each λ in two triangular
# solves per change of the support (feature-sign search, as :func:`_polish`, with the factor
# maintained instead of refactored). Why by hand: LAPACK has no Cholesky update/downdate, and the
# path is one compiled call. With a ridge part (α < 1) the shifted block changes with every λ,
# so the elastic net keeps coordinate descent.

#: Supports at least this large are solved by exact steps (smaller ones: coordinate descent, then
#: :func:`_finish_exactly`; both are fast there).
_EXACT_FROM = 32
#: Exact-step rounds (each one batch of entries or one exit) tried per λ before coordinate descent.
_EXACT_ROUNDS = 64
#: Exact steps are abandoned for the rest of a path after this many λ that needed coordinate descent.
_EXACT_MISSES = 4


@numba.njit(cache=True, nogil=True)
def _forward(factor, m, x):
    """Rᵀz = x in place (the first m entries), by rows of the upper factor R: each row's tail is
    contiguous, so the update is an axpy."""
    for a in range(m):
        xa = x[a] / factor[a, a]
        x[a] = xa
        row, tail = factor[a, a + 1:m], x[a + 1:m]
        for b in range(m - a - 1):
            tail[b] -= row[b] * xa


@numba.njit(cache=True, nogil=True)
def _project(factor, m, zy, factors, order, sign_at, projected, start):
    """``projected`` = (R⁻ᵀ·zy_A, R⁻ᵀ·(F_A·s_A)), so that the stationarity equations at any l1 are one
    back substitution: R·w_A = projected[0] − l1·projected[1]. Kept as coordinates enter (one entry
    each); recomputed here from position ``start`` on after coordinates leave there (entries before it
    are unchanged: R's rows above ``start`` only lost a column). A short tail is recomputed by
    column dot products, a long one by a whole forward substitution (by rows, contiguous)."""
    if 4 * (m - start) > m:
        start = 0
    for a in range(start, m):
        j = order[a]
        projected[0, a] = zy[j]
        projected[1, a] = factors[j] * sign_at[a]
    if start == 0:
        _forward(factor, m, projected[0])
        _forward(factor, m, projected[1])
        return
    for a in range(start, m):
        zy_part, sign_part = projected[0, a], projected[1, a]
        for k in range(a):
            zy_part -= factor[k, a] * projected[0, k]
            sign_part -= factor[k, a] * projected[1, k]
        projected[0, a] = zy_part / factor[a, a]
        projected[1, a] = sign_part / factor[a, a]


@numba.njit(cache=True, nogil=True)
def _enter(entrants, signs, count, factor, m, gram, zy, factors, order, position, sign_at, projected):
    """Append coordinates ``entrants[:count]`` (entering with ``signs``) to the upper Cholesky factor R of
    G_AA (RᵀR = G_AA, A = order[:m]): the new columns' upper part solves Rᵀ·r = G_Aj for all entrants in
    one pass over R's rows (each row read once for the batch, not once per entrant), then each
    entrant's column is completed against the ones before it and closed by the pivot
    √(G_jj − |r|²); the projections get their new entries. Returns the new size, or −1 when a
    pivot is below 1e-10·G_jj (j numerically in the span of A) or the factor is full."""
    if m + count > factor.shape[0]:
        return -1
    block = np.empty((count, m))
    for e in range(count):
        row_j = gram[entrants[e]]
        for a in range(m):
            block[e, a] = row_j[order[a]]  # G is symmetric: read row j, not a column
    for a in range(m):
        diagonal = factor[a, a]
        row = factor[a, a + 1:m]
        for e in range(count):
            xa = block[e, a] / diagonal
            block[e, a] = xa
            tail = block[e, a + 1:m]
            for b in range(m - a - 1):
                tail[b] -= row[b] * xa
    columns = np.zeros((count, m + count))
    for e in range(count):
        j = entrants[e]
        size = m + e
        column = columns[e, :size]
        column[:m] = block[e]
        for before in range(e):
            at = m + before
            column[at] = (gram[j, entrants[before]] - np.dot(column[:at], columns[before, :at])) / factor[at, at]
        pivot = gram[j, j] - np.dot(column, column)
        if not pivot > 1e-10 * gram[j, j]:
            return -1
        diagonal = np.sqrt(pivot)
        for a in range(size):
            factor[a, size] = column[a]
        factor[size, size] = diagonal
        order[size] = j
        position[j] = size
        sign_at[size] = signs[e]
        projected[0, size] = (zy[j] - np.dot(column, projected[0, :size])) / diagonal
        projected[1, size] = (factors[j] * signs[e] - np.dot(column, projected[1, :size])) / diagonal
    return m + count


@numba.njit(cache=True, nogil=True)
def _leave(i, factor, m, order, position, sign_at):
    """Remove the coordinate at position i from the factor of size m: its column goes (each row's tail
    shifts left, contiguous), and Givens rotations on rows (i, i+1), (i+1, i+2)… return the upper
    Hessenberg remainder to triangular form, which is the factor of G_AA without that coordinate.
    The projections are stale from position i on (:func:`_project`). Returns the new size."""
    position[order[i]] = -1
    for a in range(m):
        row = factor[a]
        for b in range(max(i, a - 1), m - 1):  # row a is zero left of column a
            row[b] = row[b + 1]
        row[m - 1] = 0.0
    for b in range(i, m - 1):
        top, low = factor[b, b:m - 1], factor[b + 1, b:m - 1]
        radius = np.hypot(top[0], low[0])
        cos, sin = top[0] / radius, low[0] / radius
        for k in range(m - 1 - b):
            u, v = top[k], low[k]
            top[k] = cos * u + sin * v
            low[k] = cos * v - sin * u
        low[0] = 0.0
    factor[m - 1, :m] = 0.0
    for a in range(i, m - 1):
        order[a] = order[a + 1]
        sign_at[a] = sign_at[a + 1]
        position[order[a]] = a
    return m - 1


@numba.njit(cache=True, nogil=True, fastmath={"reassoc", "contract"})
def _back(factor, m, z):
    """x with R·x = z (back substitution by row dot products, reassociated so they vectorize: the
    sums' rounding differs from sequential order, and is as small)."""
    x = z[:m].copy()
    for a in range(m - 1, -1, -1):
        row, tail = factor[a, a + 1:m], x[a + 1:m]
        total = 0.0
        for b in range(m - a - 1):
            total += row[b] * tail[b]
        x[a] = (x[a] - total) / factor[a, a]
    return x


@numba.njit(cache=True, nogil=True)
def _factor_sync(w, gram, zy, factors, factor, m, order, position, sign_at, projected):
    """Bring the factor's set to the support of w and its signs (at the start of a λ; after a λ
    solved by exact steps nothing changes). Returns the new size, or −1 if a newcomer is collinear
    with the rest."""
    changed = False
    for a in range(m - 1, -1, -1):
        j = order[a]
        if w[j] == 0.0:
            m = _leave(a, factor, m, order, position, sign_at)
            changed = True
        elif np.sign(w[j]) != sign_at[a]:
            sign_at[a] = np.sign(w[j])
            changed = True
    if changed:
        _project(factor, m, zy, factors, order, sign_at, projected, 0)
    newcomers = np.flatnonzero((w != 0.0) & (position < 0))
    return _enter(newcomers, np.sign(w[newcomers]), newcomers.size, factor, m, gram, zy, factors, order, position,
                  sign_at, projected)


@numba.njit(cache=True, nogil=True)
def _exact_lambda(w, c, gram, zy, l1, factors, lower, upper, target, factor, m, order, position, sign_at,
                  projected):
    """Solve one λ of the lasso by exact steps from the factor of G_AA, A = support of w (feature-sign
    search, Lee et al. 2007): coordinates violating KKT enter with the sign of their correlation, the
    stationarity equations on A are solved, and the move from w toward that solution stops at the
    first sign change, whose coordinate leaves; repeated until no coordinate violates. Each move
    lowers the objective. Entering in batches, an entrant may solve to the wrong sign: such
    entrants leave before the move; if all do while w already solves its set, the single worst
    violator enters alone (from a solution on A its sign is right: the Newton step along it is
    −(H⁻¹)ⱼⱼ·gⱼ). Returns the factor's new size (−1 if a coordinate could not enter) and whether
    every coordinate met ``target`` (then w, c are the solution); if not, the caller finishes
    with coordinate descent from w."""
    p = w.shape[0]
    entrants = np.empty(p, dtype=np.int64)
    signs = np.empty(p)
    unsolved = True  # w is not yet the solution on its set at this λ
    for _ in range(_EXACT_ROUNDS):
        settled = m
        count = 0
        worst, worst_j = 0.0, -1
        for j in range(p):
            if position[j] >= 0:  # in the set already
                continue
            v = _violation(j, w, c, l1 * factors[j], 0.0, lower, upper)
            if v > target:
                entrants[count], signs[count] = j, np.sign(c[j])
                count += 1
                if v > worst:
                    worst, worst_j = v, j
        if count > 0:
            m = _enter(entrants, signs, count, factor, m, gram, zy, factors, order, position, sign_at, projected)
            if m < 0:
                return m, False
        if m == settled and not unsolved:
            return m, _worst(np.arange(p), w, c, l1, 0.0, factors, lower, upper) <= target
        alone = False
        while True:
            solved = _back(factor, m, projected[0, :m] - l1 * projected[1, :m])
            first = -1  # the lowest position left (they are visited downward)
            for a in range(m - 1, settled - 1, -1):  # entrants solving to the wrong sign leave first
                if factors[order[a]] > 0.0 and solved[a] * sign_at[a] < 0.0:
                    m = _leave(a, factor, m, order, position, sign_at)
                    first = a
            if first < 0:
                break
            _project(factor, m, zy, factors, order, sign_at, projected, first)
            if m == settled and not unsolved:
                if alone:
                    return m, False
                entrants[0], signs[0] = worst_j, np.sign(c[worst_j])
                m = _enter(entrants, signs, 1, factor, m, gram, zy, factors, order, position, sign_at, projected)
                if m < 0:
                    return m, False
                alone = True
        step, crossing = 1.0, -1
        for a in range(m):
            j = order[a]
            if factors[j] > 0.0 and w[j] != 0.0 and solved[a] * sign_at[a] < 0.0:
                t = w[j] / (w[j] - solved[a])
                if t < step:
                    step, crossing = t, a
        for a in range(m):
            j = order[a]
            w[j] += step * (solved[a] - w[j])
        unsolved = crossing >= 0
        if unsolved:
            w[order[crossing]] = 0.0
            m = _leave(crossing, factor, m, order, position, sign_at)
            _project(factor, m, zy, factors, order, sign_at, projected, crossing)
        c[:] = _residual_correlation(gram, zy, w)
    return m, False


@numba.njit(cache=True, nogil=True)
def enet_path_gram(gram, zy, n, lambdas, alpha, factors, w_start, kkt_target, max_sweeps, lower, upper, done):
    """Weights at each λ (rows) and a converged flag per λ.

    ``kkt_target`` is the absolute KKT residual (gradient units) every λ must meet;
    ``max_sweeps`` bounds the coordinate sweeps spent on one λ (unconverged λ are flagged,
    and the caller re-solves them another way); ``lower`` ≤ w ≤ ``upper`` (each holding 0);
    ``done[0]`` is set to the number of λ solved so far (read by another thread for progress).
    """
    p = zy.shape[0]
    # The exact active-set solve ignores bounds: with any finite bound, coordinate descent alone.
    bounded = False
    for j in range(p):
        if np.isfinite(lower[j]) or np.isfinite(upper[j]):
            bounded = True
    k_total = lambdas.shape[0]
    weights = np.zeros((k_total, p))
    converged = np.zeros(k_total, dtype=np.bool_)
    w = w_start.copy()
    diag = np.empty(p)
    for j in range(p):
        diag[j] = gram[j, j]
    c = _residual_correlation(gram, zy, w)
    target = kkt_target * n
    in_set = np.zeros(p, dtype=np.bool_)
    for j in range(p):
        if w[j] != 0.0:
            in_set[j] = True
    lam_previous = lambdas[0]
    # Exact steps (lasso, no box) once the support is large; the factor is allocated then. A lone λ
    # (the GLM kernels' Newton steps) would build a factor it never reuses: coordinate descent there.
    exact = not bounded and alpha == 1.0 and k_total > 1
    misses = 0
    factor = np.zeros((0, 0))
    order = np.zeros(0, dtype=np.int64)
    sign_at = np.zeros(0)
    projected = np.zeros((2, 0))
    position = np.full(p, -1, dtype=np.int64)
    size = -1  # the factor's size; −1 while there is none
    for k in range(k_total):
        lam = lambdas[k]
        # Sequential strong rule (Tibshirani et al. 2012): |cⱼ| < nα·fⱼ·(2λ − λ_prev) predicts wⱼ = 0.
        screen = n * alpha * (2.0 * lam - lam_previous)
        for j in range(p):
            if not in_set[j] and abs(c[j]) >= screen * factors[j]:
                in_set[j] = True
        l1, l2 = n * lam * alpha, n * lam * (1.0 - alpha)  # penalty weights in units of c
        if exact and misses < _EXACT_MISSES and (size >= 0 or np.count_nonzero(w) >= _EXACT_FROM):
            if size < 0:
                capacity = min(p, int(n))
                factor = np.zeros((capacity, capacity))
                order = np.zeros(capacity, dtype=np.int64)
                sign_at = np.zeros(capacity)
                projected = np.zeros((2, capacity))
                position[:] = -1
                size = 0
            size = _factor_sync(w, gram, zy, factors, factor, size, order, position, sign_at, projected)
            solved = False
            if size >= 0:
                size, solved = _exact_lambda(w, c, gram, zy, l1, factors, lower, upper, target, factor, size, order,
                                             position, sign_at, projected)
            if solved:
                for j in range(p):
                    if w[j] != 0.0:
                        in_set[j] = True
                converged[k] = True
                weights[k] = w
                done[0] = k + 1
                lam_previous = lam
                continue
            misses += 1
            if size < 0:  # a collinear newcomer: the factor starts again from the next support
                position[:] = -1
                size = 0
            # (c is exact here: the exact steps end every move by recomputing it)
        elif k >= 2 and lambdas[k - 1] != lambdas[k - 2]:
            _predict(k, lambdas, weights, w, c, gram, zy, l1, l2, factors, lower, upper)
        sweeps = 0
        stalled = False
        rounds_without_progress = 0
        while sweeps < max_sweeps and not stalled:
            members = np.flatnonzero(in_set)
            # Coordinate descent on the working set, inner loops on its non-zero part.
            while sweeps < max_sweeps and not stalled:
                _sweep(members, w, c, gram, diag, l1, l2, factors, lower, upper)
                sweeps += 1
                if _worst(members, w, c, l1, l2, factors, lower, upper) <= target:
                    break
                active = members[w[members] != 0.0]
                spent, stalled = _active_descent(active, w, c, gram, zy, diag, l1, l2, factors, lower, upper,
                                                 target, max_sweeps - sweeps, bounded)
                sweeps += spent
                if stalled:
                    break
            # Exact gradient (no accumulated rounding), then every coordinate is checked.
            c = _residual_correlation(gram, zy, w)
            added = False
            worst = 0.0
            for j in range(p):
                v = _violation(j, w, c, l1 * factors[j], l2 * factors[j], lower, upper)
                if v > target:
                    if not in_set[j]:
                        in_set[j] = True
                        added = True
                    worst = max(worst, v)
            if worst <= target:
                converged[k] = True
                if not bounded:
                    _finish_exactly(w, c, gram, zy, l1, l2, factors, lower, upper, target)
                break
            if not added:
                rounds_without_progress += 1
                # The exact gradient keeps disagreeing with the running one: rounding, not progress.
                if rounds_without_progress >= 8 or sweeps >= max_sweeps:
                    break
        weights[k] = w
        done[0] = k + 1
        lam_previous = lam
    return weights, converged


#: How often a path solved with progress is polled (seconds).
_PROGRESS_POLL_S = 0.05


def unbounded(p: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The box of no constraint: (−inf, +inf) for each of p coordinates."""
    return np.full(p, -np.inf), np.full(p, np.inf)


def solve_path(
    gram: NDArray[np.float64], zy: NDArray[np.float64], n: int, lambdas: NDArray[np.float64], alpha: float,
    factors: NDArray[np.float64] | None = None, w_start: NDArray[np.float64] | None = None,
    kkt_target: float = 0.0, max_sweeps: int = 100_000,
    box: tuple[NDArray[np.float64], NDArray[np.float64]] | None = None,
    progress: Callable[[float], None] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """:func:`enet_path_gram` with numpy inputs made contiguous float64 (``lambdas`` decreasing);
    ``box`` = (lower, upper) bounds on w, none by default.

    ``progress``, when given, is called in this thread with the share of λ solved (0–1] as it
    grows: the kernel (which releases the GIL) then runs in a worker thread and is polled, so the
    path is the one call it is without progress — the same iterations, the same numbers."""
    p = len(zy)
    lower, upper = unbounded(p) if box is None else box
    done = np.zeros(1, dtype=np.int64)
    arguments = (
        np.ascontiguousarray(gram, dtype=np.float64), np.ascontiguousarray(zy, dtype=np.float64), float(n),
        np.ascontiguousarray(lambdas, dtype=np.float64), float(alpha),
        np.ones(p) if factors is None else np.ascontiguousarray(factors, dtype=np.float64),
        np.zeros(p) if w_start is None else np.array(w_start, dtype=np.float64),
        float(kkt_target), int(max_sweeps), np.ascontiguousarray(lower, dtype=np.float64),
        np.ascontiguousarray(upper, dtype=np.float64), done,
    )
    if progress is None:
        return enet_path_gram(*arguments)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        running = pool.submit(enet_path_gram, *arguments)
        reported = 0
        while True:
            try:
                result = running.result(timeout=_PROGRESS_POLL_S)
            except concurrent.futures.TimeoutError:
                result = None
            if int(done[0]) > reported:
                reported = int(done[0])
                progress(reported / len(lambdas))
            if result is not None:
                return result


def warm_up() -> None:
    """Compile (or load from numba's on-disk cache) the path solvers on tiny problems: ~45 s the
    first time on a machine, ~0.3 s after; ``make`` calls it once after installing, so no page
    pauses for a compilation."""
    solve_path(np.eye(2), np.array([1.0, 0.5]), 2, np.array([0.5, 0.1]), 1.0, kkt_target=1e-12)
    Zt = np.array([[1.0, -1.0, 0.5, -0.5], [0.3, 0.1, -0.2, -0.2]])
    glm_path_rows(Zt, np.array([1.0, 0.0, 1.0, 0.0]), np.ones(4), np.array([0.3, 0.1]), 1.0, np.ones(2), True,
                  np.zeros(2), 0.0, 1e-12, 50, LOGISTIC, np.zeros(4), *unbounded(2))
    multinomial_path_rows(Zt, np.array([0.0, 1.0, 2.0, 0.0]), np.ones(4), np.array([0.3, 0.1]), 1.0, np.ones(2), True,
                          np.zeros((3, 2)), np.zeros(3), 1e-12, 50, *unbounded(2))


# --- Logistic regression (glmnet's family="binomial") -------------------------------------------
#
# Proximal Newton, glmnet's recipe in covariance mode: at (b, w) the log-loss is replaced by its
# second-order expansion, whose Hessian on the working set A is ``Z_Aᵀ diag(h) Z_A`` (h = c·p(1−p)/n);
# that quadratic plus the penalty is an elastic net in Gram form, solved exactly by
# :func:`enet_path_gram` (the intercept as one more, unpenalized, column). Any positive definite
# Hessian gives the same fixed point, the true optimum, so the Hessian (n·|A|² flops, BLAS) is
# kept across steps and λ while it still buys a 10× smaller KKT residual per step, and extended
# by the new members' rows only when the set grows; a step then costs two BLAS products with the
# set's rows and one exp per row. Large steps are priced on the true objective (backtracking).
# (Measured: a hand-fused single pass over the rows was slower than the two BLAS products.)

#: Relative objective change treated as rounding by the backtracking test (a sum of n log-losses
#: carries ~√n·1e-16 relative error; near the optimum a true decrease is far below it).
_ROUNDING = 1e-12
#: Largest change of any ηᵢ taken without pricing the objective: the model's error is O(|Δη|³)
#: (the log-loss's third derivative is at most 0.1), and the KKT check decides convergence.
_SMALL_STEP = 0.5
#: A kept Hessian is refreshed when a step shrinks the KKT residual by less than this factor.
_HESSIAN_RATE = 0.1


#: Datafit codes of the row kernel (:func:`glm_path_rows`): the only datafit-specific part is
#: the per-row gradient, Hessian weight and loss (:func:`_datafit_terms`).
LOGISTIC, POISSON = 0, 1


@numba.njit(cache=True, nogil=True, inline="always")
def _logistic_row(t, y_i, c_i, n):
    """Logistic row at ηᵢ = t: gradient c(p − y)/n, Hessian weight c·p(1−p)/n and e^−|t| (one exp,
    no overflow for any η), which the row's loss log(1 + e^t) − y·t reuses."""
    e = np.exp(-abs(t))
    prob = 1.0 / (1.0 + e) if t >= 0.0 else e / (1.0 + e)
    return c_i * (prob - y_i) / n, c_i * prob * (1.0 - prob) / n, e


@numba.njit(cache=True, nogil=True, inline="always")
def _poisson_row(t, y_i, c_i, n):
    """Poisson row (log link) at ηᵢ = t: gradient c(μ − y)/n, Hessian weight c·μ/n and μ = e^t,
    which the row's loss μ − y·t reuses (glmnet's family="poisson")."""
    mu = np.exp(t)
    return c_i * (mu - y_i) / n, c_i * mu / n, mu


@numba.njit(cache=True, nogil=True)
def _logistic_terms(eta, y, c, n, g, h):
    """The log-loss (1/n)·Σcᵢ[log(1 + e^ηᵢ) − yᵢηᵢ], and in place g and h (see :func:`_logistic_row`)."""
    loss = 0.0
    for i in range(eta.shape[0]):
        g[i], h[i], e = _logistic_row(eta[i], y[i], c[i], n)
        if c[i] != 0.0:
            loss += c[i] * (max(eta[i], 0.0) + np.log1p(e) - y[i] * eta[i])
    return loss / n


@numba.njit(cache=True, nogil=True)
def _poisson_terms(eta, y, c, n, g, h):
    """The Poisson loss (1/n)·Σcᵢ[e^ηᵢ − yᵢηᵢ], and in place g and h (see :func:`_poisson_row`)."""
    loss = 0.0
    for i in range(eta.shape[0]):
        g[i], h[i], mu = _poisson_row(eta[i], y[i], c[i], n)
        if c[i] != 0.0:
            loss += c[i] * (mu - y[i] * eta[i])
    return loss / n


@numba.njit(cache=True, nogil=True)
def _logistic_grad_hess(eta, y, c, n, g, h):
    """:func:`_logistic_terms` without the loss (no log1p)."""
    for i in range(eta.shape[0]):
        g[i], h[i], _ = _logistic_row(eta[i], y[i], c[i], n)


@numba.njit(cache=True, nogil=True)
def _poisson_grad_hess(eta, y, c, n, g, h):
    """:func:`_poisson_terms` without the loss."""
    for i in range(eta.shape[0]):
        g[i], h[i], _ = _poisson_row(eta[i], y[i], c[i], n)


# The datafit hook: one row loop per datafit in its own function (measured: one function holding both
# loops behind a branch made the logistic kernel ~12 % slower), chosen by the kernel's datafit code.
@numba.njit(cache=True, nogil=True)
def _datafit_terms(code, eta, y, c, n, g, h):
    """The datafit's value (1/n)·Σcᵢ·lossᵢ, and in place its gradient g and Hessian weights h per row."""
    if code == POISSON:
        return _poisson_terms(eta, y, c, n, g, h)
    return _logistic_terms(eta, y, c, n, g, h)


@numba.njit(cache=True, nogil=True)
def _datafit_grad_hess(code, eta, y, c, n, g, h):
    """:func:`_datafit_terms` without the value."""
    if code == POISSON:
        _poisson_grad_hess(eta, y, c, n, g, h)
    else:
        _logistic_grad_hess(eta, y, c, n, g, h)


@numba.njit(cache=True, nogil=True)
def _penalty_value(w, alpha, factors):
    """Σⱼ fⱼ(α|wⱼ| + (1−α)/2·wⱼ²) (times λ in the objective)."""
    total = 0.0
    for j in range(w.shape[0]):
        total += factors[j] * (alpha * abs(w[j]) + 0.5 * (1.0 - alpha) * w[j] * w[j])
    return total


@numba.njit(cache=True, nogil=True)
def glm_path_rows(Zt, y, c, lambdas, alpha, factors, fit_intercept, w_start, b_start, kkt_target,
                  max_newton, code, offset, lower, upper):
    """Weights, intercepts and a converged flag at each λ of a decreasing grid, for

        (1/n)·Σᵢ cᵢ·ℓ(yᵢ, ηᵢ) + λ·Σⱼ fⱼ(α|wⱼ| + (1−α)/2·wⱼ²),   η = offset + b + Zw,

    ℓ the log-loss log(1 + e^η) − yη with y ∈ {0, 1} (``code=LOGISTIC``) or the Poisson loss
    e^η − yη with counts y ≥ 0 (``code=POISSON``), ``Zt = Zᵀ`` (p × n, C order), weights c (Σc = n),
    ``offset`` a fixed part of η per row (glmnet's ``offset``; zeros for none). ``kkt_target`` is
    the absolute KKT residual (gradient units) each λ must meet, the intercept's stationarity
    ``|Σgᵢ|`` included when ``fit_intercept``. Logistic steps whose largest |Δη| is at most
    :data:`_SMALL_STEP` are taken without pricing the objective (sound because the log-loss's third
    derivative is ≤ 0.1); the Poisson loss's is e^η, unbounded, so every Poisson step is priced.
    ``lower`` ≤ w ≤ ``upper`` (each interval holding 0): each Newton model is solved within the box,
    and a step between two feasible points stays feasible.
    """
    p, n_rows = Zt.shape
    n = 0.0
    for i in range(n_rows):
        n += c[i]
    k_total = lambdas.shape[0]
    weights = np.zeros((k_total, p))
    intercepts = np.zeros(k_total)
    converged = np.zeros(k_total, dtype=np.bool_)
    w = w_start.copy()
    b = b_start if fit_intercept else 0.0
    eta = np.dot(Zt.T, w) + b + offset
    small_step = _SMALL_STEP if code == LOGISTIC else 0.0
    g = np.empty(n_rows)
    h = np.empty(n_rows)
    trial_g = np.empty(n_rows)
    trial_h = np.empty(n_rows)
    loss = _datafit_terms(code, eta, y, c, n, g, h)  # g and h always belong to the current η, loss when loss_known
    loss_known = True
    grad = np.dot(Zt, g)  # the full gradient at η: from the last check of the previous λ
    in_set = w != 0.0
    lam_previous = lambdas[0]
    one = np.ones(1)
    a, m = -1, 0
    members = np.empty(0, dtype=np.int64)
    sub_factors = np.zeros(0)
    sub_lower = np.zeros(0)
    sub_upper = np.zeros(0)
    rows = np.empty((0, n_rows))
    v0 = np.empty(0)
    gram = np.empty((0, 0))
    hessian_valid = False
    hessian_h = np.empty(n_rows)
    position = np.full(p + 1, -1)
    for k in range(k_total):
        lam = lambdas[k]
        l1, l2 = lam * alpha, lam * (1.0 - alpha)
        # Sequential strong rule: |∇ⱼ| < α·fⱼ·(2λ − λ_prev) predicts wⱼ = 0 (checked below).
        screen = alpha * (2.0 * lam - lam_previous)
        for j in range(p):
            if not in_set[j] and abs(grad[j]) >= screen * factors[j]:
                in_set[j] = True
        for _round in range(50):  # working-set rounds: Newton on the set, then every feature checked
            members = np.flatnonzero(in_set)
            if members.size != a:  # the set only grows: a new size is a new set
                previous, previous_gram, previous_valid = position, gram, hessian_valid
                a = members.size
                m = a + 1 if fit_intercept else a
                sub_factors = np.zeros(m)  # the intercept's factor 0: unpenalized
                sub_lower = np.full(m, -np.inf)  # and unbounded
                sub_upper = np.full(m, np.inf)
                rows = np.empty((m, n_rows))
                for t in range(a):
                    sub_factors[t] = factors[members[t]]
                    sub_lower[t] = lower[members[t]]
                    sub_upper[t] = upper[members[t]]
                    rows[t] = Zt[members[t]]
                if fit_intercept:
                    rows[a] = 1.0
                v0 = np.empty(m)
                position = np.full(p + 1, -1)  # feature → row of the sub-problem (p: the intercept)
                for t in range(a):
                    position[members[t]] = t
                if fit_intercept:
                    position[p] = a
                gram = np.empty((m, m))
                if previous_valid:
                    # Extend the kept Hessian by the new members' rows and columns only (same h):
                    # n·m·(new) flops instead of n·m².
                    fresh = np.empty(m - previous_gram.shape[0], dtype=np.int64)
                    count = 0
                    for t in range(a):
                        if previous[members[t]] < 0:
                            fresh[count] = t
                            count += 1
                    for key in range(p + 1):
                        u = previous[key]
                        if u < 0:
                            continue
                        for key2 in range(p + 1):
                            v = previous[key2]
                            if v >= 0:
                                gram[position[key], position[key2]] = previous_gram[u, v]
                    scaled_fresh = np.empty((count, n_rows))
                    for r in range(count):
                        scaled_fresh[r] = rows[fresh[r]] * hessian_h
                    cross = n * np.dot(rows, scaled_fresh.T)
                    for r in range(count):
                        for t in range(m):
                            gram[t, fresh[r]] = cross[t, r]
                            gram[fresh[r], t] = cross[t, r]
                hessian_valid = previous_valid
            last_worst = np.inf
            for _newton in range(max_newton):
                sub_grad = np.dot(rows, g)
                worst = 0.0
                for t in range(a):
                    j = members[t]
                    worst = max(worst, _penalty_violation(sub_grad[t], w[j], l1 * factors[j], l2 * factors[j],
                                                          lower[j], upper[j]))
                if fit_intercept:
                    worst = max(worst, abs(sub_grad[a]))
                if worst <= kkt_target:
                    break
                # The quadratic model as an elastic net in Gram form (enet_path_gram's units: × n).
                # Its Hessian is kept while it still buys 10× per step (any positive definite
                # Hessian has the same fixed point, the true optimum: only the rate depends on it).
                if not hessian_valid or worst > _HESSIAN_RATE * last_worst:
                    scaled = rows * np.sqrt(h)
                    gram = n * np.dot(scaled, scaled.T)
                    hessian_h[:] = h
                    hessian_valid = True
                last_worst = worst
                for t in range(a):
                    v0[t] = w[members[t]]
                if fit_intercept:
                    v0[a] = b
                zy = np.dot(gram, v0) - n * sub_grad
                solved, _ = enet_path_gram(gram, zy, n, lam * one, alpha, sub_factors, v0, 0.1 * kkt_target, 10_000,
                                           sub_lower, sub_upper, np.zeros(1, dtype=np.int64))
                step = solved[0] - v0
                delta_eta = np.dot(rows.T, step)
                t_step = 1.0
                trial_w = w.copy()
                if np.abs(delta_eta).max() <= small_step:
                    # A small step: the quadratic model is accurate there (the log-loss's third
                    # derivative is ≤ 0.1), so it is taken without pricing the objective; the
                    # KKT check that follows is what decides convergence.
                    for t in range(a):
                        trial_w[members[t]] = v0[t] + step[t]
                    trial_eta = eta + delta_eta
                    _datafit_grad_hess(code, trial_eta, y, c, n, trial_g, trial_h)
                    loss_known = False
                else:
                    if not loss_known:
                        loss = _datafit_terms(code, eta, y, c, n, trial_g, trial_h)
                    before = loss + lam * _penalty_value(w, alpha, factors)
                    accepted = False
                    for _halving in range(40):  # backtracking: no step raises the objective beyond rounding
                        for t in range(a):
                            trial_w[members[t]] = v0[t] + t_step * step[t]
                        trial_eta = eta + t_step * delta_eta
                        trial_loss = _datafit_terms(code, trial_eta, y, c, n, trial_g, trial_h)
                        if trial_loss + lam * _penalty_value(trial_w, alpha, factors) <= before + _ROUNDING * abs(before):
                            accepted = True
                            break
                        t_step *= 0.5
                    if not accepted:
                        break
                    loss = trial_loss
                    loss_known = True
                w[:] = trial_w
                if fit_intercept:
                    b = v0[a] + t_step * step[a]
                eta = trial_eta
                g, trial_g = trial_g, g
                h, trial_h = trial_h, h
            # every feature against the gradient at the current point
            grad = np.dot(Zt, g)
            added = False
            worst = abs(g.sum()) if fit_intercept else 0.0
            for j in range(p):
                v = _penalty_violation(grad[j], w[j], l1 * factors[j], l2 * factors[j], lower[j], upper[j])
                if v > kkt_target:
                    if not in_set[j]:
                        in_set[j] = True
                        added = True
                    worst = max(worst, v)
            if worst <= kkt_target:
                converged[k] = True
                break
            if not added:
                break
        weights[k] = w
        intercepts[k] = b
        lam_previous = lam
    return weights, intercepts, converged


# --- Multinomial logistic regression (glmnet's family="multinomial", ungrouped penalty) ----------
#
# Block coordinate descent over the classes (glmnet's recipe): with the other classes fixed, class
# k's log-loss is convex with the exact Hessian block Z_Aᵀ diag(c·p_k(1−p_k)) Z_A, so each block
# takes the same proximal Newton step as the binary kernel (an exact Gram elastic net on the
# block's working set, the intercept as an unpenalized column). The penalty is separable over
# classes, so cycling the blocks converges to the joint optimum (Tseng 2001).


@numba.njit(cache=True, nogil=True)
def _softmax_terms(eta, y, c, n, prob):
    """Row-wise softmax of η (n × K) into ``prob`` and the multinomial log-loss
    (1/n)·Σcᵢ[log Σₖ e^ηᵢₖ − ηᵢ,yᵢ] (y holds class codes)."""
    loss = 0.0
    n_rows, K = eta.shape
    for i in range(n_rows):
        top = eta[i, 0]
        for k in range(1, K):
            top = max(top, eta[i, k])
        total = 0.0
        for k in range(K):
            prob[i, k] = np.exp(eta[i, k] - top)
            total += prob[i, k]
        for k in range(K):
            prob[i, k] /= total
        if c[i] != 0.0:
            loss += c[i] * (top + np.log(total) - eta[i, int(y[i])])
    return loss / n


@numba.njit(cache=True, nogil=True)
def multinomial_path_rows(Zt, y, c, lambdas, alpha, factors, fit_intercept, W_start, b_start, kkt_target,
                          max_cycles, lower, upper):
    """Weights (k × K × p), intercepts (k × K, centered to sum 0) and a converged flag at each λ for

        (1/n)·Σᵢ cᵢ·[log Σₖ e^ηᵢₖ − ηᵢ,yᵢ] + λ·Σₖ Σⱼ fⱼ(α|wₖⱼ| + (1−α)/2·wₖⱼ²),   ηᵢₖ = bₖ + zᵢᵀwₖ,

    with ``Zt = Zᵀ`` (p × n, C order), class codes y ∈ {0, …, K−1}, weights c (Σc = n).
    ``kkt_target``: the absolute KKT residual (gradient units) every (feature, class) and every
    class's intercept must meet; ``lower`` ≤ wₖⱼ ≤ ``upper`` for every class (each interval holding 0).
    """
    p, n_rows = Zt.shape
    K = W_start.shape[0]
    n = 0.0
    for i in range(n_rows):
        n += c[i]
    k_total = lambdas.shape[0]
    weights = np.zeros((k_total, K, p))
    intercepts = np.zeros((k_total, K))
    converged = np.zeros(k_total, dtype=np.bool_)
    W = W_start.copy()
    b = b_start.copy()
    if not fit_intercept:
        b[:] = 0.0
    eta = np.empty((n_rows, K))
    for k in range(K):
        eta[:, k] = np.dot(Zt.T, W[k]) + b[k]
    prob = np.empty((n_rows, K))
    trial_prob = np.empty((n_rows, K))
    loss = _softmax_terms(eta, y, c, n, prob)
    onehot = np.zeros((n_rows, K))
    for i in range(n_rows):
        onehot[i, int(y[i])] = 1.0
    g = np.empty(n_rows)
    h = np.empty(n_rows)
    in_set = W != 0.0
    lam_previous = lambdas[0]
    one = np.ones(1)
    for step_k in range(k_total):
        lam = lambdas[step_k]
        l1, l2 = lam * alpha, lam * (1.0 - alpha)
        screen = alpha * (2.0 * lam - lam_previous)
        for k in range(K):
            for i in range(n_rows):
                g[i] = c[i] * (prob[i, k] - onehot[i, k]) / n
            grad = np.dot(Zt, g)
            for j in range(p):
                if not in_set[k, j] and abs(grad[j]) >= screen * factors[j]:
                    in_set[k, j] = True
        for _round in range(50):
            for _cycle in range(max_cycles):
                cycle_worst = 0.0
                for k in range(K):
                    members = np.flatnonzero(in_set[k])
                    a = members.size
                    m = a + 1 if fit_intercept else a
                    rows = np.empty((m, n_rows))
                    sub_factors = np.zeros(m)
                    sub_lower = np.full(m, -np.inf)  # the intercept: unbounded
                    sub_upper = np.full(m, np.inf)
                    for t in range(a):
                        rows[t] = Zt[members[t]]
                        sub_factors[t] = factors[members[t]]
                        sub_lower[t] = lower[members[t]]
                        sub_upper[t] = upper[members[t]]
                    if fit_intercept:
                        rows[a] = 1.0
                    for i in range(n_rows):
                        g[i] = c[i] * (prob[i, k] - onehot[i, k]) / n
                        h[i] = c[i] * prob[i, k] * (1.0 - prob[i, k]) / n
                    sub_grad = np.dot(rows, g)
                    worst = 0.0
                    for t in range(a):
                        j = members[t]
                        worst = max(worst, _penalty_violation(sub_grad[t], W[k, j], l1 * factors[j], l2 * factors[j],
                                                              lower[j], upper[j]))
                    if fit_intercept:
                        worst = max(worst, abs(sub_grad[a]))
                    cycle_worst = max(cycle_worst, worst)
                    if worst <= kkt_target:
                        continue
                    scaled = rows * np.sqrt(h)
                    gram = n * np.dot(scaled, scaled.T)
                    v0 = np.empty(m)
                    for t in range(a):
                        v0[t] = W[k, members[t]]
                    if fit_intercept:
                        v0[a] = b[k]
                    zy = np.dot(gram, v0) - n * sub_grad
                    solved, _ = enet_path_gram(gram, zy, n, lam * one, alpha, sub_factors, v0, 0.1 * kkt_target, 10_000,
                                               sub_lower, sub_upper, np.zeros(1, dtype=np.int64))
                    step = solved[0] - v0
                    delta = np.dot(rows.T, step)
                    class_factors = np.repeat(factors, K).reshape(p, K).T.ravel()
                    before = loss + lam * _penalty_value(W.ravel(), alpha, class_factors)
                    t_step = 1.0
                    accepted = False
                    trial_W = W.copy()
                    if np.abs(delta).max() <= _SMALL_STEP:  # as the binary kernel: the model is accurate here
                        for t in range(a):
                            trial_W[k, members[t]] = v0[t] + step[t]
                        trial_eta = eta.copy()
                        trial_eta[:, k] += delta
                        trial_loss = _softmax_terms(trial_eta, y, c, n, trial_prob)
                        accepted = True
                    for _halving in range(0 if accepted else 40):
                        for t in range(a):
                            trial_W[k, members[t]] = v0[t] + t_step * step[t]
                        trial_eta = eta.copy()
                        trial_eta[:, k] += t_step * delta
                        trial_loss = _softmax_terms(trial_eta, y, c, n, trial_prob)
                        after = trial_loss + lam * _penalty_value(trial_W.ravel(), alpha, class_factors)
                        if after <= before + _ROUNDING * abs(before):
                            accepted = True
                            break
                        t_step *= 0.5
                    if not accepted:
                        continue
                    W[k] = trial_W[k]
                    if fit_intercept:
                        b[k] = v0[a] + t_step * step[a]
                    eta = trial_eta
                    loss = trial_loss
                    prob, trial_prob = trial_prob, prob
                if cycle_worst <= kkt_target:
                    break
            # every (feature, class) against the gradient at the current point
            added = False
            worst = 0.0
            for k in range(K):
                for i in range(n_rows):
                    g[i] = c[i] * (prob[i, k] - onehot[i, k]) / n
                if fit_intercept:
                    worst = max(worst, abs(g.sum()))
                grad = np.dot(Zt, g)
                for j in range(p):
                    v = _penalty_violation(grad[j], W[k, j], l1 * factors[j], l2 * factors[j], lower[j], upper[j])
                    if v > kkt_target:
                        if not in_set[k, j]:
                            in_set[k, j] = True
                            added = True
                        worst = max(worst, v)
            if worst <= kkt_target:
                converged[step_k] = True
                break
            if not added:
                break
        weights[step_k] = W
        intercepts[step_k] = b - b.mean() if fit_intercept else b
        lam_previous = lam
    return weights, intercepts, converged
