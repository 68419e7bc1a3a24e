"""Grouped features (the group lasso / group elastic net): a categorical column's dummies in or out
of the model together.

Checked against the math (the group KKT conditions of the stated objective along the whole path),
against the plain lasso (singleton groups), and against an independent generic convex solver
(cvxpy's conic interior point method, on small problems).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import reglab
from reglab.objective import Penalty


def grouped_problem(n=150, seed=0):
    """Three numeric features and two categorical columns (4 and 3 levels), one-hot with all levels."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n) * 3 + 1, "x3": rng.normal(size=n),
                          "city": rng.choice(["a", "b", "c", "d"], n), "plan": rng.choice(["m", "y", "t"], n)})
    effect = frame["city"].map({"a": 0.0, "b": 1.5, "c": -1.0, "d": 0.5}).to_numpy()
    y = 2.0 * frame["x1"] - 0.5 * frame["x2"] + effect + rng.normal(size=n)
    frame["y"] = y
    prepared = reglab.preprocess(frame, "y", test_size=0.0, group_categories=True)
    return prepared


def test_preprocess_groups_each_categorical_columns_dummies():
    prepared = grouped_problem()
    sources = prepared.feature_sources
    assert sources == ("x1", "x2", "x3", "city", "city", "city", "city", "plan", "plan", "plan")
    groups = prepared.feature_groups
    assert len(set(groups)) == 5 and groups[3] == groups[6] and groups[7] == groups[9] and groups[3] != groups[7]
    assert prepared.penalty("l1").grouped
    plain = reglab.preprocess(prepared_frame := pd.DataFrame({"a": [1.0, 2, 3, 4], "y": [1.0, 2, 3, 5]}), "y",
                              test_size=0.0, group_categories=True)
    assert not plain.penalty("l1").grouped and prepared_frame.shape == (4, 2)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.0])
def test_every_path_point_meets_the_group_kkt_conditions(alpha):
    prepared = grouped_problem()
    path = reglab.path(prepared.X_train, prepared.y_train, "elasticnet", l1_ratio=alpha, groups=prepared.feature_groups)
    assert path.kkt.max() <= 1e-8  # relative to λ_max, from the group subdifferential
    pen = Penalty.of("elasticnet", alpha, groups=prepared.feature_groups)
    order, starts, _ = pen.group_structure(path.coefs.shape[1])
    for a, b in zip(starts[:-1], starts[1:]):  # a group is in or out as a whole
        members = path.nonzero[:, order[a:b]]
        assert (members.all(axis=1) | ~members.any(axis=1)).all()
    if alpha > 0:
        assert path.n_nonzero[0] == 0 and path.n_nonzero[1] > 0  # λ_max from the group norms
    # the truth: x1, x2 and city matter, x3 and plan do not: plan's group enters last
    entered = {name: int(np.argmax(path.nonzero[:, i])) if path.nonzero[:, i].any() else len(path.lambdas)
               for i, name in enumerate(prepared.feature_names)}
    if alpha > 0:
        assert entered["city=a"] < entered["plan=m"]


def test_singleton_groups_are_the_plain_penalty():
    prepared = grouped_problem()
    singles = tuple(range(len(prepared.feature_names)))
    assert Penalty.of("l1", groups=singles) == Penalty.of("l1")
    grouped = reglab.path(prepared.X_train, prepared.y_train, "elasticnet", l1_ratio=0.5, groups=singles)
    plain = reglab.path(prepared.X_train, prepared.y_train, "elasticnet", l1_ratio=0.5)
    np.testing.assert_allclose(grouped.coefs, plain.coefs, rtol=1e-12, atol=1e-12)


def test_a_factor_0_group_is_never_zeroed_and_factors_must_agree_within_a_group():
    prepared = grouped_problem()
    factors = [0.0 if s == "plan" else 1.0 for s in prepared.feature_sources]
    path = reglab.path(prepared.X_train, prepared.y_train, "l1", groups=prepared.feature_groups, penalty_factor=factors)
    plan = [i for i, s in enumerate(prepared.feature_sources) if s == "plan"]
    assert path.kkt.max() <= 1e-8 and path.nonzero[:, plan].all()
    with pytest.raises(ValueError, match="one factor"):
        Penalty.of("l1", factors=[1, 2, 1], groups=[0, 0, 1])


@pytest.mark.parametrize("alpha", [1.0, 0.6])
def test_equals_a_generic_convex_solver_on_a_small_problem(alpha):
    import cvxpy as cp  # requirements-dev.txt: the independent reference
    prepared = grouped_problem(n=60, seed=3)
    design = reglab.prepare(prepared.X_train, prepared.y_train)
    pen = Penalty.of("elasticnet", alpha, groups=prepared.feature_groups)
    lam = 0.15 * reglab.lambda_grid(design, pen)[0]
    fit = reglab.fit(prepared.X_train, prepared.y_train, "elasticnet", lam, l1_ratio=alpha, groups=prepared.feature_groups)
    # the same objective written out independently: standardized centred features, population sd
    X, y = prepared.X_train, prepared.y_train
    sd = X.std(axis=0)
    Z = (X - X.mean(axis=0)) / sd
    yc = y - y.mean()
    n, p = Z.shape
    order, starts, omega = pen.group_structure(p)
    w = cp.Variable(p)
    penalty = sum(omega[g] * (alpha * cp.norm(w[order[a:b]], 2) + (1 - alpha) / 2 * cp.sum_squares(w[order[a:b]]))
                  for g, (a, b) in enumerate(zip(starts[:-1], starts[1:])))
    problem = cp.Problem(cp.Minimize(cp.sum_squares(yc - Z @ w) / (2 * n) + lam * penalty))
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-10, tol_gap_rel=1e-10, tol_feas=1e-10)
    reference = w.value / sd
    np.testing.assert_allclose(fit.coef, reference, rtol=1e-5, atol=1e-6 * np.abs(reference).max())
    assert fit.kkt <= 1e-8
