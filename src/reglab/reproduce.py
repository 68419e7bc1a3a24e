"""The same model in other tools: parameter translations and runnable code snippets.

Our objective (DESIGN.md)::

    1/(2n)·‖y − b − Zw‖² + λ·(α‖w‖₁ + (1−α)/2·‖w‖₂²),   Z standardized (population sd)

* scikit-learn: ``Lasso(alpha=λ)``, ``ElasticNet(alpha=λ, l1_ratio=α)``, ``Ridge(alpha=n·λ)``
  (Ridge minimizes ‖y − Xw‖² + alpha‖w‖², without the 1/(2n): hence the factor n);
  none of them standardizes, so the snippet standardizes with ``StandardScaler`` (ddof = 0).
* R glmnet (gaussian) divides y by its population sd s_y before fitting, which rescales the
  ridge part against the lasso part. Our (λ, α) is glmnet's (λ_g, α_g) with
  ``λ_g = λ·(s_y·(1−α) + α)`` and ``α_g = α / (s_y·(1−α) + α)`` (:func:`glmnet_parameters`;
  the lasso, α = 1, is unchanged). Verified by running the generated R against R glmnet.
* Spark MLlib: ``LinearRegression(regParam, elasticNetParam, standardization=True)`` scales
  the label the same way as glmnet by default; the same translated values are shown, labelled
  as not checked against Spark here.

Logistic regression (``family="binomial"``): mean log-loss + the same penalty. glmnet's binomial
family does not rescale y, so its ``lambda``/``alpha`` are ours; scikit-learn's
``LogisticRegression`` minimizes ``C·Σ log-loss + (l1_ratio‖w‖₁ + (1−l1_ratio)/2‖w‖²)``, i.e.
ours with ``C = 1/(n·λ)``; Spark's ``LogisticRegression(regParam=λ, elasticNetParam=α)``.
"""

from __future__ import annotations

import math

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .datafits import datafit_of
from .export import neutralize
from .objective import Penalty


@dataclass(frozen=True)
class Translation:
    objective: str
    sklearn: str
    glmnet: str
    spark: str
    note: str


def glmnet_parameters(lam: float, l1_ratio: float, y_sd: float) -> tuple[float, float]:
    """glmnet's ``(lambda, alpha)`` for our ``(λ, α)`` on a target of population sd ``y_sd``.

    glmnet minimizes ``1/(2n)‖y/s − Zw̃‖² + λ_g(α_g‖w̃‖₁ + (1−α_g)/2‖w̃‖²)`` and reports
    ``w = s·w̃``. In our units that is ``1/(2n)‖y − Zw‖² + λ_g·α_g‖w‖₁ + λ_g(1−α_g)/(2s)‖w‖²``,
    equal to ours when ``λ_g·α_g = λ·α`` and ``λ_g(1−α_g)/s = λ(1−α)``: solved,
    ``λ_g = λ·(s(1−α) + α)`` and ``α_g = α/(s(1−α) + α)``. A constant target (s = 0) has
    no penalty scale to translate; the values are returned unchanged.
    """
    if not y_sd > 0:
        return float(lam), float(l1_ratio)
    scale = y_sd * (1.0 - l1_ratio) + l1_ratio
    return float(lam * scale), float(l1_ratio / scale)


def glmnet_y_scale(y: ArrayLike, weights: ArrayLike | None = None, intercept: bool = True) -> float:
    """The s_y glmnet's gaussian family divides y by: the population sd of y (weighted by the
    observation weights, normalized to sum 1), or its root mean square without an intercept."""
    y = np.asarray(y, dtype=float)
    v = np.full(len(y), 1.0 / len(y)) if weights is None else np.asarray(weights, dtype=float) / np.sum(weights)
    centre = float(v @ y) if intercept else 0.0
    return float(np.sqrt(v @ (y - centre) ** 2))


def _r_limits(values: tuple[float, ...]) -> str:
    return "c(" + ", ".join("-Inf" if v == -np.inf else "Inf" if v == np.inf else repr(float(v)) for v in values) + ")"


