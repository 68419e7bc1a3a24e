"""reglab.cross_validate: an independent per-fold reference, the one-SE rule, reproducibility."""

import numpy as np
import pytest
from sklearn.linear_model import ElasticNet, Lasso, Ridge
from sklearn.model_selection import KFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import reglab
from reglab.selection import one_se_rule

from conftest import make_problem


@pytest.mark.parametrize("penalty", ["l1", "l2", "elasticnet"])
def test_cv_curve_matches_a_scikit_learn_pipeline_refit_inside_each_fold(penalty):
    X, y, _ = make_problem(120, 8, rho=0.5, seed=3)
    cv = reglab.cross_validate(X, y, penalty=penalty, l1_ratio=0.5, folds=4, seed=42, n_lambdas=12)
    splits = list(KFold(n_splits=4, shuffle=True, random_state=42).split(X))
    for i in (1, 6, 11):
        lam = cv.lambdas[i]
        model = {"l1": Lasso(alpha=lam, tol=1e-12, max_iter=100_000),
                 "l2": Ridge(alpha=0.0),  # alpha set per fold below: n_train·λ
                 "elasticnet": ElasticNet(alpha=lam, l1_ratio=0.5, tol=1e-12, max_iter=100_000)}[penalty]
        errors = []
        for train, test in splits:
            if penalty == "l2":
                model = Ridge(alpha=len(train) * lam, solver="svd")
            # The scaler is fitted on the training fold only: no leakage.
            pipe = make_pipeline(StandardScaler(), model).fit(X[train], y[train])
            errors.append(np.mean((y[test] - pipe.predict(X[test])) ** 2))
        assert cv.mean_error[i] == pytest.approx(np.mean(errors), rel=1e-6)
        assert cv.se[i] == pytest.approx(np.std(errors, ddof=1) / 2.0, rel=1e-5)


def test_one_se_rule_on_a_curve_worked_by_hand():
    lambdas = np.array([8.0, 4.0, 2.0, 1.0, 0.5])
    mean = np.array([9.0, 5.5, 5.2, 5.0, 5.1])
    se = np.array([0.1, 0.1, 0.1, 0.4, 0.1])
    # minimum 5.0 at λ = 1; threshold 5.4 → largest λ with mean ≤ 5.4 is 2.
    assert one_se_rule(lambdas, mean, se) == (1.0, 2.0)


def test_lambda_1se_is_at_least_lambda_min_and_the_curve_is_reproducible():
    X, y, _ = make_problem(150, 10, seed=8)
    a = reglab.cross_validate(X, y, penalty="l1", folds=5, seed=3)
    b = reglab.cross_validate(X, y, penalty="l1", folds=5, seed=3)
    c = reglab.cross_validate(X, y, penalty="l1", folds=5, seed=4)
    assert a.lambda_1se >= a.lambda_min
    np.testing.assert_array_equal(a.mean_error, b.mean_error)
    assert not np.array_equal(a.fold_errors, c.fold_errors)
    assert a.mean_error[a.index_min] == a.mean_error.min()
    assert a.n_nonzero[0] == 0 and a.n_nonzero[-1] == 10


def test_impossible_fold_counts_are_explained():
    X, y, _ = make_problem(6, 2, seed=0)
    with pytest.raises(reglab.DataError, match="between 2 and 6 folds"):
        reglab.cross_validate(X, y, folds=10)


@pytest.mark.parametrize("column", ["year-like", "outlier in one fold"])
def test_folds_from_the_whole_gram_match_refits_when_a_column_would_cancel(column):
    """A fold's Gram is the whole minus its held-out rows; columns whose mean dwarfs their spread (overall,
    or only inside one training fold) must still give the pipeline's numbers."""
    X, y, _ = make_problem(90, 5, rho=0.3, seed=11)
    rng = np.random.default_rng(0)
    if column == "year-like":
        X[:, 0] = 1e7 + rng.normal(size=90)
    else:
        X[:, 0] = 1e-3 * rng.normal(size=90)
        X[7, 0] = 1e9
    cv = reglab.cross_validate(X, y, penalty="elasticnet", l1_ratio=0.5, folds=3, seed=1, n_lambdas=8)
    # λ values before the outlier column enters: once it does, predicting the held-out 1e9 row
    # extrapolates any solver's last digits by 1e9.
    for i in (1, 4):
        errors = []
        for train, test in KFold(n_splits=3, shuffle=True, random_state=1).split(X):
            model = ElasticNet(alpha=cv.lambdas[i], l1_ratio=0.5, tol=1e-12, max_iter=100_000)
            pipe = make_pipeline(StandardScaler(), model).fit(X[train], y[train])
            errors.append(np.mean((y[test] - pipe.predict(X[test])) ** 2))
        assert cv.fold_errors[:, i] == pytest.approx(errors, rel=1e-6)


def test_a_path_already_on_screen_gives_the_grid_and_the_counts_without_changing_the_curve():
    X, y, _ = make_problem(150, 9, rho=0.4, seed=2)
    on_screen = reglab.path(X, y, penalty="elasticnet", l1_ratio=0.3, n_lambdas=20)
    reused = reglab.cross_validate(X, y, penalty="elasticnet", l1_ratio=0.3, folds=4, full_path=on_screen)
    solved = reglab.cross_validate(X, y, penalty="elasticnet", l1_ratio=0.3, folds=4, lambdas=on_screen.lambdas)
    np.testing.assert_array_equal(reused.lambdas, on_screen.lambdas)
    np.testing.assert_array_equal(reused.mean_error, solved.mean_error)
    np.testing.assert_array_equal(reused.n_nonzero, solved.n_nonzero)
    # a path of another penalty is not mistaken for this one's counts
    lasso = reglab.path(X, y, penalty="l1", lambdas=on_screen.lambdas)
    assert not np.array_equal(lasso.n_nonzero, solved.n_nonzero)
    other = reglab.cross_validate(X, y, penalty="elasticnet", l1_ratio=0.3, folds=4, full_path=lasso)
    np.testing.assert_array_equal(other.n_nonzero, solved.n_nonzero)


def test_cv_reuses_the_path_on_screen_exactly_when_it_is_the_same_model():
    # A path carries its whole model (ModelSpec); CV reuses it for the same spec and grid only.
    from sklearn.datasets import load_diabetes

    X, y = load_diabetes(return_X_y=True)
    on_screen = reglab.path(X, y, "l1")
    assert on_screen.spec == reglab.objective.ModelSpec.of("l1")
    assert reglab.cross_validate(X, y, "l1", full_path=on_screen).path is on_screen
    factors = np.ones(X.shape[1])
    factors[0] = 0.0
    groups = np.arange(X.shape[1]) // 2
    for other in ({"penalty_factor": factors}, {"groups": groups}, {"weights": np.linspace(1, 2, len(y))},
                  {"standardize": False}, {"intercept": False}):
        cv = reglab.cross_validate(X, y, "l1", full_path=on_screen, lambdas=on_screen.lambdas, **other)
        assert cv.path is not on_screen, other
    counts = np.round(np.abs(y) / 50)
    poisson = reglab.path(X, counts, "l1", family="poisson")
    assert reglab.cross_validate(X, counts, "l1", family="poisson", full_path=poisson).path is poisson
    assert reglab.cross_validate(X, counts, "l1", family="poisson", full_path=poisson, lambdas=poisson.lambdas,
                                 offset=np.full(len(y), 0.3)).path is not poisson
