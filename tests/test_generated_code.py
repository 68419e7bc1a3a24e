"""Generated scripts with hostile column names: run for real in Python and R, only the fit happens.

Column names come from users' files. The scikit-learn and glmnet scripts quote every name as
a string literal; these tests run them (R from Debian's r-base-core and r-cran-glmnet, which
`.ci/run` installs) and check that the names were data, never code: no file appears but the
ones the test expects, nothing is printed but coefficients, and the fit reproduces ours.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import reglab
from reglab.export import safe_csv
from reglab.objective import Penalty
from reglab.reproduce import python_snippet, r_snippet, r_string

HOSTILE = [
    'y"]]; writeLines("pwned", "r_pwned.txt"); z <- data[["y',
    "'); open('py_pwned.txt', 'w').write('x'); ('",
    '"); import os; os.system("touch py_pwned2.txt"); ("',
    "[x](http://e) **b** \"]]; q <- 1",
    "back\\slash \\\"]]; system('touch r_pwned2.txt') #",
    "=cmd|' /C calc'!A0",
    "Größe € ✓",
    "${system('touch r_pwned3.txt')} `ls`",
]
TARGET = 'target"]]; file.create("r_pwned4.txt"); x <- c("'


def hostile_problem():
    rng = np.random.default_rng(3)
    n, p = 120, len(HOSTILE)
    X = rng.normal(size=(n, p)) * rng.uniform(0.5, 5, p) + rng.normal(0, 3, p)
    y = X[:, :3] @ np.array([1.5, -2.0, 0.7]) + rng.normal(size=n)
    return X, y


def expected_fit(standardize=True):
    X, y = hostile_problem()
    design = reglab.prepare(X, y, standardize, tuple(HOSTILE))
    pen = Penalty.of("l1")
    lam = 0.05 * reglab.lambda_grid(design, pen)[0]
    return X, y, pen, lam, reglab.fitting.fit_design(design, pen, lam)


def write_training_csv(tmp_path, X, y):
    frame = pd.DataFrame(X, columns=HOSTILE)
    frame[TARGET] = y
    (tmp_path / "train.csv").write_bytes(safe_csv(frame))


def files_in(path):
    return sorted(p.name for p in path.iterdir())


@pytest.mark.parametrize("text", ["", "plain", 'a"b', "a\\b", "tab\there", "line\nbreak", "é ü ß € ✓ 𝛌", "\x7f\x01"])
def test_r_string_round_trips_through_r(text):
    if shutil.which("Rscript") is None:
        pytest.fail("Rscript is missing: install Debian's r-base-core (`.ci/run` does it).")
    run = subprocess.run(["Rscript", "-e", f"cat(utf8ToInt({r_string(text)}), sep=' ')"], capture_output=True,
                         text=True, timeout=60, env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert run.returncode == 0, run.stderr
    assert [int(v) for v in run.stdout.split()] == [ord(c) for c in text]


def test_r_string_refuses_nul():
    with pytest.raises(ValueError):
        r_string("a\x00b")


def test_generated_python_script_treats_hostile_names_as_data(tmp_path):
    X, y, pen, lam, fit = expected_fit()
    write_training_csv(tmp_path, X, y)
    (tmp_path / "refit.py").write_text(python_snippet(pen, lam, tuple(HOSTILE), TARGET, "train.csv"))
    run = subprocess.run([sys.executable, "refit.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert files_in(tmp_path) == ["refit.py", "train.csv"]
    lines = run.stdout.strip().splitlines()
    assert lines[0] == f"intercept {fit.intercept!r}" or float(lines[0].split()[-1]) == pytest.approx(fit.intercept, rel=1e-6)
    shown = np.array([float(line.rsplit(" ", 1)[1]) for line in lines[1:]])
    assert len(shown) == len(HOSTILE)
    np.testing.assert_allclose(shown, fit.coef, rtol=1e-6, atol=1e-6 * np.abs(fit.coef).max())


def test_generated_r_script_treats_hostile_names_as_data(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.fail("Rscript is missing: install Debian's r-base-core and r-cran-glmnet (`.ci/run` does it).")
    X, y, pen, lam, fit = expected_fit()
    write_training_csv(tmp_path, X, y)
    script = r_snippet(pen, lam, tuple(HOSTILE), TARGET, "train.csv")
    # The test's own epilogue writes the coefficients where the test can read them by position.
    (tmp_path / "refit.R").write_text(script + 'write(as.vector(as.matrix(coef(fit))), "coef.txt", ncolumns = 1)\n')
    run = subprocess.run(["Rscript", "refit.R"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert run.returncode == 0, run.stderr
    assert files_in(tmp_path) == ["coef.txt", "refit.R", "train.csv"]
    assert "pwned" not in [line.strip() for line in (run.stdout + run.stderr).splitlines()]
    values = np.loadtxt(tmp_path / "coef.txt")
    assert values[0] == pytest.approx(fit.intercept, rel=1e-6)
    np.testing.assert_allclose(values[1:], fit.coef, rtol=1e-6, atol=1e-6 * np.abs(fit.coef).max())


def run_r(tmp_path, script: str) -> np.ndarray:
    if shutil.which("Rscript") is None:
        pytest.fail("Rscript is missing: install Debian's r-base-core and r-cran-glmnet (`.ci/run` does it).")
    (tmp_path / "refit.R").write_text(script + 'write(as.vector(as.matrix(coef(fit))), "coef.txt", ncolumns = 1)\n')
    run = subprocess.run(["Rscript", "refit.R"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert run.returncode == 0, run.stderr
    return np.loadtxt(tmp_path / "coef.txt")


@pytest.mark.parametrize("penalty, ratio, standardize_on", [("l2", 0.0, True), ("elasticnet", 0.5, True),
                                                             ("elasticnet", 0.2, False), ("l1", 1.0, True)])
def test_generated_r_script_reproduces_the_page_for_every_penalty_when_sd_y_is_not_1(tmp_path, penalty, ratio,
                                                                                     standardize_on):
    """glmnet divides y by sd(y): without translating λ and α, ridge and elastic net differ by 13–95 %.
    The generated script translates in R itself; its coefficients equal ours to 1e-6."""
    X, y = hostile_problem()
    y = 7.0 * y + 40.0  # sd(y) ≈ 19, far from 1
    names = tuple(f"x{j}" for j in range(X.shape[1]))
    design = reglab.prepare(X, y, standardize_on, names)
    pen = Penalty.of(penalty, ratio)
    lam = 0.03 * reglab.lambda_grid(design, pen)[0]
    fit = reglab.fitting.fit_design(design, pen, lam)
    frame = pd.DataFrame(X, columns=list(names))
    frame["y"] = y
    (tmp_path / "train.csv").write_bytes(safe_csv(frame))
    values = run_r(tmp_path, r_snippet(pen, lam, names, "y", "train.csv", standardize_on))
    assert values[0] == pytest.approx(fit.intercept, rel=1e-6)
    np.testing.assert_allclose(values[1:], fit.coef, rtol=1e-6, atol=1e-6 * np.abs(fit.coef).max())


def test_the_translators_glmnet_line_gives_the_same_model_in_r(tmp_path):
    from reglab.reproduce import translate

    X, y = hostile_problem()
    y = 0.2 * y  # sd(y) < 1 this time
    pen = Penalty.of("elasticnet", 0.3)
    design = reglab.prepare(X, y)
    lam = 0.05 * reglab.lambda_grid(design, pen)[0]
    fit = reglab.fitting.fit_design(design, pen, lam)
    call = translate(pen, lam, y).glmnet.replace("standardize = TRUE)", "standardize = TRUE, thresh = 1e-20, maxit = 1e7)")
    frame = pd.DataFrame(X, columns=[f"x{j}" for j in range(X.shape[1])])
    frame["y"] = y
    frame.to_csv(tmp_path / "train.csv", index=False)
    script = ("library(glmnet)\ndata <- read.csv('train.csv')\nx <- as.matrix(data[, 1:%d])\ny <- data$y\nfit <- %s\n"
              % (X.shape[1], call))
    values = run_r(tmp_path, script)
    # The line prints λ and α to 6 significant digits (relative error ≤ 5e-7): agreement to ~1e-5.
    np.testing.assert_allclose(values[1:], fit.coef, rtol=1e-5, atol=1e-5 * np.abs(fit.coef).max())


def yes_no_problem():
    """A two-class problem with text labels ("no"/"yes", one of them with an apostrophe-free but
    quote-bearing twin so labels are compared as exact text)."""
    rng = np.random.default_rng(31)
    X = rng.standard_normal((160, 5)) * [1.0, 3.0, 0.5, 2.0, 1.0] + [0.0, 5.0, -2.0, 1.0, 0.0]
    eta = 0.3 + X @ np.array([0.9, -0.3, 1.2, 0.0, 0.0])
    y = np.where(rng.random(160) < 1 / (1 + np.exp(-eta)), 'yes "really"', "no")
    return X, y


@pytest.mark.parametrize("penalty, ratio", [("l1", 1.0), ("elasticnet", 0.5), ("l2", 0.0)])
def test_generated_scripts_reproduce_a_logistic_fit_in_glmnet_and_scikit_learn(tmp_path, penalty, ratio):
    X, labels = yes_no_problem()
    names = tuple(f"x{j}" for j in range(X.shape[1]))
    pen = Penalty.of(penalty, ratio)
    design = reglab.prepare(X, labels, True, names, family="binomial")
    positive = design.classes[1]
    assert positive == 'yes "really"'
    lam = 0.05 * reglab.lambda_grid(design, Penalty.of("elasticnet", max(ratio, 0.5)))[0]
    fit = reglab.fitting.fit_design(design, pen, lam)
    frame = pd.DataFrame(X, columns=list(names))
    frame["label"] = labels
    (tmp_path / "train.csv").write_bytes(safe_csv(frame))
    values = run_r(tmp_path, r_snippet(pen, lam, names, "label", "train.csv", True, positive))
    assert values[0] == pytest.approx(fit.intercept, rel=1e-6)
    np.testing.assert_allclose(values[1:], fit.coef, rtol=1e-6, atol=1e-6 * np.abs(fit.coef).max())
    # scikit-learn's saga/lbfgs at tol 1e-12: the same model to 1e-5 (saga's stopping rule is on the step)
    (tmp_path / "refit.py").write_text(python_snippet(pen, lam, names, "label", "train.csv", True, positive))
    run = subprocess.run([sys.executable, "refit.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    printed = dict(line.split(" ", 1) for line in run.stdout.strip().splitlines())
    assert float(printed["intercept"]) == pytest.approx(fit.intercept, rel=1e-5, abs=1e-6)
    np.testing.assert_allclose([float(printed[n]) for n in names], fit.coef, rtol=1e-5, atol=1e-5 * np.abs(fit.coef).max())


def test_the_translators_logistic_lines_give_the_same_model():
    from sklearn.linear_model import LogisticRegression

    from reglab.reproduce import translate

    X, labels = yes_no_problem()
    y = (labels != "no").astype(float)
    pen = Penalty.of("l2")
    lam = 0.01
    fit = reglab.fit(X, y, "l2", lam, family="binomial")
    text = translate(pen, lam, y, "binomial")
    assert 'family = "binomial", alpha = 0, lambda = 0.01' in text.glmnet
    c_value = float(text.sklearn.split("C=")[1].split(",")[0])
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    model = LogisticRegression(C=c_value, tol=1e-12, max_iter=10_000).fit(Z, y)
    # the line prints C to 6 significant digits
    np.testing.assert_allclose(model.coef_[0], fit.weights, rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("penalty, ratio", [("l1", 1.0), ("l2", 0.0)])
def test_generated_scripts_reproduce_a_multinomial_fit_in_glmnet_and_scikit_learn(tmp_path, penalty, ratio):
    from reglab.reproduce import multinomial_python_snippet, multinomial_r_snippet

    rng = np.random.default_rng(41)
    X = rng.standard_normal((150, 4)) * [1.0, 2.0, 0.5, 1.0] + [0.0, 3.0, -1.0, 0.0]
    eta = np.column_stack([0.8 * X[:, 0], -0.4 * X[:, 1] + 1.2, 1.5 * X[:, 2]])
    prob = np.exp(eta) / np.exp(eta).sum(axis=1, keepdims=True)
    labels = np.array(["red", "green", "blue"])[[rng.choice(3, p=row) for row in prob]]
    names = tuple(f"x{j}" for j in range(4))
    pen = Penalty.of(penalty, ratio)
    fit = reglab.fit(X, labels, penalty, 0.02, family="multinomial", feature_names=names)
    assert fit.classes == ("blue", "green", "red")
    frame = pd.DataFrame(X, columns=list(names))
    frame["colour"] = labels
    (tmp_path / "train.csv").write_bytes(safe_csv(frame))
    script = multinomial_r_snippet(pen, 0.02, names, "colour", "train.csv")
    write = 'write(unlist(lapply(coef(fit, s = lam), function(m) as.vector(as.matrix(m)))), "coef.txt", ncolumns = 1)'
    script = script.replace("print(coef(fit, s = lam))", write + "\n#")
    (tmp_path / "refit.R").write_text(script)
    run = subprocess.run(["Rscript", "refit.R"], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "LC_ALL": "C.UTF-8"})
    assert run.returncode == 0, run.stderr
    values = np.loadtxt(tmp_path / "coef.txt").reshape(3, 5)  # per class: intercept, 4 coefficients
    np.testing.assert_allclose(values[:, 1:], fit.coef, rtol=1e-6, atol=1e-6 * np.abs(fit.coef).max())
    np.testing.assert_allclose(values[:, 0], fit.intercept, rtol=1e-6, atol=1e-6)
    (tmp_path / "refit.py").write_text(multinomial_python_snippet(pen, 0.02, names, "colour", "train.csv"))
    run = subprocess.run([sys.executable, "refit.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    printed = {tuple(line.split(" ")[:2]): float(line.split(" ")[2]) for line in run.stdout.strip().splitlines()}
    for k, label in enumerate(fit.classes):
        assert printed[(label, "intercept")] == pytest.approx(fit.intercept[k], rel=1e-5, abs=1e-6)
        np.testing.assert_allclose([printed[(label, n)] for n in names], fit.coef[k], rtol=1e-5,
                                   atol=1e-5 * np.abs(fit.coef).max())


@pytest.mark.parametrize("family, penalty, ratio", [("gaussian", "l1", 1.0), ("gaussian", "elasticnet", 0.5),
                                                    ("gaussian", "l2", 0.0), ("binomial", "elasticnet", 0.5)])
def test_generated_r_script_carries_the_penalty_factors(tmp_path, family, penalty, ratio):
    """The page's model with penalty factors (one unpenalized feature, one penalized twice as hard)
    is glmnet's with penalty.factor: the R script reproduces it to 1e-6; the Python script says it
    cannot (scikit-learn has no factors), in its code and when run."""
    names = tuple(f"x{j}" for j in range(5))
    factors = (0.0, 2.0, 1.0, 1.0, 0.5)
    if family == "gaussian":
        X, y = hostile_problem()
        X, y = X[:, :5], 7.0 * y + 40.0  # sd(y) ≠ 1: the λ/α translation and the factors together
        design = reglab.prepare(X, y, True, names)
        target, positive = "y", None
    else:
        X, y = yes_no_problem()
        design = reglab.prepare(X, y, True, names, family="binomial")
        target, positive = "label", design.classes[1]
    pen = Penalty.of(penalty, ratio, factors)
    lam = 0.2 * reglab.lambda_grid(design, Penalty.of(penalty if ratio else "elasticnet", max(ratio, 0.5), factors))[0]
    fit = reglab.fitting.fit_design(design, pen, lam)
    assert fit.coef[0] != 0.0  # the unpenalized feature is in the model
    frame = pd.DataFrame(X, columns=list(names))
    frame[target] = y
    (tmp_path / "train.csv").write_bytes(safe_csv(frame))
    script = r_snippet(pen, lam, names, target, "train.csv", True, positive)
    assert "penalty.factor = c(0.0, " in script
    values = run_r(tmp_path, script)
    assert values[0] == pytest.approx(fit.intercept, rel=1e-6)
    np.testing.assert_allclose(values[1:], fit.coef, rtol=1e-6, atol=1e-6 * np.abs(fit.coef).max())
    python = python_snippet(pen, lam, names, target, "train.csv", True, positive)
    assert "has no per-feature penalty factors" in python
    (tmp_path / "refit.py").write_text(python)
    run = subprocess.run([sys.executable, "refit.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("NOTE: without the penalty factors")


@pytest.mark.parametrize("penalty, ratio, gamma", [("l1", 1.0, 0.0), ("elasticnet", 0.5, 0.5)])
def test_generated_relaxed_r_script_reproduces_the_blend(tmp_path, penalty, ratio, gamma):
    """The relaxed tab's R script (glmnet relax = TRUE, coef at γ) gives the page's blend to 1e-6."""
    from reglab.relaxed import relaxed_fit
    from reglab.reproduce import relaxed_r_snippet

    X, y = hostile_problem()
    y = 7.0 * y + 40.0
    names = tuple(f"x{j}" for j in range(X.shape[1]))
    pen = Penalty.of(penalty, ratio)
    lam = 0.1 * reglab.lambda_grid(reglab.prepare(X, y, True, names), pen)[0]
    blended = relaxed_fit(reglab.fit(X, y, penalty, lam, l1_ratio=ratio), X, y, gamma)
    frame = pd.DataFrame(X, columns=list(names))
    frame["y"] = y
    (tmp_path / "train.csv").write_bytes(safe_csv(frame))
    script = relaxed_r_snippet(pen, lam, gamma, names, "y", "train.csv")
    assert f"print(coef(fit, s = lam * y_scale, gamma = {gamma!r}))" in script
    run_r(tmp_path, script + f'write(as.vector(as.matrix(coef(fit, s = lam * y_scale, gamma = {gamma!r}))), '
                             '"relaxed.txt", ncolumns = 1)\n')
    values = np.loadtxt(tmp_path / "relaxed.txt")
    assert values[0] == pytest.approx(blended.intercept, rel=1e-6)
    np.testing.assert_allclose(values[1:], blended.coef, rtol=1e-6, atol=1e-6 * np.abs(blended.coef).max())


def test_generated_binomial_relaxed_r_script_reproduces_the_blend(tmp_path):
    """The relaxed tab's R script for a two-class text target (family = "binomial", relax = TRUE)
    gives the page's logistic blend to 1e-6."""
    from reglab.relaxed import relaxed_fit
    from reglab.reproduce import relaxed_r_snippet

    rng = np.random.default_rng(7)
    X = rng.normal(size=(200, 4)) * [1.0, 3.0, 0.5, 2.0] + [0.0, 5.0, -1.0, 2.0]
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    labels = np.where(rng.uniform(size=200) < 1 / (1 + np.exp(-(Z[:, 0] - Z[:, 1]))), "stay", "churn")
    names = ("a", "b", "c", "d")
    lam = 0.08
    penalized = reglab.fit(X, labels, "l1", lam, family="binomial", positive_class="stay")
    blended = relaxed_fit(penalized, X, labels, 0.25)
    assert blended.gamma == 0.25 and 0 < penalized.n_nonzero < 4
    frame = pd.DataFrame(X, columns=list(names))
    frame["left"] = labels
    (tmp_path / "train.csv").write_bytes(safe_csv(frame))
    script = relaxed_r_snippet(Penalty.of("l1"), lam, 0.25, names, "left", "train.csv", positive_class="stay")
    assert 'family = "binomial"' in script and "relax = TRUE" in script
    run_r(tmp_path, script + f'write(as.vector(as.matrix(coef(fit, s = {lam!r}, gamma = 0.25))), '
                             '"relaxed.txt", ncolumns = 1)\n')
    values = np.loadtxt(tmp_path / "relaxed.txt")
    assert values[0] == pytest.approx(blended.intercept, rel=1e-6)
    np.testing.assert_allclose(values[1:], blended.coef, rtol=1e-6, atol=1e-6 * np.abs(blended.coef).max())