def _r_penalty_arguments(penalty: Penalty) -> str:
    """glmnet's ``penalty.factor``, ``lower.limits`` and ``upper.limits`` arguments, where the penalty has them."""
    limits = "".join(f", {side}.limits = {_r_limits(values)}"
                     for side, values in (("lower", penalty.lower), ("upper", penalty.upper)) if values is not None)
    return _r_penalty_factor(penalty) + limits


def _r_penalty_factor(penalty: Penalty) -> str:
    """glmnet's ``penalty.factor`` argument for a penalty with factors (already rescaled to sum to
    p, which glmnet repeats harmlessly), or nothing for the plain penalty."""
    if penalty.factors is None:
        return ""
    return ", penalty.factor = c(" + ", ".join(repr(float(f)) for f in penalty.factors) + ")"


def nonnegative_only(penalty: Penalty) -> bool:
    """The limits are scikit-learn's ``positive=True``: every lower limit 0, no upper limit."""
    return penalty.lower is not None and set(penalty.lower) == {0.0} and penalty.upper is None


#: What the scikit-learn and Spark translations say of coefficient limits they cannot express.
NO_LIMITS_IN_SKLEARN = ("scikit-learn and Spark have no per-coefficient limits (glmnet's lower.limits / upper.limits; "
                        "scikit-learn's positive=True is all lower limits 0): their lines give the unbounded model.")


def _limits_note(penalty: Penalty) -> str:
    return "" if not penalty.bounded or nonnegative_only(penalty) else " " + NO_LIMITS_IN_SKLEARN


def _limits_text(penalty: Penalty) -> str:
    """The objective's constraint, in words."""
    if not penalty.bounded:
        return ""
    return "   subject to β ≥ 0" if nonnegative_only(penalty) else "   subject to lower ≤ β ≤ upper (per feature)"


#: What the Python script and the scikit-learn/Spark translations say when the model has penalty factors.
NO_FACTORS_IN_SKLEARN = ("scikit-learn and Spark have no per-feature penalty factors (glmnet's penalty.factor): "
                         "their lines give the model without them. glmnet's line has them.")


#: What the translations and scripts say when the features come in groups.
NO_GROUPS_ANYWHERE = ("Neither scikit-learn, glmnet nor Spark fits the group lasso: their lines give the ungrouped model "
                      "(each one-hot column penalized on its own), not this one. R's grpreg and gglasso fit group "
                      "lassos with their own scaling conventions (not checked here).")


def _no_groups_comment(penalty: Penalty, language: str) -> str:
    """A script's warning, in the code and when it runs, that it fits the ungrouped model."""
    if not penalty.grouped:
        return ""
    tool = "scikit-learn" if language == "python" else "glmnet"
    say = "print('NOTE: ungrouped model ({} has no group lasso)')\n" if language == "python" else \
          "cat(\"NOTE: ungrouped model ({} has no group lasso)\\n\")\n"
    return (f"# NOTE: {tool} has no group lasso, so this script penalizes each one-hot column on its own:\n"
            "# not the page's grouped model (its coefficients will differ).\n" + say.format(tool))


def _penalty_text(penalty: Penalty, lam: float) -> str:
    if penalty.grouped:
        a = penalty.alpha
        inner = "‖w_g‖₂" if a == 1.0 else ("‖w_g‖₂²/2" if a == 0.0 else f"({a:g}·‖w_g‖₂ + {(1 - a):.6g}/2·‖w_g‖₂²)")
        return f"{lam:.6g}·Σ_g √|g|·{inner}"
    a = penalty.alpha
    if a == 1.0:
        return f"{lam:.6g}·‖w‖₁"
    if a == 0.0:
        return f"{lam:.6g}/2·‖w‖₂²"
    return f"{lam:.6g}·({a:g}·‖w‖₁ + {(1 - a):.6g}/2·‖w‖₂²)"


