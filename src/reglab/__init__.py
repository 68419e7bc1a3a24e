"""Regularization Lab: L1, L2 and elastic-net regularization you can see and check.

One objective everywhere (see :mod:`reglab.objective`)::

    minimize over b, w:  F(b, w)  +  λ · ( α‖w‖₁ + (1−α)/2 · ‖w‖₂² )

with F the mean squared error / 2 (``family="gaussian"``) or the mean log-loss
(``family="binomial"``, logistic regression).

>>> import reglab
>>> f = reglab.fit(X, y, penalty="l1", lam=0.1)            # doctest: +SKIP
>>> p = reglab.path(X, y, penalty="elasticnet", l1_ratio=0.5)  # doctest: +SKIP
>>> cv = reglab.cross_validate(X, y, penalty="l2", folds=5, seed=0)  # doctest: +SKIP
>>> clf = reglab.path(X, labels, family="binomial")          # doctest: +SKIP
>>> rel = reglab.path(X, y, relax=True).blend(gamma=0.5)     # doctest: +SKIP
"""

from .data import Dataset, load_builtin, make_synthetic
from .errors import DataError
from .loading import load_csv, load_table, read_table
from .preprocess import Prepared, column_summary, preprocess
from .design import Design, prepare
from .fitting import fit, path
from .results import Fit, Path
from .solvers import lambda_grid
from .objective import PENALTIES, LeastSquares, Logistic, ModelSpec, Penalty, kkt_residual, lambda_max, objective_value
from .selection import CVResult, cross_validate
from .relaxed import RelaxedCV, RelaxedPath, relax
from .selection import cross_validate_relaxed
from .criteria import Criteria, information_criteria
from .distributed import LazyTable, read_parquet

__all__ = [
    "PENALTIES",
    "CVResult",
    "Criteria",
    "DataError",
    "Dataset",
    "Prepared",
    "column_summary",
    "load_builtin",
    "load_csv",
    "load_table",
    "make_synthetic",
    "preprocess",
    "read_table",
    "Design",
    "LazyTable",
    "read_parquet",
    "Fit",
    "Path",
    "LeastSquares",
    "Logistic",
    "ModelSpec",
    "Penalty",
    "cross_validate",
    "cross_validate_relaxed",
    "relax",
    "RelaxedCV",
    "RelaxedPath",
    "fit",
    "information_criteria",
    "kkt_residual",
    "lambda_grid",
    "lambda_max",
    "objective_value",
    "path",
    "prepare",
]

__version__ = "0.1.0"