def test_generated_poisson_scripts_treat_hostile_names_as_data(tmp_path):
    """The count model's R and Python scripts, with the hostile names: only the fit happens, and it is
    the page's (R: the lasso to 1e-6; Python: scikit-learn's ridge, the one penalty it has for counts)."""
    from reglab.reproduce import poisson_python_snippet, poisson_r_snippet

    X, _ = hostile_problem()
    Z = (X - X.mean(axis=0)) / X.std(axis=0)
    y = np.random.default_rng(4).poisson(np.exp(0.3 + 0.4 * Z[:, 0] - 0.3 * Z[:, 1])).astype(float)
    write_training_csv(tmp_path, X, y)
    names = tuple(HOSTILE)
    lasso = reglab.path(X, y, "l1", family="poisson", feature_names=names)
    lam = float(lasso.lambdas[20])
    fit = lasso.fit_at(lam)
    # run_r writes every λ column of coef(fit); the script's warm-start sequence ends at λ: the last column
    values = run_r(tmp_path, poisson_r_snippet(Penalty.of("l1"), lam, names, TARGET, "train.csv",
                                               lambda_start=lasso.lambdas[0]))[-(len(names) + 1):]
    assert "pwned" not in " ".join(files_in(tmp_path))
    assert values[0] == pytest.approx(fit.intercept, rel=1e-6)
    np.testing.assert_allclose(values[1:], fit.coef, rtol=1e-6, atol=1e-6 * np.abs(fit.coef).max())
    ridge = reglab.fit(X, y, "l2", lam, family="poisson", feature_names=names)
    (tmp_path / "refit.py").write_text(poisson_python_snippet(Penalty.of("l2"), lam, names, TARGET, "train.csv"))
    run = subprocess.run([sys.executable, "refit.py"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "pwned" not in " ".join(files_in(tmp_path))
    intercept_line, coef_line = run.stdout.strip().splitlines()
    assert float(intercept_line.split()[-1]) == pytest.approx(ridge.intercept, rel=1e-5)
    # a dict of name → number, as Python prints it (numbers as np.float64(…)): read with nothing else in scope
    shown = np.array(list(eval(coef_line, {"__builtins__": {}, "np": SimpleNamespace(float64=float)}).values()))
    np.testing.assert_allclose(shown, ridge.coef, rtol=1e-5, atol=1e-5 * np.abs(ridge.coef).max())


@pytest.mark.parametrize("family, penalty, ratio", [("gaussian", "elasticnet", 0.5), ("binomial", "l1", 1.0)])
def test_generated_scripts_carry_the_coefficient_limits(tmp_path, family, penalty, ratio):
    """The page's model with coefficient limits is glmnet's with lower.limits / upper.limits: the R
    script run for real reproduces it to 1e-6; the Python script fits scikit-learn's positive=True
    where the limits are exactly that, and otherwise says, in its code and when run, that it cannot."""
    names = tuple(f"x{j}" for j in range(5))
    lower, upper = (0.0, -np.inf, -0.2, -np.inf, -np.inf), (np.inf, 0.0, 0.3, np.inf, np.inf)
    if family == "gaussian":
        X, y = hostile_problem()
        X, y = X[:, :5], 7.0 * y + 40.0
        design = reglab.prepare(X, y, True, names)
        target, positive = "y", None
    else:
        X, y = yes_no_problem()
        design = reglab.prepare(X, y, True, names, family="binomial")
        target, positive = "label", design.classes[1]
    pen = Penalty.of(penalty, ratio, lower=lower, upper=upper)
    lam = 0.1 * reglab.lambda_grid(design, Penalty.of(penalty if ratio else "elasticnet", max(ratio, 0.5)))[0]
    fit = reglab.fitting.fit_design(design, pen, lam)
    assert fit.kkt <= 1e-8
    frame = pd.DataFrame(X, columns=list(names))
    frame[target] = y
    (tmp_path / "train.csv").write_bytes(safe_csv(frame))
    script = r_snippet(pen, lam, names, target, "train.csv", True, positive)
    assert "lower.limits = c(0.0, -Inf, -0.2, -Inf, -Inf)" in script
    values = run_r(tmp_path, script)
    assert values[0] == pytest.approx(fit.intercept, rel=1e-6)
    np.testing.assert_allclose(values[1:], fit.coef, rtol=1e-6, atol=1e-6 * np.abs(fit.coef).max())
    python = python_snippet(pen, lam, names, target, "train.csv", True, positive)
    (tmp_path / "refit.py").write_text(python)
    run = subprocess.run([sys.executable, "refit.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("NOTE: without the coefficient limits")
    if family == "gaussian":  # all lower limits 0 is scikit-learn's positive=True: the same model
        nonnegative = Penalty.of(penalty, ratio, lower=0.0)
        fit = reglab.fitting.fit_design(design, nonnegative, lam)
        python = python_snippet(nonnegative, lam, names, target, "train.csv", True, positive)
        assert "positive=True" in python and "NOTE" not in python
        (tmp_path / "refit.py").write_text(python)
        run = subprocess.run([sys.executable, "refit.py"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
        assert run.returncode == 0, run.stderr
        lines = dict(line.split(" ", 1) for line in run.stdout.strip().splitlines())
        np.testing.assert_allclose([float(lines[n]) for n in names], fit.coef, rtol=1e-5,
                                   atol=1e-5 * np.abs(fit.coef).max())