def _translate_logistic(penalty: Penalty, lam: float, n_samples: int, family: str = "binomial") -> Translation:
    a = penalty.alpha
    c_value = 1.0 / (n_samples * lam)
    solver = "" if a == 0.0 else ", solver='saga'"
    return Translation(
        objective=f"(1/n)·Σ log-loss + {_penalty_text(penalty, lam)}   (n = {n_samples}){_limits_text(penalty)}",
        sklearn=f"LogisticRegression(C={c_value:.6g}, l1_ratio={a:g}{solver})   # C = 1/(n·λ)",
        glmnet=f'glmnet(x, y, family = "{family}", alpha = {a:g}, lambda = {lam:.6g}, standardize = TRUE'
               f'{_r_penalty_arguments(penalty)})',

        spark=f"LogisticRegression(regParam={lam:.6g}, elasticNetParam={a:g}, standardization=True)",
        note="scikit-learn: fit on standardized features (population sd); its C is 1/(n·λ). glmnet's " + family
             + " family does not rescale y, so its lambda and alpha are ours (checked against R glmnet). Spark: not checked here."
             + ("" if penalty.factors is None else " " + NO_FACTORS_IN_SKLEARN)
             + (" " + NO_LIMITS_IN_SKLEARN if penalty.bounded else "")
             + (" " + NO_GROUPS_ANYWHERE if penalty.grouped else ""),
    )


#: scikit-learn's PoissonRegressor penalizes with an L2 term only.
NO_L1_POISSON_IN_SKLEARN = ("scikit-learn's PoissonRegressor has an L2 penalty only: no lasso or elastic net for "
                            "counts there (its alpha is our λ for ridge, on standardized features).")


def _translate_poisson(penalty: Penalty, lam: float, n_samples: int) -> Translation:
    a = penalty.alpha
    sklearn = (f"PoissonRegressor(alpha={lam:.6g})   # ridge only: alpha = λ" if a == 0.0
               else "no equivalent: " + NO_L1_POISSON_IN_SKLEARN)
    return Translation(
        objective=f"(1/n)·Σ (e^η − y·η) + {_penalty_text(penalty, lam)}   (n = {n_samples}; η = offset + b + Zw)"
                  f"{_limits_text(penalty)}",
        sklearn=sklearn,
        glmnet=f'glmnet(x, y, family = "poisson", alpha = {a:g}, lambda = {lam:.6g}, standardize = TRUE'
               f'{_r_penalty_arguments(penalty)})',
        spark=f'GeneralizedLinearRegression(family="poisson", link="log", regParam={lam:.6g})   # L2 only',
        note="glmnet's poisson family does not rescale y, so its lambda and alpha are ours (checked against R glmnet). "
             + NO_L1_POISSON_IN_SKLEARN + " Spark's GeneralizedLinearRegression is L2 only too: not checked here."
             + ("" if penalty.factors is None else " " + NO_FACTORS_IN_SKLEARN)
             + (" " + NO_LIMITS_IN_SKLEARN if penalty.bounded else ""),
    )


def translate(penalty: Penalty, lam: float, y_train: ArrayLike, family: str = "gaussian") -> Translation:
    """This model's parameters in scikit-learn, glmnet and Spark terms, for training target ``y_train``.

    Its length n maps Ridge's alpha (n·λ); its population sd maps glmnet's and Spark's λ and α
    (see :func:`glmnet_parameters`). ``family="binomial"``: logistic regression (module docstring).
    """
    datafit = datafit_of(family)
    if datafit.classifier:
        return _translate_logistic(penalty, float(lam), len(np.asarray(y_train)), datafit.family)
    if datafit.counts:  # Poisson regression: glmnet does not rescale counts
        return _translate_poisson(penalty, float(lam), len(np.asarray(y_train)))
    y = np.asarray(y_train, dtype=float)
    n_samples, y_sd = len(y), glmnet_y_scale(y)
    a = penalty.alpha
    lam_g, a_g = glmnet_parameters(lam, a, y_sd)
    objective = f"1/(2n)·‖y − b − Zw‖² + {_penalty_text(penalty, lam)}"
    positive = ", positive=True" if nonnegative_only(penalty) else ""
    if penalty.name == "l1" or a == 1.0:
        sk = f"Lasso(alpha={lam:.6g}{positive})"
    elif a == 0.0:
        sk = f"Ridge(alpha={n_samples * lam:.6g}{positive})   # = n·λ = {n_samples} × {lam:.6g}"
    else:
        sk = f"ElasticNet(alpha={lam:.6g}, l1_ratio={a:g}{positive})"
    scaled = a < 1.0 and y_sd > 0 and abs(y_sd - 1.0) > 1e-12
    return Translation(
        objective=objective + f"   (n = {n_samples}){_limits_text(penalty)}",
        sklearn=sk,
        glmnet=f"glmnet(x, y, alpha = {a_g:.6g}, lambda = {lam_g:.6g}, standardize = TRUE{_r_penalty_arguments(penalty)})",
        spark=f"LinearRegression(regParam={lam_g:.6g}, elasticNetParam={a_g:.6g}, standardization=True)",
        note="scikit-learn: fit on standardized features (population sd) to get these coefficients. "
        + (f"glmnet divides y by its sd (here {y_sd:.6g}) before fitting, so for ridge and elastic net its lambda and "
           "alpha differ from ours; the values above give the same model (checked against R glmnet). "
           "Spark scales y the same way by default (not checked here)." if scaled else
           "glmnet and Spark standardize features internally, as we do; for the lasso their λ is ours.")
        + ("" if penalty.factors is None else " " + NO_FACTORS_IN_SKLEARN)
        + _limits_note(penalty)
        + (" " + NO_GROUPS_ANYWHERE if penalty.grouped else ""),
    )


