"""Built-in and synthetic datasets: seeded, reproducible, and carrying their truth."""

import numpy as np
import pytest

import reglab
from reglab.data import BUILTIN, SYNTHETIC, make_correlated_groups, make_polynomial, make_sparse_linear, make_synthetic


@pytest.mark.parametrize("key, task", [("diabetes", "regression"), ("breast_cancer", "classification"), ("wine", "classification")])
def test_builtins_load_without_downloads(key, task):
    data = reglab.load_builtin(key)
    assert data.task == task and data.target in data.frame and data.description
    assert data.frame.drop(columns=data.target).shape[1] >= 10


def test_synthetic_data_is_reproducible_for_a_seed():
    for kind in SYNTHETIC:
        a, b, c = make_synthetic(kind, seed=1), make_synthetic(kind, seed=1), make_synthetic(kind, seed=2)
        assert a.frame.equals(b.frame) and not a.frame.equals(c.frame)


def test_sparse_linear_truth_and_correlation():
    data = make_sparse_linear(n=20_000, p=6, n_informative=2, noise_sd=0.5, rho=0.6, seed=0)
    X = data.frame[data.feature_names].to_numpy()
    corr = np.corrcoef(X, rowvar=False)
    assert corr[0, 1] == pytest.approx(0.6, abs=0.02) and corr[0, 2] == pytest.approx(0.36, abs=0.02)
    assert np.count_nonzero(data.truth.coef) == 2
    residual = data.frame["y"] - data.truth.mean_response(data.frame, data.feature_names)
    assert residual.std() == pytest.approx(0.5, rel=0.03)


def test_polynomial_truth_is_the_curve():
    data = make_polynomial(n=5000, degree=3, noise_sd=0.2, seed=0)
    assert data.feature_names == ["x", "x^2", "x^3"]
    np.testing.assert_allclose(data.frame["x^3"], data.frame["x"] ** 3)
    residual = data.frame["y"] - data.truth.mean_response(data.frame, data.feature_names)
    assert residual.std() == pytest.approx(0.2, rel=0.05)


def test_correlated_groups_have_the_stated_within_group_correlation():
    data = make_correlated_groups(n=20_000, n_groups=3, group_size=2, within_corr=0.9, seed=0)
    corr = np.corrcoef(data.frame[data.feature_names].to_numpy(), rowvar=False)
    assert corr[0, 1] == pytest.approx(0.9, abs=0.01) and abs(corr[0, 2]) < 0.03
    assert data.truth.coef.tolist() == [1.0, 1.0, 1.0, 1.0, 0.0, 0.0]


def test_generator_parameters_are_checked():
    with pytest.raises(ValueError, match="correlation ρ must lie between 0 and 0.99"):
        make_sparse_linear(rho=1.5)
    with pytest.raises(ValueError, match="sparse has no parameter 'zzz'"):
        make_synthetic("sparse", zzz=1)
    assert set(BUILTIN) == {"diabetes", "breast_cancer", "wine"}


def test_draws_are_new_samples_of_the_same_model():
    first, second = make_synthetic("sparse", seed=4), make_synthetic("sparse", seed=4, draw=1)
    np.testing.assert_array_equal(first.truth.coef, second.truth.coef)
    assert not first.frame.equals(second.frame)
