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


# ----------------------------------------------------------------------------- two-class logistic regression


def assert_group_kkt_by_hand(path, groups, alpha, X, Z, c, residual, offset=0.0, step=7):
    """The group KKT conditions of a row datafit's path, by hand at every ``step``-th λ: with η from the
    original-scale coefficients on ``X``, ``residual(η)`` the datafit's ∂ℓ/∂η per row (logistic p − y,
    Poisson μ − y) and row weights c (summing to n), the gradient Zᵀ(c·r)/n on the standardized ``Z``: the
    intercept's condition |Σcᵢrᵢ/n| and each group's subdifferential, both ≤ 1e-8·λ_max; and every group
    in or out of the model as a whole."""
    pen = Penalty.of("elasticnet", alpha, groups=groups)
    order, starts, omega = pen.group_structure(X.shape[1])
    lam_max, n = path.lambda_max, len(c)
    for i in range(0, len(path.lambdas), step):
        lam, w = path.lambdas[i], path.weights[i]
        r = c * residual(offset + path.intercepts[i] + X @ path.coefs[i])
        g = Z.T @ r / n
        assert abs(r.sum() / n) <= 1e-8 * lam_max  # the intercept's condition
        for grp, (a, b) in enumerate(zip(starts[:-1], starts[1:])):
            idx = order[a:b]
            norm = np.linalg.norm(w[idx])
            if norm == 0:
                assert np.linalg.norm(g[idx]) <= lam * alpha * omega[grp] + 1e-8 * lam_max
            else:
                stationary = g[idx] + lam * omega[grp] * ((1 - alpha) * w[idx] + alpha * w[idx] / norm)
                assert np.linalg.norm(stationary) <= 1e-8 * lam_max
    for a, b in zip(starts[:-1], starts[1:]):  # in or out as a whole
        members = path.nonzero[:, order[a:b]]
        assert (members.all(axis=1) | ~members.any(axis=1)).all()


def binomial_problem(n=300, seed=1):
    """The grouped problem's features with a two-class target drawn from a logistic model in which
    x1, x2 and the city levels matter (plan does not)."""
    prepared = grouped_problem(n=n, seed=seed)
    X = prepared.X_train
    eta = X[:, 0] - 0.5 * X[:, 1] + 1.5 * X[:, 4] - X[:, 5]
    y = (np.random.default_rng(seed).uniform(size=n) < 1 / (1 + np.exp(-eta))).astype(float)
    return prepared, X, y


@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.0])
def test_grouped_logistic_paths_meet_the_group_kkt_conditions(alpha):
    prepared, X, y = binomial_problem()
    path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, family="binomial", groups=prepared.feature_groups)
    assert path.kkt.max() <= 1e-8
    # independently of the solver's own report: the logistic gradient and the group subdifferential, by hand
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    assert_group_kkt_by_hand(path, prepared.feature_groups, alpha, X, Z, np.ones(len(y)),
                             lambda eta: 1 / (1 + np.exp(-eta)) - y, step=7)
    if alpha > 0:
        entered = path.nonzero.argmax(axis=0)
        names = prepared.feature_names
        assert entered[names.index("city=a")] < entered[names.index("plan=m")]


def test_grouped_logistic_with_singleton_groups_is_the_plain_logistic_lasso_and_a_path_row_is_the_fit():
    prepared, X, y = binomial_problem()
    plain = reglab.path(X, y, "elasticnet", l1_ratio=0.5, family="binomial", n_lambdas=30)
    # the grouped solver itself, on singleton groups (a penalty without groups gives each feature its own)
    from reglab import solvers

    design = reglab.prepare(X, y, family="binomial")
    grouped = solvers._group_rows_solution(design, Penalty.of("elasticnet", 0.5), plain.lambdas, None,
                                               solvers.KKT_TOLERANCE).weights
    np.testing.assert_allclose(grouped, plain.weights, rtol=1e-6, atol=1e-8 * np.abs(plain.weights).max())
    path = reglab.path(X, y, "l1", family="binomial", groups=prepared.feature_groups, n_lambdas=30)
    fit = reglab.fit(X, y, "l1", float(path.lambdas[17]), family="binomial", groups=prepared.feature_groups)
    np.testing.assert_allclose(fit.coef, path.coefs[17], rtol=1e-6, atol=1e-9 * np.abs(path.coefs[17]).max())


def test_grouped_logistic_keeps_a_factor_0_group():
    prepared, X, y = binomial_problem()
    factors = [0.0 if s == "plan" else 1.0 for s in prepared.feature_sources]
    path = reglab.path(X, y, "l1", family="binomial", groups=prepared.feature_groups, penalty_factor=factors)
    plan = [i for i, s in enumerate(prepared.feature_sources) if s == "plan"]
    assert path.kkt.max() <= 1e-8 and path.nonzero[:, plan].all()