def _sklearn_model(penalty: Penalty, lam: float) -> str:
    lam = float(lam)  # a numpy scalar's repr would leak "np.float64(…)" into the code
    positive = ", positive=True" if nonnegative_only(penalty) else ""
    if penalty.alpha == 1.0:
        return f"Lasso(alpha={lam!r}{positive}, tol=1e-12, max_iter=1_000_000)"
    if penalty.alpha == 0.0:  # scikit-learn's Ridge alpha is n·λ; positive=True needs its lbfgs solver
        return (f"Ridge(alpha=len(y) * {lam!r}, solver='lbfgs', positive=True, tol=1e-12)" if positive
                else f"Ridge(alpha=len(y) * {lam!r}, solver='svd')")
    return f"ElasticNet(alpha={lam!r}, l1_ratio={penalty.alpha!r}{positive}, tol=1e-12, max_iter=1_000_000)"


def _sklearn_classifier(penalty: Penalty, lam: float) -> str:
    lam = float(lam)
    solver = "" if penalty.alpha == 0.0 else ", solver='saga'"  # the only solver with L1 and a free intercept
    return f"LogisticRegression(C=1 / (len(y) * {lam!r}), l1_ratio={float(penalty.alpha)!r}{solver}, tol=1e-12, max_iter=1_000_000)"


def python_snippet(penalty: Penalty, lam: float, feature_names: tuple[str, ...], target: str,
                   csv_name: str, standardize: bool = True, positive_class: str | None = None) -> str:
    """A runnable scikit-learn script that refits this model on ``csv_name`` and prints β₀ and β.

    With ``positive_class`` (logistic regression) the target column is read as text and coded
    1 for that class, 0 for the other; the model is ``LogisticRegression(C = 1/(n·λ))``.
    """
    classifier = positive_class is not None
    model = _sklearn_classifier(penalty, lam) if classifier else _sklearn_model(penalty, lam)
    cls = model.split("(")[0]
    note = ("# scikit-learn's Ridge alpha is n·λ (it has no 1/(2n) in front of the squared error)\n"
            if penalty.alpha == 0.0 and not classifier else "")
    if classifier:
        note = "# scikit-learn's C is 1/(n·λ): it multiplies the summed log-loss instead of dividing the penalty\n"
    if standardize:
        prepare_x = note + (
            "scaler = StandardScaler().fit(X)   # population sd (ddof=0), as reglab\n"
            "model = {model}.fit(scaler.transform(X), y)\n"
            "coef = model.coef_ / scaler.scale_   # back to the original units\n"
            "intercept = model.intercept_ - coef @ scaler.mean_\n"
        )
    else:
        prepare_x = note + "model = {model}.fit(X, y)\ncoef = model.coef_\nintercept = model.intercept_\n"
    target_name = neutralize(target)
    if classifier:  # labels compared as text, exactly as written in the file
        read = f"data = pd.read_csv({csv_name!r}, dtype={{{target_name!r}: str}})\n"
        target_line = f"y = (data[{target_name!r}] == {neutralize(str(positive_class))!r}).to_numpy(dtype=int)   # 1 = positive class\n"
    else:
        read = f"data = pd.read_csv({csv_name!r})\n"
        target_line = f"y = data[{target_name!r}].to_numpy(dtype=float)\n"
    return (
        "# Refit the Regularization Lab model with scikit-learn.\n"
        + _no_factors_comment(penalty, classifier) + _no_groups_comment(penalty, "python")
        + "import pandas as pd\n"
        f"from sklearn.linear_model import {cls}\nfrom sklearn.preprocessing import StandardScaler\n\n"
        + read
        # Python's repr of a str is a string literal; names as the training CSV's header writes them.
        + f"features = {[neutralize(n) for n in feature_names]!r}\n"
        f"X = data[features].to_numpy(dtype=float)\n" + target_line
        + (prepare_x.format(model=model) if not classifier else
           prepare_x.format(model=model).replace("model.coef_", "model.coef_[0]").replace("model.intercept_", "model.intercept_[0]"))
        + "print('intercept', repr(float(intercept)))\n"
        "for name, value in zip(features, coef):\n"
        "    print(name, repr(float(value)))\n"
    )


