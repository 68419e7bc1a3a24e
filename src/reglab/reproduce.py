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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

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


def translate(penalty: Penalty, lam: float, y_train: ArrayLike) -> Translation:
    """This model's parameters in scikit-learn, glmnet and Spark terms, for training target ``y_train``.

    Its length n maps Ridge's alpha (n·λ); its population sd maps glmnet's and Spark's λ and α
    (see :func:`glmnet_parameters`).
    """
    y = np.asarray(y_train, dtype=float)
    n_samples, y_sd = len(y), glmnet_y_scale(y)
    a = penalty.alpha
    lam_g, a_g = glmnet_parameters(lam, a, y_sd)
    if penalty.name == "l1" or a == 1.0:
        objective = f"1/(2n)·‖y − b − Zw‖² + {lam:.6g}·‖w‖₁"
        sk = f"Lasso(alpha={lam:.6g})"
    elif a == 0.0:
        objective = f"1/(2n)·‖y − b − Zw‖² + {lam:.6g}/2·‖w‖₂²"
        sk = f"Ridge(alpha={n_samples * lam:.6g})   # = n·λ = {n_samples} × {lam:.6g}"
    else:
        objective = f"1/(2n)·‖y − b − Zw‖² + {lam:.6g}·({a:g}·‖w‖₁ + {(1 - a):.6g}/2·‖w‖₂²)"
        sk = f"ElasticNet(alpha={lam:.6g}, l1_ratio={a:g})"
    scaled = a < 1.0 and y_sd > 0 and abs(y_sd - 1.0) > 1e-12
    return Translation(
        objective=objective + f"   (n = {n_samples})",
        sklearn=sk,
        glmnet=f"glmnet(x, y, alpha = {a_g:.6g}, lambda = {lam_g:.6g}, standardize = TRUE)",
        spark=f"LinearRegression(regParam={lam_g:.6g}, elasticNetParam={a_g:.6g}, standardization=True)",
        note="scikit-learn: fit on standardized features (population sd) to get these coefficients. "
        + (f"glmnet divides y by its sd (here {y_sd:.6g}) before fitting, so for ridge and elastic net its lambda and "
           "alpha differ from ours; the values above give the same model (checked against R glmnet). "
           "Spark scales y the same way by default (not checked here)." if scaled else
           "glmnet and Spark standardize features internally, as we do; for the lasso their λ is ours."),
    )


def _sklearn_model(penalty: Penalty, lam: float) -> str:
    lam = float(lam)  # a numpy scalar's repr would leak "np.float64(…)" into the code
    if penalty.alpha == 1.0:
        return f"Lasso(alpha={lam!r}, tol=1e-12, max_iter=1_000_000)"
    if penalty.alpha == 0.0:
        return f"Ridge(alpha=len(y) * {lam!r}, solver='svd')"  # scikit-learn's Ridge alpha is n·λ
    return f"ElasticNet(alpha={lam!r}, l1_ratio={penalty.alpha!r}, tol=1e-12, max_iter=1_000_000)"


def python_snippet(penalty: Penalty, lam: float, feature_names: tuple[str, ...], target: str,
                   csv_name: str, standardize: bool = True) -> str:
    """A runnable scikit-learn script that refits this model on ``csv_name`` and prints β₀ and β."""
    model = _sklearn_model(penalty, lam)
    cls = model.split("(")[0]
    note = "# scikit-learn's Ridge alpha is n·λ (it has no 1/(2n) in front of the squared error)\n" if penalty.alpha == 0.0 else ""
    if standardize:
        prepare_x = note + (
            "scaler = StandardScaler().fit(X)   # population sd (ddof=0), as reglab\n"
            "model = {model}.fit(scaler.transform(X), y)\n"
            "coef = model.coef_ / scaler.scale_   # back to the original units\n"
            "intercept = model.intercept_ - coef @ scaler.mean_\n"
        )
    else:
        prepare_x = note + "model = {model}.fit(X, y)\ncoef = model.coef_\nintercept = model.intercept_\n"
    return (
        "# Refit the Regularization Lab model with scikit-learn.\n"
        "import pandas as pd\n"
        f"from sklearn.linear_model import {cls}\nfrom sklearn.preprocessing import StandardScaler\n\n"
        f"data = pd.read_csv({csv_name!r})\n"
        # Python's repr of a str is a string literal; names as the training CSV's header writes them.
        f"features = {[neutralize(n) for n in feature_names]!r}\n"
        f"X = data[features].to_numpy(dtype=float)\ny = data[{neutralize(target)!r}].to_numpy(dtype=float)\n"
        + prepare_x.format(model=model)
        + "print('intercept', repr(float(intercept)))\n"
        "for name, value in zip(features, coef):\n"
        "    print(name, repr(float(value)))\n"
    )


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
              standardize: bool = True) -> str:
    """The same model in R with glmnet: λ and α translated through sd(y) in the script itself
    (glmnet's own convention, see :func:`glmnet_parameters`), solved to glmnet's tightest threshold."""
    lam = float(lam)
    # Names come from the user's file: every one is an escaped R string literal, never code.
    # Columns are looked up as the training CSV's header writes them (export.neutralize).
    cols = ", ".join(r_string(neutralize(n)) for n in feature_names)
    return (
        "# Refit the Regularization Lab model with R's glmnet (same objective and λ).\n"
        "library(glmnet)\n"
        f"data <- read.csv({r_string(csv_name)}, check.names = FALSE, fileEncoding = \"UTF-8-BOM\")\n"
        f"x <- as.matrix(data[, c({cols}), drop = FALSE])\n"
        f"y <- data[[{r_string(neutralize(target))}]]\n"
        f"lam <- {lam!r}; a <- {float(penalty.alpha)!r}   # Regularization Lab's λ and α\n"
        "# glmnet divides y by its population sd before fitting; translate so the ridge part keeps its weight.\n"
        "sy <- sqrt(mean((y - mean(y))^2))\n"
        "scale <- if (sy > 0) sy * (1 - a) + a else 1\n"
        f"fit <- glmnet(x, y, alpha = a / scale, lambda = lam * scale, standardize = {'TRUE' if standardize else 'FALSE'}, "
        "thresh = 1e-20, maxit = 1e7)\n"
        "print(coef(fit))\n"
    )