@pytest.mark.parametrize("alpha", [1.0, 0.6])
def test_grouped_logistic_equals_a_generic_convex_solver(alpha):
    import cvxpy as cp

    prepared, X, y = binomial_problem(n=120, seed=5)
    pen = Penalty.of("elasticnet", alpha, groups=prepared.feature_groups)
    design = reglab.prepare(X, y, family="binomial")
    lam = 0.2 * design.lambda_max(pen)
    fit = reglab.fit(X, y, "elasticnet", lam, l1_ratio=alpha, family="binomial", groups=prepared.feature_groups)
    sd = X.std(axis=0)
    Z = (X - X.mean(axis=0)) / sd
    n, p = Z.shape
    order, starts, omega = pen.group_structure(p)
    w, b = cp.Variable(p), cp.Variable()
    eta = b + Z @ w
    loss = cp.sum(cp.logistic(eta) - cp.multiply(y, eta)) / n
    penalty = sum(omega[g] * (alpha * cp.norm(w[order[a:c]], 2) + (1 - alpha) / 2 * cp.sum_squares(w[order[a:c]]))
                  for g, (a, c) in enumerate(zip(starts[:-1], starts[1:])))
    cp.Problem(cp.Minimize(loss + lam * penalty)).solve(solver=cp.CLARABEL, tol_gap_abs=1e-10, tol_gap_rel=1e-10,
                                                        tol_feas=1e-10)
    reference = w.value / sd
    np.testing.assert_allclose(fit.coef, reference, rtol=1e-5, atol=1e-5 * np.abs(reference).max())
    assert fit.kkt <= 1e-8


def test_grouped_preprocessing_for_a_two_class_target_and_a_clear_word_for_three():
    prepared = grouped_problem()
    frame = pd.DataFrame(prepared.X_train[:, :3], columns=["x1", "x2", "x3"])
    frame["city"] = np.where(prepared.X_train[:, 3] == 1, "a", np.where(prepared.X_train[:, 4] == 1, "b", "c"))
    frame["label"] = np.where(frame["x1"] > 0, "yes", "no")
    two = reglab.preprocess(frame, "label", task="classification", test_size=0.0, group_categories=True)
    assert two.feature_groups is not None and two.penalty("l1").grouped
    frame["label"] = np.select([frame["x1"] > 0.5, frame["x1"] < -0.5], ["hi", "lo"], "mid")
    three = reglab.preprocess(frame, "label", task="classification", test_size=0.0, group_categories=True)
    assert three.feature_groups is None and any("three" in w or "3 classes" in w for w in three.warnings)
    p = three.X_train.shape[1]
    with pytest.raises(ValueError, match="two-class"):
        reglab.path(three.X_train, three.y_train, "l1", family="multinomial", groups=[0, 0, *range(1, p - 1)])


def test_grouped_logistic_is_bounded_by_its_newton_work_before_it_starts(monkeypatch):
    """Each Newton step forms a p × p Hessian from n rows: past the n·p² budget the Data page keeps
    the levels ungrouped and says why (regression, solved on one Gram, is not bounded this way)."""
    from reglab import limits

    prepared = grouped_problem()
    frame = pd.DataFrame(prepared.X_train[:, :3], columns=["x1", "x2", "x3"])
    frame["city"] = np.where(prepared.X_train[:, 3] == 1, "a", np.where(prepared.X_train[:, 4] == 1, "b", "c"))
    frame["label"] = np.where(frame["x1"] > 0, "yes", "no")
    work = len(frame) * 6**2  # 150 rows × (3 numeric + 3 city levels)²
    monkeypatch.setattr(limits, "MAX_GROUPED_LOGISTIC_WORK", work)
    within = reglab.preprocess(frame, "label", task="classification", test_size=0.0, group_categories=True)
    assert within.feature_groups is not None
    monkeypatch.setattr(limits, "MAX_GROUPED_LOGISTIC_WORK", work - 1)
    past = reglab.preprocess(frame, "label", task="classification", test_size=0.0, group_categories=True)
    assert past.feature_groups is None and any("Newton step" in w for w in past.warnings)
    frame["label"] = frame["x2"]  # a regression target: grouping stays
    assert reglab.preprocess(frame, "label", test_size=0.0, group_categories=True).feature_groups is not None


def test_translation_and_scripts_say_no_tool_fits_the_group_lasso():
    from reglab.reproduce import python_snippet, r_snippet, translate

    pen = Penalty.of("l1", groups=[0, 0, 1])
    note = translate(pen, 0.1, np.array([1.0, 2.0, 4.0])).note
    assert "group lasso" in note and "ungrouped" in note
    assert "Σ_g √|g|" in translate(pen, 0.1, np.array([1.0, 2.0, 4.0])).objective
    for script in (python_snippet(pen, 0.1, ("a", "b", "c"), "y", "t.csv"), r_snippet(pen, 0.1, ("a", "b", "c"), "y", "t.csv")):
        assert "NOTE" in script and "no group lasso" in script
    assert "NOTE" not in r_snippet(Penalty.of("l1"), 0.1, ("a", "b", "c"), "y", "t.csv")