def _no_factors_comment(penalty: Penalty, classifier: bool = False) -> str:
    """The Python script's warning, in the code and when it runs, that it lacks the penalty factors
    (or the coefficient limits: scikit-learn has positive=True only, and not for logistic regression)."""
    text = ""
    if penalty.factors is not None:
        text += ("# NOTE: scikit-learn has no per-feature penalty factors (glmnet's penalty.factor), so this script fits\n"
                 "# the model WITHOUT them: not the page's model. The R script fits the same model.\n"
                 "print('NOTE: without the penalty factors (scikit-learn has none); the R script has them')\n")
    if penalty.bounded and (classifier or not nonnegative_only(penalty)):
        text += ("# NOTE: scikit-learn has no per-coefficient limits (glmnet's lower.limits / upper.limits; only\n"
                 "# positive=True, all lower limits 0, for least squares), so this script fits the model WITHOUT them.\n"
                 "print('NOTE: without the coefficient limits (scikit-learn cannot); the R script has them')\n")
    return text


def r_string(text: str) -> str:
    """``text`` as an R string literal (double-quoted), safe for any characters.

    Backslash and double quote are escaped, control characters written as ``\\xhh``, and every
    non-ASCII character as ``\\u{hhhh}`` so the script's own encoding cannot change a name.
    R strings cannot hold NUL at all; the loader never produces one in a name, and one here
    is refused rather than silently dropped.
    """
    if "\x00" in text:
        raise ValueError("R strings cannot contain NUL characters.")
    out = []
    for ch in text:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code > 0x7E:
            out.append(f"\\u{{{code:04x}}}" if code <= 0xFFFF else f"\\U{{{code:08x}}}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def r_snippet(penalty: Penalty, lam: float, feature_names: tuple[str, ...], target: str, csv_name: str,
              standardize: bool = True, positive_class: str | None = None) -> str:
    """The same model in R with glmnet: λ and α translated through sd(y) in the script itself
    (glmnet's own convention, see :func:`glmnet_parameters`), solved to glmnet's tightest threshold.
    With ``positive_class``: ``family = "binomial"`` on y = 1 for that class (λ and α unchanged)."""
    lam = float(lam)
    # Names come from the user's file: every one is an escaped R string literal, never code.
    # Columns are looked up as the training CSV's header writes them (export.neutralize).
    cols = ", ".join(r_string(neutralize(n)) for n in feature_names)
    if positive_class is not None:
        return (
            "# Refit the Regularization Lab model with R's glmnet (same objective and λ).\n"
            + _no_groups_comment(penalty, "r") +
            "library(glmnet)\n"
            f"data <- read.csv({r_string(csv_name)}, check.names = FALSE, fileEncoding = \"UTF-8-BOM\", "
            "colClasses = \"character\")\n"
            f"x <- sapply(data[, c({cols}), drop = FALSE], as.numeric)\n"
            f"y <- as.integer(data[[{r_string(neutralize(target))}]] == {r_string(neutralize(str(positive_class)))})"
            "   # 1 = positive class\n"
            f"fit <- glmnet(x, y, family = \"binomial\", alpha = {float(penalty.alpha)!r}, lambda = {lam!r}, "
            f"standardize = {'TRUE' if standardize else 'FALSE'}{_r_penalty_arguments(penalty)}, thresh = 1e-20, maxit = 1e7)\n"
            "print(coef(fit))\n"
        )
    return (
        "# Refit the Regularization Lab model with R's glmnet (same objective and λ).\n"
        + _no_groups_comment(penalty, "r") +
        "library(glmnet)\n"
        f"data <- read.csv({r_string(csv_name)}, check.names = FALSE, fileEncoding = \"UTF-8-BOM\")\n"
        f"x <- as.matrix(data[, c({cols}), drop = FALSE])\n"
        f"y <- data[[{r_string(neutralize(target))}]]\n"
        f"lam <- {lam!r}; a <- {float(penalty.alpha)!r}   # Regularization Lab's λ and α\n"
        "# glmnet divides y by its population sd before fitting; translate so the ridge part keeps its weight.\n"
        "sy <- sqrt(mean((y - mean(y))^2))\n"
        # (not named "scale": glmnet's relax = TRUE re-evaluates this call where base R's scale() would win)
        "y_scale <- if (sy > 0) sy * (1 - a) + a else 1\n"
        f"fit <- glmnet(x, y, alpha = a / y_scale, lambda = lam * y_scale, standardize = {'TRUE' if standardize else 'FALSE'}"
        f"{_r_penalty_arguments(penalty)}, thresh = 1e-20, maxit = 1e7)\n"
        "print(coef(fit))\n"
    )


