"""The same model in other tools: parameter translations and runnable code snippets.

Our objective (DESIGN.md)::

    1/(2n)·‖y − b − Zw‖² + λ·(α‖w‖₁ + (1−α)/2·‖w‖₂²),   Z standardized (population sd)

* scikit-learn: ``Lasso(alpha=λ)``, ``ElasticNet(alpha=λ, l1_ratio=α)``, ``Ridge(alpha=n·λ)``
  (Ridge minimizes ‖y − Xw‖² + alpha‖w‖², without the 1/(2n): hence the factor n);
  none of them standardizes, so the snippet standardizes with ``StandardScaler`` (ddof = 0).
* R glmnet: ``glmnet(x, y, alpha=α, lambda=λ, standardize=TRUE)`` — the same objective.
* Spark MLlib: ``LinearRegression(regParam=λ, elasticNetParam=α, standardization=True)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .export import neutralize
from .objective import Penalty


@dataclass(frozen=True)
class Translation:
    objective: str
    sklearn: str
    glmnet: str
    spark: str
    note: str


def translate(penalty: Penalty, lam: float, n_samples: int) -> Translation:
    """This model's parameters in scikit-learn, glmnet and Spark terms (n = training rows)."""
    a = penalty.alpha
    if penalty.name == "l1" or a == 1.0:
        objective = f"1/(2n)·‖y − b − Zw‖² + {lam:.6g}·‖w‖₁"
        sk = f"Lasso(alpha={lam:.6g})"
    elif a == 0.0:
        objective = f"1/(2n)·‖y − b − Zw‖² + {lam:.6g}/2·‖w‖₂²"
        sk = f"Ridge(alpha={n_samples * lam:.6g})   # = n·λ = {n_samples} × {lam:.6g}"
    else:
        objective = f"1/(2n)·‖y − b − Zw‖² + {lam:.6g}·({a:g}·‖w‖₁ + {(1 - a):.6g}/2·‖w‖₂²)"
        sk = f"ElasticNet(alpha={lam:.6g}, l1_ratio={a:g})"
    return Translation(
        objective=objective + f"   (n = {n_samples})",
        sklearn=sk,
        glmnet=f"glmnet(x, y, alpha = {a:g}, lambda = {lam:.6g}, standardize = TRUE)",
        spark=f"LinearRegression(regParam={lam:.6g}, elasticNetParam={a:g}, standardization=True)",
        note="scikit-learn and Spark: fit on standardized features (population sd) to get these coefficients; "
        "glmnet standardizes internally, as we do.",
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
    """The same model in R with glmnet (same objective, same λ)."""
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
        f"fit <- glmnet(x, y, alpha = {penalty.alpha:g}, lambda = {lam!r}, standardize = {'TRUE' if standardize else 'FALSE'}, "
        "thresh = 1e-14)\n"
        "print(coef(fit))\n"
    )