# ----------------------------------------------------------------------------- counts (Poisson regression)


def poisson_problem(n=300, seed=2):
    """The grouped problem's features with counts drawn from a Poisson model in which x1 and the city
    levels matter (plan does not), an exposure offset and observation weights."""
    prepared = grouped_problem(n=n, seed=seed)
    X = prepared.X_train
    rng = np.random.default_rng(seed)
    offset = np.log(rng.uniform(0.5, 2.0, size=n))
    y = rng.poisson(np.exp(offset + 0.3 + 0.4 * X[:, 0] + 0.6 * X[:, 4] - 0.5 * X[:, 5])).astype(float)
    weights = rng.uniform(0.5, 1.5, size=n)
    return prepared, X, y, offset, weights


@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.0])
def test_grouped_poisson_paths_meet_the_group_kkt_conditions_with_an_offset_and_weights(alpha):
    prepared, X, y, offset, weights = poisson_problem()
    path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, family="poisson", groups=prepared.feature_groups,
                       offset=offset, weights=weights)
    assert path.kkt.max() <= 1e-8
    # by hand: the Poisson gradient Zᵀc(μ − y)/n (c normalized to sum n, Z by the weighted mean and sd)
    c = weights * len(y) / weights.sum()
    mean = c @ X / c.sum()
    Z = (X - mean) / np.sqrt(c @ (X - mean) ** 2 / c.sum())
    assert_group_kkt_by_hand(path, prepared.feature_groups, alpha, X, Z, c, lambda eta: np.exp(eta) - y,
                             offset=offset, step=9)


def test_grouped_poisson_with_singleton_groups_is_the_plain_poisson_path():
    prepared, X, y, offset, weights = poisson_problem()
    plain = reglab.path(X, y, "elasticnet", l1_ratio=0.5, family="poisson", n_lambdas=30, offset=offset,
                        weights=weights)
    from reglab import solvers

    design = reglab.prepare(X, y, family="poisson", offset=offset, weights=weights)
    grouped = solvers._group_rows_solution(design, Penalty.of("elasticnet", 0.5), plain.lambdas, None,
                                           solvers.KKT_TOLERANCE)
    np.testing.assert_allclose(grouped.weights, plain.weights, rtol=1e-6, atol=1e-8 * np.abs(plain.weights).max())
    ungrouped = solvers.solve_with_residuals(design, Penalty.of("elasticnet", 0.5), plain.lambdas, None)
    np.testing.assert_allclose(grouped.intercepts, ungrouped.intercepts, rtol=1e-6, atol=1e-8)


def test_grouped_poisson_equals_a_generic_convex_solver():
    import cvxpy as cp

    prepared, X, y, offset, weights = poisson_problem(n=120, seed=6)
    alpha = 0.7
    pen = Penalty.of("elasticnet", alpha, groups=prepared.feature_groups)
    design = reglab.prepare(X, y, family="poisson", offset=offset)
    lam = 0.2 * design.lambda_max(pen)
    fit = reglab.fit(X, y, "elasticnet", lam, l1_ratio=alpha, family="poisson", groups=prepared.feature_groups,
                     offset=offset)
    sd = X.std(axis=0)
    Z = (X - X.mean(axis=0)) / sd
    n, p = Z.shape
    order, starts, omega = pen.group_structure(p)
    w, b = cp.Variable(p), cp.Variable()
    eta = offset + b + Z @ w
    loss = cp.sum(cp.exp(eta) - cp.multiply(y, eta)) / n
    penalty = sum(omega[g] * (alpha * cp.norm(w[order[a:c]], 2) + (1 - alpha) / 2 * cp.sum_squares(w[order[a:c]]))
                  for g, (a, c) in enumerate(zip(starts[:-1], starts[1:])))
    cp.Problem(cp.Minimize(loss + lam * penalty)).solve(solver=cp.CLARABEL, tol_gap_abs=1e-10, tol_gap_rel=1e-10,
                                                        tol_feas=1e-10)
    reference = w.value / sd
    np.testing.assert_allclose(fit.coef, reference, rtol=1e-5, atol=1e-5 * np.abs(reference).max())
    assert fit.kkt <= 1e-8


def test_a_count_target_is_grouped_on_the_data_page():
    prepared, X, y, _, _ = poisson_problem()
    frame = pd.DataFrame(X[:, :3], columns=["x1", "x2", "x3"])
    frame["city"] = np.where(X[:, 3] == 1, "a", np.where(X[:, 4] == 1, "b", "c"))
    frame["events"] = y.astype(int)
    counted = reglab.preprocess(frame, "events", task="counts", test_size=0.0, group_categories=True)
    assert counted.datafit.counts and counted.feature_groups is not None and counted.penalty("l1").grouped
    path = reglab.path(counted.X_train, counted.y_train, "l1", family=counted.datafit, groups=counted.feature_groups)
    assert path.kkt.max() <= 1e-8