def multinomial_python_snippet(penalty: Penalty, lam: float, feature_names: tuple[str, ...], target: str,
                               csv_name: str, standardize: bool = True) -> str:
    """A runnable scikit-learn script refitting a multinomial model (``LogisticRegression`` is
    multinomial for three or more classes: the same ungrouped penalty on every class's weights,
    ``C = 1/(n·λ)``); prints each class's intercept (centered, as reglab's) and coefficients."""
    lam = float(lam)
    solver = "" if penalty.alpha == 0.0 else ", solver='saga'"
    model = (f"LogisticRegression(C=1 / (len(y) * {lam!r}), l1_ratio={float(penalty.alpha)!r}{solver}, "
             "tol=1e-12, max_iter=1_000_000)")
    target_name = neutralize(target)
    fit_lines = (
        "scaler = StandardScaler().fit(X)   # population sd (ddof=0), as reglab\n"
        f"model = {model}.fit(scaler.transform(X), y)\n"
        "coef = model.coef_ / scaler.scale_   # one row per class (model.classes_), original units\n"
        "intercept = model.intercept_ - coef @ scaler.mean_\n"
    ) if standardize else f"model = {model}.fit(X, y)\ncoef = model.coef_\nintercept = model.intercept_.copy()\n"
    return (
        "# Refit the Regularization Lab model with scikit-learn (multinomial: one coefficient row per class).\n"
        + _no_factors_comment(penalty) + _no_groups_comment(penalty, "python")
        + "import pandas as pd\n"
        "from sklearn.linear_model import LogisticRegression\nfrom sklearn.preprocessing import StandardScaler\n\n"
        f"data = pd.read_csv({csv_name!r}, dtype={{{target_name!r}: str}})\n"
        f"features = {[neutralize(n) for n in feature_names]!r}\n"
        "X = data[features].to_numpy(dtype=float)\n"
        f"y = data[{target_name!r}].to_numpy()\n"
        "# scikit-learn's C is 1/(n·λ): it multiplies the summed log-loss instead of dividing the penalty\n"
        + fit_lines
        + "intercept -= intercept.mean()   # only differences between classes matter: centered, as reglab and glmnet\n"
        "for label, b, row in zip(model.classes_, intercept, coef):\n"
        "    print(label, 'intercept', repr(float(b)))\n"
        "    for name, value in zip(features, row):\n"
        "        print(label, name, repr(float(value)))\n"
    )


