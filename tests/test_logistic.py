"""Penalized logistic regression (family="binomial"): the objective's KKT conditions, scikit-learn
at the mapped parameters, λ_max, target encoding and the public API's classification behaviour."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

import reglab
from reglab.objective import Logistic, Penalty, kkt_residual
from test_logistic_reference import make_classes


@pytest.fixture(scope="module")
def data():
    X, y, weights, _ = make_classes(200, 10, 5)
    return X, y, weights


@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_every_path_point_meets_the_logistic_kkt_conditions(data, alpha, weighted):
    X, y, weights = data
    obs = weights if weighted else None
    path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, family="binomial", weights=obs)
    Z = (X - np.average(X, axis=0, weights=obs)) / np.sqrt(np.average((X - np.average(X, axis=0, weights=obs)) ** 2,
                                                                       axis=0, weights=obs))
    for i in range(0, len(path.lambdas), 7):
        # b in the standardized coordinates: η = β₀ + Xβ = b + Zw
        b = path.intercepts[i] + path.coefs[i] @ np.average(X, axis=0, weights=obs)
        residual = kkt_residual(Z, y, b, path.weights[i], path.lambdas[i], Penalty.of("elasticnet", alpha),
                                datafit=Logistic(), weights=obs)
        assert residual <= 1e-8 * path.lambda_max, (i, residual / path.lambda_max)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.0])
def test_equals_scikit_learn_logistic_regression_at_c_one_over_n_lambda(data, alpha):
    X, y, _ = data
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, family="binomial")
    for i in (20, 45, 70):
        lam = path.lambdas[i]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if alpha == 0.0:
                model = LogisticRegression(C=1 / (len(y) * lam), tol=1e-12, max_iter=100_000)
            else:
                model = LogisticRegression(C=1 / (len(y) * lam), l1_ratio=alpha, solver="saga", tol=1e-13,
                                           max_iter=1_000_000)
            model.fit(Z, y)
        np.testing.assert_allclose(path.weights[i], model.coef_[0], rtol=1e-6, atol=1e-7 * np.abs(model.coef_).max())


def test_all_coefficients_are_zero_at_lambda_max_and_not_below(data):
    X, y, _ = data
    for alpha in (1.0, 0.3):
        path = reglab.path(X, y, "elasticnet", l1_ratio=alpha, family="binomial")
        assert path.lambdas[0] == pytest.approx(path.lambda_max)
        assert path.n_nonzero[0] == 0
        # the intercept alone: the log-odds of the positive share
        assert path.intercepts[0] == pytest.approx(np.log(y.mean() / (1 - y.mean())), rel=1e-9)
        assert reglab.fit(X, y, "elasticnet", 0.999 * path.lambda_max, alpha, family="binomial").n_nonzero == 1


def test_path_rows_equal_fit_at_the_same_lambda(data):
    X, y, _ = data
    path = reglab.path(X, y, "l1", family="binomial")
    for i in (10, 50, 90):
        fitted = reglab.fit(X, y, "l1", path.lambdas[i], family="binomial")
        np.testing.assert_allclose(fitted.coef, path.coefs[i], rtol=1e-6, atol=1e-9)
        off_grid = path.fit_at(path.lambdas[i] * 0.97)
        assert off_grid.kkt <= 1e-8 and off_grid.family == "binomial"


def test_text_labels_positive_class_and_predictions(data):
    X, y, _ = data
    labels = np.where(y == 1, "yes", "no")
    default = reglab.fit(X, labels, "l1", 0.01, family="binomial")
    assert default.classes == ("no", "yes")  # glmnet: the second level is the modelled class
    flipped = reglab.fit(X, labels, "l1", 0.01, family="binomial", positive_class="no")
    assert flipped.classes == ("yes", "no")
    np.testing.assert_allclose(flipped.coef, -default.coef, rtol=1e-6, atol=1e-10)
    prob = default.predict(X)
    assert prob.shape == (len(y),) and ((prob > 0) & (prob < 1)).all()
    np.testing.assert_allclose(prob + flipped.predict(X), 1.0, atol=1e-7)
    assert set(default.predict_class(X)) <= {"yes", "no"}
    assert (default.predict_class(X) == np.where(prob > 0.5, "yes", "no")).all()
    # "True"/"False" and 0/1 numbers: the same model as the codes
    as_bools = reglab.fit(X, np.where(y == 1, "True", "False"), "l1", 0.01, family="binomial")
    np.testing.assert_allclose(as_bools.coef, default.coef, rtol=1e-9)


@pytest.mark.parametrize("target, message", [
    (["a", "b", "c"] * 20, "exactly two classes"),
    (["a"] * 60, "exactly two classes"),
    (["a", None] * 30, "missing"),
])
def test_bad_classification_targets_give_a_clear_message(target, message):
    X = np.random.default_rng(0).standard_normal((60, 3))
    with pytest.raises(reglab.DataError, match=message):
        reglab.fit(X, target, family="binomial")


def test_positive_class_must_be_one_of_the_classes(data):
    X, y, _ = data
    with pytest.raises(reglab.DataError, match="not one of"):
        reglab.fit(X, y, family="binomial", positive_class="maybe")
    with pytest.raises(ValueError, match="binomial"):
        reglab.fit(X, y, positive_class="1")


def test_cv_folds_are_stratified_and_too_few_minority_rows_are_refused(data):
    X, y, _ = data
    cv = reglab.cross_validate(X, y, family="binomial", folds=5, seed=3)
    assert cv.measure == "deviance" and cv.fit_1se().classes == ("0", "1")
    from reglab.selection import fold_splits
    for _, test in fold_splits(len(y), 5, 3, None, y):
        assert abs(y[test].mean() - y.mean()) < 0.05
    rare = np.zeros(len(y))
    rare[:3] = 1
    with pytest.raises(reglab.DataError, match="at most 3 folds"):
        reglab.cross_validate(X, rare, family="binomial", folds=5)
    with pytest.raises(ValueError, match="measure"):
        reglab.cross_validate(X, y, family="binomial", measure="mse")


def test_the_synthetic_logistic_model_has_a_fixed_sparse_truth_and_both_classes():
    first, second = reglab.make_synthetic("logistic", n=400, p=12, k=3), reglab.make_synthetic("logistic", draw=5, n=400, p=12, k=3)
    assert first.task == "classification" and set(first.frame["y"]) == {0, 1}
    np.testing.assert_array_equal(first.truth.coef, second.truth.coef)  # the same model, another sample
    assert np.count_nonzero(first.truth.coef) == 3 and first.truth.link == "logit"
    assert not np.array_equal(first.frame.to_numpy(), second.frame.to_numpy())
    # the labels follow the stated probabilities: mean y ≈ mean P(y = 1 | x) over a large draw
    big = reglab.make_synthetic("logistic", n=20_000, p=12, k=3, seed=4)
    prob = big.truth.mean_response(big.frame, big.feature_names)
    assert abs(big.frame["y"].mean() - prob.mean()) < 0.015


def test_known_truth_bias_variance_of_the_brier_score_adds_up_exactly():
    from reglab import biasvariance

    data = reglab.make_synthetic("logistic", n=240, p=8, k=3)
    prepared = reglab.preprocess(data.frame, "y", test_size=0.25, seed=0)
    grid = reglab.path(prepared.X_train, prepared.y_train, family="binomial").lambdas[::10]
    bv = biasvariance.for_synthetic(data, prepared.feature_names, prepared.n_train, Penalty.of("l1"), grid, repeats=12)
    np.testing.assert_allclose(bv.bias_sq + bv.variance + bv.noise, bv.test_error, rtol=1e-12)
    assert 0.0 < bv.noise < 0.25  # Bernoulli variance p(1 − p) averaged over the test points
    # the Monte-Carlo test error with fresh Bernoulli labels agrees in expectation only
    assert np.abs(bv.simulated_test_error - bv.test_error).max() < 0.02
    # at λ_max every fit predicts its sample's class share alone: the variance is that of a share,
    # at most ¼/n, and the bias (no feature used) dominates
    assert bv.variance[0] < 1.5 * 0.25 / prepared.n_train and bv.bias_sq[0] > 10 * bv.variance[0]


def test_the_synthetic_multinomial_model_has_a_sparse_truth_per_class_and_every_class():
    first = reglab.make_synthetic("logistic", n=600, p=10, k=6, classes=3)
    second = reglab.make_synthetic("logistic", draw=4, n=600, p=10, k=6, classes=3)
    assert first.task == "classification" and set(first.frame["y"]) == {0, 1, 2} and first.truth.link == "softmax"
    np.testing.assert_array_equal(first.truth.coef, second.truth.coef)
    assert first.truth.coef.shape == (3, 10)
    # each informative feature raises one class's odds; the rest are exactly zero
    assert (np.count_nonzero(first.truth.coef, axis=0) == [1] * 6 + [0] * 4).all()
    assert first.params["classes"] == 3  # the link keeps the class count
    # the labels follow the stated probabilities: class shares ≈ mean P(y = k | x) over a large draw
    big = reglab.make_synthetic("logistic", n=30_000, p=10, k=6, classes=3, seed=2)
    prob = big.truth.mean_response(big.frame, big.feature_names)
    np.testing.assert_allclose(prob.sum(axis=1), 1.0, rtol=1e-12)
    shares = np.bincount(big.frame["y"], minlength=3) / len(big.frame)
    np.testing.assert_allclose(shares, prob.mean(axis=0), atol=0.012)
    # a tiny draw from five classes still holds every class (the bias–variance study draws small sets)
    for draw in range(20):
        assert set(reglab.make_synthetic("logistic", n=10, p=3, k=3, classes=5, draw=draw).frame["y"]) == set(range(5))
    with pytest.raises(ValueError, match="classes"):
        reglab.make_synthetic("logistic", classes=6)


def test_known_truth_bias_variance_of_the_multiclass_brier_score_adds_up_exactly():
    from reglab import biasvariance

    data = reglab.make_synthetic("logistic", n=240, p=8, k=4, classes=3)
    prepared = reglab.preprocess(data.frame, "y", test_size=0.25, seed=0)
    grid = reglab.path(prepared.X_train, prepared.y_train, family="multinomial").lambdas[::12]
    bv = biasvariance.for_synthetic(data, prepared.feature_names, prepared.n_train, Penalty.of("l1"), grid, repeats=12)
    np.testing.assert_allclose(bv.bias_sq + bv.variance + bv.noise, bv.test_error, rtol=1e-12)
    # the noise is the categorical variance Σₖ pₖ(1 − pₖ) = 1 − Σₖ pₖ², at most 1 − 1/K
    assert 0.0 < bv.noise < 1.0 - 1.0 / 3
    np.testing.assert_allclose(bv.simulated_test_error, bv.test_error, atol=0.04)  # in expectation only
    # at λ_max every fit predicts its sample's class shares: small variance, bias dominates; fitting
    # the features lowers the error
    assert bv.bias_sq[0] > 10 * bv.variance[0] and bv.test_error.min() < bv.test_error[0] - 0.1
    assert bv.variance[-1] > bv.variance[0]


def test_bootstrap_bias_variance_of_a_multinomial_model_on_wine():
    from reglab import biasvariance

    data = reglab.load_builtin("wine")
    prepared = reglab.preprocess(data.frame, data.target, test_size=0.25, seed=0)
    lambdas = reglab.path(prepared.X_train, prepared.y_train, family="multinomial").lambdas
    grid = np.concatenate([[10 * lambdas[0]], lambdas[::20]])  # first: above every resample's λ_max
    bv = biasvariance.bootstrap(prepared.X_train, prepared.y_train, prepared.X_test, prepared.y_test, Penalty.of("l1"),
                                grid, repeats=8, family="multinomial")
    np.testing.assert_allclose(bv.bias_sq_plus_noise + bv.variance, bv.test_error, rtol=1e-12)
    # above λ_max each resample predicts its class shares, which stratified resampling keeps fixed:
    # no variance, and the error is the Brier score of the training shares on the test rows
    shares = np.bincount(prepared.y_train.astype(int)) / prepared.n_train
    onehot = np.eye(3)[prepared.y_test.astype(int)]
    assert bv.variance[0] < 1e-12
    assert bv.test_error[0] == pytest.approx(np.mean(np.sum((onehot - shares) ** 2, axis=1)), rel=1e-6)
    assert bv.test_error[-1] < 0.2 < bv.test_error[0]  # wine is easy: the features remove most of it


def test_support_recovery_of_a_multinomial_path_counts_entries_and_ignores_the_shared_shift():
    from reglab.diagnostics import support_recovery

    data = reglab.make_synthetic("logistic", n=2_000, p=8, k=4, classes=3)
    path = reglab.path(data.frame[data.feature_names], data.frame["y"], family="multinomial")
    truth = data.truth.coef
    recovery = support_recovery(path, truth)
    assert recovery.tpr[0] == 0.0 and recovery.fpr[0] == 0.0  # λ_max: nothing selected
    assert recovery.tpr[-1] == 1.0  # 2,000 rows: every true entry found at the end of the path
    centred = truth - truth.mean(axis=0)
    assert recovery.coef_error[0] == pytest.approx(np.linalg.norm(centred))
    # β and β + c (c shared by the classes) are the same model: the same error
    shifted = support_recovery(path, truth + np.arange(8.0))
    np.testing.assert_allclose(shifted.coef_error, recovery.coef_error, rtol=1e-12)
    assert recovery.coef_error[-1] < 0.2 * recovery.coef_error[0]


def test_one_vs_rest_calibration_bins_keep_each_class_share_and_mean_probability():
    from reglab.diagnostics import calibration_frames

    rng = np.random.default_rng(1)
    prob = rng.dirichlet(np.ones(3), 300)
    y = (rng.random((300, 1)) > np.cumsum(prob, axis=1)).sum(axis=1).astype(float)
    frame = calibration_frames(y, prob, ("a", "b", "c"))
    for k, name in enumerate("abc"):
        part = frame[frame["class"] == name]
        assert part["rows"].sum() == 300
        assert np.average(part["observed"], weights=part["rows"]) == pytest.approx(np.mean(y == k))
        assert np.average(part["predicted"], weights=part["rows"]) == pytest.approx(prob[:, k].mean())
        assert part["predicted"].is_monotonic_increasing


def test_multinomial_api_wine_probabilities_labels_and_kkt():
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    labels = np.array(["barolo", "grignolino", "barbera"])[y]
    path = reglab.path(X, labels, "l1", family="multinomial")
    assert path.coefs.shape == (100, 3, 13) and path.classes == ("barbera", "barolo", "grignolino")
    assert path.kkt.max() <= 1e-8 and path.n_nonzero[0] == 0 and path.n_nonzero[-1] > 8
    fit = path.fit_at(path.lambdas[40])
    prob = fit.predict(X)
    np.testing.assert_allclose(prob.sum(axis=1), 1.0, rtol=1e-12)
    assert (fit.predict_class(X) == labels).mean() > 0.9
    np.testing.assert_allclose(fit.intercept.sum(), 0.0, atol=1e-12)  # centered, as glmnet reports them
    # the same model at the same λ as a direct fit; the intercepts' KKT: Σᵢ(pᵢₖ − yᵢₖ) = 0 for each class
    direct = reglab.fit(X, labels, "l1", path.lambdas[40], family="multinomial")
    np.testing.assert_allclose(direct.coef, fit.coef, rtol=1e-6, atol=1e-9)
    onehot = np.eye(3)[np.searchsorted(path.classes, labels)]
    np.testing.assert_allclose((prob - onehot).sum(axis=0) / len(y), 0.0, atol=1e-9 * path.lambda_max)
    with pytest.raises(reglab.DataError, match="50"):
        reglab.fit(X, np.arange(len(y)) % 60, family="multinomial")


def test_multinomial_elastic_net_and_ridge_default_grids_with_classes_coded_past_1():
    """The default grid's ridge extension reads the null model's curvature per class (class codes
    0, 1, 2 are not a share: the old ȳ(1 − ȳ) went negative and the grid failed)."""
    from test_logistic_reference import make_three_classes

    X, y, _, _ = make_three_classes(160, 6, 17)
    y = np.where(y == 0, 2.0, y)  # mostly codes 1 and 2: mean code > 1
    for penalty, ratio in (("elasticnet", 0.5), ("l2", 0.0)):
        path = reglab.path(X, y, penalty, l1_ratio=ratio, family="multinomial")
        assert np.all(np.isfinite(path.coefs)) and path.kkt.max() <= 1e-8
        plain = reglab.lambda_grid(reglab.prepare(X, y, family="multinomial"), Penalty.of(penalty, ratio), extend=False)
        assert len(path.lambdas) >= len(plain)


def test_penalty_value_of_a_class_matrix_sums_every_class_with_the_same_factors():
    w = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
    pen = Penalty.of("elasticnet", 0.5, [0.0, 1.0, 2.0])
    f = np.array(pen.factors)
    by_hand = sum(f[j] * (0.5 * abs(w[k, j]) + 0.25 * w[k, j] ** 2) for k in range(2) for j in range(3))
    assert pen.value(w) == pytest.approx(by_hand, rel=1e-14)