def multinomial_r_snippet(penalty: Penalty, lam: float, feature_names: tuple[str, ...], target: str, csv_name: str,
                          standardize: bool = True, lambda_start: float | None = None) -> str:
    """The same multinomial model in R: ``glmnet(family = "multinomial")`` on the class labels as a
    factor, λ and α unchanged (glmnet does not rescale y for classifiers).

    glmnet's multinomial solver started cold at one small λ can stop at ``maxit`` ("Convergence for
    1th lambda value not reached"), so the script fits a decreasing sequence from ``lambda_start``
    (the page's λ_max) down to λ, ~10 steps per decade as glmnet's own grid, warm-starting each
    from the last, and reads the model at λ, the sequence's last value."""
    cols = ", ".join(r_string(neutralize(n)) for n in feature_names)
    lam = float(lam)
    if lambda_start is not None and float(lambda_start) > lam:
        steps = max(2, math.ceil(10 * math.log10(float(lambda_start) / lam)) + 1)
        sequence = (f"lambdas <- c(exp(seq(log({float(lambda_start)!r}), log(lam), length.out = {steps}))[-{steps}], lam)"
                    "   # warm starts from λ_max down to λ\n")
    else:
        sequence = "lambdas <- lam\n"
    return (
        "# Refit the Regularization Lab model with R's glmnet (same objective and λ; one coefficient vector per class).\n"
        "library(glmnet)\n"
        f"data <- read.csv({r_string(csv_name)}, check.names = FALSE, fileEncoding = \"UTF-8-BOM\", "
        "colClasses = \"character\")\n"
        f"x <- sapply(data[, c({cols}), drop = FALSE], as.numeric)\n"
        f"y <- factor(data[[{r_string(neutralize(target))}]])\n"
        f"lam <- {lam!r}\n"
        + sequence +
        f"fit <- glmnet(x, y, family = \"multinomial\", alpha = {float(penalty.alpha)!r}, lambda = lambdas, "
        f"standardize = {'TRUE' if standardize else 'FALSE'}{_r_penalty_arguments(penalty)}, thresh = 1e-20, maxit = 1e7)\n"
        "print(coef(fit, s = lam))   # one column per class: intercept, then the features\n"
    )


def relaxed_r_snippet(penalty: Penalty, lam: float, gamma: float, feature_names: tuple[str, ...], target: str,
                      csv_name: str, standardize: bool = True, positive_class: str | None = None,
                      counts_from: float | None = None) -> str:
    """The relaxed model at (λ, γ) in R: :func:`r_snippet`'s glmnet call with ``relax = TRUE``, its
    coefficients at ``gamma`` (glmnet blends as reglab.relaxed: γ·β̂ + (1 − γ)·β̃, γ ≥ 1e-5).
    With ``positive_class``: the two-class logistic model (λ needs no translation there). With
    ``counts_from`` (the path's λ_max): the Poisson model of :func:`poisson_r_snippet`, warm-started
    from there. scikit-learn has no relaxed lasso; the page says so."""
    if counts_from is not None:
        return poisson_r_snippet(penalty, lam, feature_names, target, csv_name, standardize, counts_from, gamma=gamma)
    script = r_snippet(penalty, lam, feature_names, target, csv_name, standardize, positive_class)
    # Two λ values: glmnet 4.1's relaxed blend breaks on a one-λ fit (R drops its matrix to a vector).
    if positive_class is not None:
        lam = float(lam)
        script = script.replace(f"lambda = {lam!r},", f"lambda = {lam!r} * c(2, 1),", 1)
        at = f"s = {lam!r}"
    else:
        script = script.replace("lambda = lam * y_scale,", "lambda = lam * y_scale * c(2, 1),", 1)
        at = "s = lam * y_scale"
    script = script.replace(", thresh = 1e-20", ", relax = TRUE, thresh = 1e-20", 1)
    return script.replace("print(coef(fit))\n", f"print(coef(fit, {at}, gamma = {float(gamma)!r}))"
                                                   "   # γ: 1 = the lasso, 0 = its refit\n")


def poisson_r_snippet(penalty: Penalty, lam: float, feature_names: tuple[str, ...], target: str, csv_name: str,
                      standardize: bool = True, lambda_start: float | None = None, gamma: float | None = None) -> str:
    """The same Poisson model in R: ``glmnet(family = "poisson")``, λ and α as ours (glmnet does not
    rescale counts), warm-started along a sequence from ``lambda_start`` (the path's λ_max: ~10 λ a
    decade, as glmnet's own path) down to λ, whose fit (the last) is printed: a cold start at a
    small λ is where glmnet's Newton steps are slowest. Prints β₀ and β. With ``gamma``: the relaxed
    fit (``relax = TRUE``) at (λ, γ), the sequence at least two λ long (glmnet's relaxed blend breaks
    on a one-λ fit)."""
    lam = float(lam)
    cols = ", ".join(r_string(neutralize(n)) for n in feature_names)
    start = max(float(lambda_start if lambda_start is not None else lam), 2.0 * lam if gamma is not None else lam)
    steps = max(2, int(math.ceil(10 * math.log10(start / lam))) + 1) if start > lam else 1
    sequence = (f"lambdas <- exp(seq(log({start!r}), log({lam!r}), length.out = {steps}))\n" if steps > 1
                else f"lambdas <- {lam!r}\n")
    return (
        "# Refit the Regularization Lab Poisson model with R's glmnet (same objective and λ: no rescaling of counts).\n"
        + _no_groups_comment(penalty, "r") +
        "library(glmnet)\n"
        f"data <- read.csv({r_string(csv_name)}, check.names = FALSE, fileEncoding = \"UTF-8-BOM\")\n"
        f"x <- as.matrix(data[, c({cols}), drop = FALSE])\n"
        f"y <- data[[{r_string(neutralize(target))}]]   # counts (whole numbers >= 0)\n"
        + sequence +
        f"fit <- glmnet(x, y, family = \"poisson\", alpha = {float(penalty.alpha)!r}, lambda = lambdas, "
        f"standardize = {'TRUE' if standardize else 'FALSE'}{_r_penalty_arguments(penalty)}"
        f"{', relax = TRUE' if gamma is not None else ''}, thresh = 1e-20, maxit = 1e7)\n"
        + ("print(coef(fit)[, length(lambdas)])   # the last λ of the sequence is λ itself\n" if gamma is None else
           f"print(coef(fit, s = {lam!r}, gamma = {float(gamma)!r})[, 1])   # γ: 1 = the lasso, 0 = its refit\n")
    )


def poisson_python_snippet(penalty: Penalty, lam: float, feature_names: tuple[str, ...], target: str,
                           csv_name: str, standardize: bool = True) -> str:
    """A runnable scikit-learn script for a Poisson model: ``PoissonRegressor(alpha=λ)`` is our ridge
    on standardized features; scikit-learn has no L1 penalty for counts, so for the lasso and the
    elastic net the script says so and fits the ridge at the same λ, the nearest it offers."""
    cols = ", ".join(repr(neutralize(n)) for n in feature_names)
    exact = penalty.alpha == 0.0 and penalty.factors is None and not penalty.bounded
    note = ("# PoissonRegressor minimizes (1/(2n))·Σ deviance + alpha/2·‖w‖²: our ridge objective, alpha = λ.\n" if exact
            else "# " + NO_L1_POISSON_IN_SKLEARN + "\n# This fits the ridge at the same λ instead: NOT the page's model.\n")
    scale = ("scaler = StandardScaler().fit(X)   # population sd (ddof=0), as reglab\nZ = scaler.transform(X)\n"
             if standardize else "Z = X\n")
    back = ("coef = model.coef_ / scaler.scale_\nintercept = model.intercept_ - coef @ scaler.mean_\n" if standardize
            else "coef = model.coef_\nintercept = model.intercept_\n")
    return (
        _no_factors_comment(penalty, classifier=True)
        + "import pandas as pd\n"
        "from sklearn.linear_model import PoissonRegressor\n"
        "from sklearn.preprocessing import StandardScaler\n\n"
        f"data = pd.read_csv({csv_name!r})\n"
        f"columns = [{cols}]\n"
        "X = data[columns].to_numpy(dtype=float)\n"
        f"y = data[{neutralize(target)!r}].to_numpy(dtype=float)   # counts\n"
        + note + scale
        + f"model = PoissonRegressor(alpha={float(lam)!r}, tol=1e-12, max_iter=10_000).fit(Z, y)\n"
        + back
        + "print('intercept', intercept)\nprint(dict(zip(columns, coef)))\n"
    )
