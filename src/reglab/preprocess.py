"""From a table to a model-ready design matrix, with a report of every action taken.

Order of operations (each step counted in :attr:`Prepared.report`):

1. keep the chosen target and features; ±∞ and absurd magnitudes (|x| ≥ 1e100, which
   overflow squared-error arithmetic) become missing;
2. rows whose target is missing are dropped (a model cannot learn from them);
3. with ``missing="drop"``, rows with any missing feature are dropped;
4. train/test split (seeded; stratified by class for classification targets);
5. with ``missing="impute"``, gaps are filled with the training rows' median (numeric)
   or most frequent value (categorical) — fitted on the training rows only, so the test
   rows do not leak into the model;
6. categorical columns are one-hot encoded with the training rows' levels (optionally
   without the first level; rare levels past ``max_categories`` merged into "(other)").

Standardization is not done here: it belongs to the model (:func:`reglab.prepare`) so
that cross-validation can refit it inside each fold.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from sklearn.model_selection import train_test_split

from . import limits
from .datafits import Datafit, datafit_for_task
from .design import sorted_classes
from .errors import DataError
from .objective import ModelSpec, Penalty

Task = Literal["regression", "classification", "counts"]
MissingStrategy = Literal["impute", "drop"]
#: Values this large in magnitude are treated as missing (their squares overflow float64).
MAX_MAGNITUDE = 1e100
OTHER_LEVEL = "(other)"


@dataclass(frozen=True)
class Prepared:
    """A design matrix and target split into training and test rows.

    Attributes
    ----------
    X_train, X_test : ndarray of shape (n_train, p), (n_test, p)
        Numeric features in original units (one-hot columns are 0/1).
    y_train, y_test : ndarray
        Target (class codes 0…K−1 for classification).
    feature_names : tuple of str
        One name per column of X (one-hot columns are ``"column=level"``).
    train_rows, test_rows : ndarray of int
        Positions of the rows in the source table (for truth lookups and previews).
    report : tuple of str
        Every action taken, in order, in words.
    feature_sources : tuple of str
        The table column each model column came from (a categorical column's one-hot columns share it).
    penalty_factors : tuple of float or None
        glmnet's ``penalty.factor`` per model column, as chosen (0 = unpenalized; a categorical
        column's factor applies to each of its one-hot columns); None when every factor is 1.
        :meth:`penalty` applies them.
    """

    X_train: NDArray[np.float64]
    y_train: NDArray[np.float64]
    X_test: NDArray[np.float64]
    y_test: NDArray[np.float64]
    feature_names: tuple[str, ...]
    target: str
    task: Task
    class_labels: tuple[str, ...] | None
    train_rows: NDArray[np.int_]
    test_rows: NDArray[np.int_]
    report: tuple[str, ...]
    warnings: tuple[str, ...]
    feature_sources: tuple[str, ...] = ()
    penalty_factors: tuple[float, ...] | None = None
    #: A group label per model column when categorical columns are penalized as groups (their
    #: one-hot columns share one), else None.
    feature_groups: tuple[int, ...] | None = None
    #: glmnet's lower.limits / upper.limits per model column (−inf / inf for none), or None when no
    #: coefficient is bounded; :meth:`penalty` applies them.
    lower_limits: tuple[float, ...] | None = None
    upper_limits: tuple[float, ...] | None = None

    @property
    def grouped_columns(self) -> tuple[str, ...]:
        """The table columns whose one-hot columns form a group (empty when nothing is grouped)."""
        if self.feature_groups is None:
            return ()
        return tuple(dict.fromkeys(source for source, name in zip(self.feature_sources, self.feature_names)
                                   if source != name))

    @property
    def datafit(self) -> Datafit:
        """The model family this target is fitted with: logistic regression for two classes,
        multinomial for three or more, Poisson regression for counts, least squares for a number
        (:func:`reglab.datafits.datafit_for_task`)."""
        return datafit_for_task(self.task, len(self.class_labels or ()))

    def spec(self, penalty: str, l1_ratio: float = 0.5, standardize: bool = True) -> ModelSpec:
        """The whole model fitted on these rows: :meth:`penalty`, :attr:`datafit` and ``standardize``
        (an intercept, no weights: the page's model), as the public calls would build it."""
        return ModelSpec(self.penalty(penalty, l1_ratio), self.datafit, bool(standardize))

    def penalty(self, name: str, l1_ratio: float = 0.5) -> Penalty:
        """The penalty called ``name`` with this design's penalty factors, groups and coefficient limits
        (:meth:`Penalty.of`)."""
        return Penalty.of(name, l1_ratio, self.penalty_factors, self.feature_groups, self.lower_limits,
                          self.upper_limits)

    @property
    def n_train(self) -> int:
        return int(self.X_train.shape[0])

    @property
    def n_test(self) -> int:
        return int(self.X_test.shape[0])

    @property
    def max_folds(self) -> int:
        """The most cross-validation folds these training rows allow: one row per fold, and for a
        class target one row of the smallest class per fold (folds are stratified by class)."""
        if self.task == "classification" and self.class_labels:
            return int(np.bincount(self.y_train.astype(int), minlength=len(self.class_labels)).min())
        return self.n_train

    def training_frame(self) -> pd.DataFrame:
        """The training rows as a table (features then target), e.g. to refit elsewhere; a class
        target is written as its labels (what the generated scripts compare against)."""
        table = pd.DataFrame(self.X_train, columns=list(self.feature_names))
        if self.task == "classification" and self.class_labels:
            table[self.target] = np.asarray(self.class_labels, dtype=object)[self.y_train.astype(int)]
        else:
            table[self.target] = self.y_train
        return table

    def fingerprint(self) -> str:
        """Hash of every value and name that defines this design (cache key material).

        Computed once per object (the arrays are never modified): every page rerun asks for it,
        and hashing 20,000 × 30 values each time cost a few ms of every λ move.
        """
        cached = self.__dict__.get("_fingerprint")
        if cached is not None:
            return cached
        digest = hashlib.blake2b(digest_size=16)
        for arr in (self.X_train, self.y_train, self.X_test, self.y_test):
            digest.update(np.ascontiguousarray(arr).tobytes())
            digest.update(str(arr.shape).encode())
        digest.update("\x1f".join((*self.feature_names, self.target, self.task)).encode())
        digest.update(repr(self.penalty_factors).encode())  # the same rows with other factors are another model
        digest.update(repr(self.feature_groups).encode())
        digest.update(repr((self.lower_limits, self.upper_limits)).encode())
        digest.update(repr(self.class_labels).encode())  # the same codes under other labels are other classes
        self.__dict__["_fingerprint"] = digest.hexdigest()  # frozen dataclass: bypass __setattr__, once
        return self.__dict__["_fingerprint"]


def is_numeric(series: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)


def column_summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Per-column summary for the Data page: type, missing %, distinct values, min and max."""
    rows = []
    for name in frame.columns:
        col = frame[name]
        numeric = is_numeric(col)
        values = col.replace([np.inf, -np.inf], np.nan) if numeric else col
        rows.append(
            {
                "column": str(name),
                "type": "numeric" if numeric else "text",
                "missing %": round(100.0 * float(col.isna().mean()), 1) if len(col) else 0.0,
                "distinct": int(col.nunique(dropna=True)),
                "min": float(values.min()) if numeric and values.notna().any() else None,
                "max": float(values.max()) if numeric and values.notna().any() else None,
            }
        )
    return pd.DataFrame(rows, columns=["column", "type", "missing %", "distinct", "min", "max"])


def class_labels_of(target: pd.Series) -> tuple[str, ...]:
    """The sorted class labels of a target column, as :func:`preprocess` orders them
    (:func:`reglab.design.sorted_classes`: numbers numerically, shown as ``{:g}``; text
    alphabetically; missing values left out)."""
    values = target.dropna()
    return sorted_classes(values)[1] if len(values) else ()


#: An integer target with more distinct values than this is a quantity, not a class label.
MAX_INTEGER_CLASSES = 10
#: Rows every level of an integer target needs before it is guessed to be a class: a 25 % test
#: split stratified by class keeps ⌊0.75·7⌋ = 5 of them for training, one per fold of 5-fold CV.
MIN_CLASS_ROWS = 7


def _check_counts(target: str, values: pd.Series) -> None:
    """A count target (Poisson regression) holds whole numbers ≥ 0: a DataError names what else it holds."""
    if not is_numeric(values):
        raise DataError(f"The target {target!r} holds text, so it cannot be modelled as counts. Set Task to "
                        "'classification', or choose a column of counts (whole numbers ≥ 0).")
    known = values.dropna().astype(float)
    if (known < 0).any():
        raise DataError(f"The target {target!r} has negative values (the smallest is {known.min():g}): counts are "
                        "whole numbers ≥ 0. Set Task to 'regression' for amounts that can be negative.")
    if not np.all(known == np.round(known)):
        fraction = known[known != np.round(known)].iloc[0]
        raise DataError(f"The target {target!r} has fractions (e.g. {fraction:g}): counts are whole numbers ≥ 0 (events "
                        "per row). Set Task to 'regression' for amounts.")
    if not (known > 0).any():
        raise DataError(f"Every value of the target {target!r} is 0: a Poisson model needs some events.")


def guess_task(target: pd.Series) -> Task:
    """The task a target suggests, by a rule the Data page states:

    - text (or yes/no) values: classification;
    - whole numbers with exactly two values: classification (a 0/1 outcome);
    - whole numbers with at most :data:`MAX_INTEGER_CLASSES` values *and* at least
      :data:`MIN_CLASS_ROWS` rows of every value: classification (codes such as 3/4/5 gears);
    - whole numbers ≥ 0 that include a 0 (events counted per row): counts (Poisson regression);
    - anything else (fractions, negative or zero-free whole numbers): regression.
    """
    values = target.dropna()
    if not is_numeric(values):
        return "classification"
    finite = values[np.isfinite(values.astype(float))]
    if not len(finite) or not np.all(finite == np.round(finite)):
        return "regression"
    counts = finite.value_counts()
    if len(counts) == 2 or (len(counts) <= MAX_INTEGER_CLASSES and counts.min() >= MIN_CLASS_ROWS):
        return "classification"
    if finite.min() == 0:
        return "counts"
    return "regression"


#: Column names that say "identifier or row number" (matched whole, case-insensitively).
_ID_NAME = re.compile(r"(id|ids|index|idx|rownames?|row|rows|row[ _.]?(id|no|num|number)|obs|unnamed: ?\d+|"
                      r"[a-z]*[_ .-]id|record[ _]?(id|no)?|key)", re.IGNORECASE)
#: Column names that say "this is what to predict".
_TARGET_NAME = re.compile(r"(target|y|label|labels|outcome|response|class|dependent|dv)", re.IGNORECASE)


def id_like_columns(frame: pd.DataFrame, max_categories: int = 20) -> dict[str, str]:
    """Columns that identify rows rather than measure them, each with the reason (shown to the user).

    Three signs, any one enough: a name like ``id``, ``rownames``, ``Unnamed: 0``, ``customer_id``;
    whole numbers that are unique and step by exactly 1 (row numbers: a model fit on them learns
    the row order, R² near 1 on sorted data); text that is unique in more than half the rows.
    """
    reasons: dict[str, str] = {}
    for name in frame.columns:
        col = frame[name]
        text = str(name).strip()
        if _ID_NAME.fullmatch(text) and not _TARGET_NAME.fullmatch(text):
            reasons[str(name)] = "its name says it identifies rows"
            continue
        values = col.dropna()
        if is_numeric(col):
            v = values.to_numpy(dtype=float)
            # At least 10 rows: in a tiny table 1, 2, 3 is as likely a measurement as a row number.
            if len(v) >= 10 and np.all(np.isfinite(v)) and np.all(v == np.round(v)) and np.all(np.abs(np.diff(v)) == 1) \
                    and len(np.unique(v)) == len(v):
                reasons[str(name)] = "it counts the rows (unique whole numbers in steps of 1)"
        else:
            distinct = values.nunique()
            if distinct > max_categories and distinct > 0.5 * max(len(values), 1):
                reasons[str(name)] = ("it holds dates or times (a point in time, not a category; as a feature it "
                                      "needs to be a number, such as days since the first date)" if _date_like(values)
                                      else "its text is different in most rows (a name or identifier, not a category)")
    return reasons


def _date_like(values: pd.Series, sample: int = 200) -> bool:
    """Whether text values read as dates or times (checked on a bounded sample of the values)."""
    import warnings

    head = values.astype(str).head(sample)
    if not head.str.contains(r"\d", regex=True).all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns when it has to guess each value's format
        parsed = pd.to_datetime(head, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.9)


#: Values of a yes/no column, compared lower-cased (two of them, e.g. "Yes"/"No" or 0/1, make an outcome).
_YES_NO = {"yes", "no", "y", "n", "true", "false", "t", "f", "0", "1", "0.0", "1.0"}


def _yes_no_like(column: pd.Series) -> bool:
    """Exactly two distinct values, both yes/no-like (a boolean outcome such as churned or survived)."""
    values = column.dropna().unique()
    return len(values) == 2 and {str(v).strip().lower() for v in values} <= _YES_NO


def _class_like(column: pd.Series) -> bool:
    """Yes/no values, or text with a few repeated levels (species, glass type): an outcome to classify."""
    values = column.dropna()
    if _yes_no_like(column):
        return True
    return (not is_numeric(values) and len(values) > 0
            and 2 <= values.astype(str).nunique() <= min(limits.MAX_CLASSES, max(2, len(values) // 2)))


def choose_target(frame: pd.DataFrame) -> tuple[str, str]:
    """The default target and the rule that chose it (the Data page says which), first that applies:

    1. a column named like a target (``y``, ``target``, ``label``, ``class``, ``outcome``, …);
    2. the last column, when it holds classes (yes/no values, or text with a few levels);
    3. a table whose first column names or numbers the rows (R's ``write.csv`` writes row names
       first: mtcars, swiss, airquality): the first numeric column after it that is not an
       identifier, where R's data sets put the response;
    4. the last numeric column that is not an identifier (the usual place of a target).
    """
    numeric = [str(c) for c in frame.columns if is_numeric(frame[c])]
    if not numeric:
        raise DataError("No column contains numbers, so there is no target to predict.")
    for name in frame.columns:
        if _TARGET_NAME.fullmatch(str(name).strip()):
            return str(name), "its name says it is what to predict"
    ids = id_like_columns(frame)
    last = frame.columns[-1]
    if str(last) not in ids and len(frame.columns) > 1 and _class_like(frame[last]):
        kind = "yes/no values" if _yes_no_like(frame[last]) else "a few text labels"
        return str(last), f"the last column holds {kind}: an outcome to classify"
    measured = [c for c in numeric if c not in ids]
    first = str(frame.columns[0])
    if first in ids and measured and len(frame.columns) > 2:
        return measured[0], (f"the first column ({first[:40]!r}) names the rows, as R writes a table, and R's "
                             "data sets put the response first: the first numeric column after it")
    if measured:
        return measured[-1], "the last numeric column that is not an identifier"
    return numeric[-1], "the last numeric column"


def default_features(frame: pd.DataFrame, target: str, max_categories: int = 20) -> list[str]:
    """Every column but the target, minus identifiers (:func:`id_like_columns`)."""
    ids = id_like_columns(frame, max_categories)
    return [str(name) for name in frame.columns if name != target and str(name) not in ids]


def left_out_notes(frame: pd.DataFrame, target: str, max_categories: int = 20) -> list[str]:
    """What :func:`default_features` leaves out, and why (shown on the Data page)."""
    return [f"{name!r} is left out of the features by default: {reason}. Add it back under Features if it "
            "is a real measurement." for name, reason in id_like_columns(frame, max_categories).items() if name != target]


def _listed(labels: Sequence[str], most: int = 5) -> str:
    """Class labels for a message, quoted and cut (a label from a file is shown as a literal)."""
    shown = ", ".join(repr(str(label)[:40]) for label in labels[:most])
    return shown + (f" and {len(labels) - most:,} more" if len(labels) > most else "")


def _check_classes(target: str, labels: tuple[str, ...], counts: NDArray[np.int_], numeric: bool) -> None:
    """Refuse, naming the fix, a class target no classifier here can be fitted to: one class,
    more than :data:`reglab.limits.MAX_CLASSES`, or a class with a single row."""
    fix = ("Set Task to 'regression' if its values are amounts, merge" if numeric else "Merge")
    if len(labels) < 2:
        raise DataError(f"The target {target!r} has the same value ({labels[0][:40]!r}) in every row: there is nothing to "
                        "predict. Choose another target column.")
    if len(labels) > limits.MAX_CLASSES:
        raise DataError(f"The target {target!r} has {len(labels):,} distinct values: as classes that is more than the "
                        f"{limits.MAX_CLASSES} a classifier here fits. {fix} its values into fewer classes in the file, "
                        "or choose another target.")
    single = [label for label, count in zip(labels, counts) if count < 2]
    if single:
        raise DataError(f"The target {target!r} has {len(single):,} class(es) with a single row ({_listed(single)}): a "
                        "classifier needs at least 2 rows of every class (one to train on in each of 2 cross-validation "
                        f"folds). {fix} rare classes in the file, or choose another target.")


def _check_stratified_split(labels: tuple[str, ...], n: int, n_test: int, test_size: float) -> None:
    """A split stratified by class puts at least one row of every class on each side."""
    k = len(labels)
    if n_test < k or n - n_test < k:
        side = "test" if n_test < k else "training"
        raise DataError(f"A {test_size:.0%} test share of {n:,} rows gives {min(n_test, n - n_test):,} {side} rows, "
                        f"fewer than the {k:,} classes: a split that keeps every class on both sides needs at least "
                        f"{k} rows on each. Set the test share to 0 (no test rows), change it so both sides hold "
                        f"{k} rows, or merge classes.")


def _check_training_classes(target: str, labels: tuple[str, ...], counts: NDArray[np.int_], split: bool) -> None:
    """Cross-validation and the fit need 2 training rows of every class (stratified folds)."""
    small = [label for label, count in zip(labels, counts) if count < 2]
    if small:
        raise DataError(f"After the split, {len(small):,} class(es) of {target!r} have fewer than 2 training rows "
                        f"({_listed(small)}): cross-validation needs 2 of every class. "
                        + ("Lower the test share (or set it to 0), " if split else "")
                        + "merge rare classes, or choose another target.")


def _counted(n: int, what: str) -> str:
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _check_design_size(n_features: int, n_rows: int) -> None:
    """Refuse a design over the feature or cell budget while it is being built (see reglab.limits)."""
    if n_features > limits.MAX_FEATURES or n_features * n_rows > limits.MAX_DESIGN_CELLS:
        raise DataError(
            f"These choices make at least {n_features:,} model features from {n_rows:,} rows, more than this app "
            f"analyses ({limits.MAX_FEATURES:,} features, {limits.MAX_DESIGN_CELLS:,} values). Choose fewer feature "
            "columns, or lower 'Max levels per category' for text columns."
        )


def preprocess(
    frame: pd.DataFrame,
    target: str,
    features: Sequence[str] | None = None,
    categorical: Sequence[str] = (),
    missing: MissingStrategy = "impute",
    drop_first: bool = False,
    max_categories: int = 20,
    test_size: float = 0.25,
    seed: int = 0,
    task: Task | None = None,
    positive_class: str | None = None,
    penalty_factors: Mapping[str, float] | None = None,
    group_categories: bool = False,
    coefficient_limits: Mapping[str, Sequence[float | None]] | None = None,
) -> Prepared:
    """Turn ``frame`` into train/test design matrices (see the module docstring for the steps).

    Parameters
    ----------
    target : str
        Column to predict.
    features : sequence of str, optional
        Columns to use (default :func:`default_features`).
    categorical : sequence of str
        Numeric columns to treat as categories (codes such as zip codes); text columns
        are always categorical.
    missing : {"impute", "drop"}
        Fill missing feature cells (training median / most frequent) or drop those rows.
    drop_first : bool
        One-hot without the first level (a baseline); penalized models do not need it.
    max_categories : int
        Levels kept per categorical column; rarer levels are merged into "(other)".
    test_size : float
        Share of rows held out for testing (0 keeps every row for training).
    positive_class : str, optional
        For a two-class target: the class coded 1 (whose probability a classifier models);
        default the second of the sorted labels, as glmnet. A label the target does not have is
        reported and the default kept.
    penalty_factors : mapping of column name to float, optional
        glmnet's ``penalty.factor`` by table column (≥ 0; 0 leaves the column unpenalized, 2
        penalizes it twice as hard); columns not named get 1, names that are not features are
        ignored. A categorical column's factor applies to each of its one-hot columns.
    group_categories : bool
        Penalize each categorical column's one-hot columns as one group (the group lasso /
        elastic net: a category in or out of the model as a whole) instead of one by one.
        For regression, two-class and count targets (not three or more classes: a warning says so).
    coefficient_limits : mapping of column name to (lower, upper), optional
        glmnet's ``lower.limits`` / ``upper.limits`` by table column, on the original scale of its
        coefficients (lower ≤ 0 ≤ upper; None for no limit on that side); a text column's limits apply
        to each of its one-hot columns (and, with three or more classes, to every class's coefficient).
        Not with groups (the limits are kept, the grouping dropped: a warning says so).
    """
    if target not in frame.columns:
        raise DataError(f"The target column {target!r} is not in the table.")
    features = list(default_features(frame, target, max_categories) if features is None else features)
    missing_cols = [f for f in features if f not in frame.columns]
    if missing_cols:
        raise DataError(f"Feature column(s) {missing_cols[:3]} are not in the table.")
    features = [f for f in features if f != target]
    if not features:
        raise DataError("Choose at least one feature column besides the target.")
    if missing not in ("impute", "drop"):
        raise ValueError("missing must be 'impute' or 'drop'.")
    if not 0.0 <= test_size <= 0.9:
        raise DataError(f"The test share must be between 0 and 0.9; got {test_size:g}.")
    categorical_set = {c for c in categorical if c in features}
    report: list[str] = []
    warnings: list[str] = []
    data = frame[[*features, target]].copy()
    n_in = len(data)
    kinds = {c: ("numeric" if is_numeric(data[c]) and c not in categorical_set else "categorical") for c in features}

    # 1. non-finite and absurd values become missing
    for name in [*features, target]:
        if is_numeric(data[name]):
            values = data[name].astype(float)
            bad = ~np.isfinite(values) & values.notna() | (values.abs() >= MAX_MAGNITUDE)
            if bad.any():
                report.append(
                    f"{_counted(int(bad.sum()), 'cell')} of {name!r} held ±infinity or a magnitude ≥ 1e100; "
                    "treated as missing (such values overflow the squared error)."
                )
                data.loc[bad, name] = np.nan

    # 2. target
    task = task or guess_task(data[target])
    if task == "regression" and not is_numeric(data[target]):
        raise DataError(f"The target {target!r} holds text, so it cannot be predicted as a number. Set Task to "
                        "'classification' on the Data page (a logistic regression over its classes), or choose a "
                        "numeric target.")
    if task == "counts":
        _check_counts(target, data[target])
    no_target = data[target].isna()
    if no_target.all():
        raise DataError(f"The target {target!r} has no values. Choose another target column.")
    if no_target.any():
        report.append(f"Dropped {_counted(int(no_target.sum()), 'row')} with no value for the target {target!r}.")
        data = data[~no_target]

    # 3. rows with missing features (drop strategy)
    if missing == "drop":
        incomplete = data[features].isna().any(axis=1)
        if incomplete.any():
            per_column = data.loc[incomplete, features].isna().sum()
            worst = ", ".join(f"{c!r}: {int(k)}" for c, k in per_column[per_column > 0].sort_values(ascending=False).head(4).items())
            report.append(f"Dropped {_counted(int(incomplete.sum()), 'row')} with a missing feature value ({worst}).")
            data = data[~incomplete]
    if len(data) < 3:
        raise DataError(
            f"Only {len(data)} usable row(s) remain of {n_in}. Choose 'fill in missing values' instead of dropping rows, "
            "or choose features with fewer gaps."
        )

    # classification labels
    class_labels: tuple[str, ...] | None = None
    flip_classes = False
    if task == "classification":
        codes, class_labels = sorted_classes(data[target] if is_numeric(data[target]) else data[target].astype(str))
        y_all = codes.astype(float)
        _check_classes(target, class_labels, np.bincount(codes, minlength=len(class_labels)), is_numeric(data[target]))
        if len(class_labels) == 2:
            if positive_class is not None and str(positive_class) == class_labels[0]:
                # Recoded after the split (below), so the rows drawn for testing do not depend on it.
                class_labels, flip_classes = class_labels[::-1], True
            elif positive_class is not None and str(positive_class) != class_labels[1]:
                warnings.append(f"The positive class {str(positive_class)[:60]!r} is not a class of {target!r}; "
                                f"kept {class_labels[1]!r}.")
            report.append(f"Target {target!r} has two classes: {class_labels[0]!r} (coded 0) and {class_labels[1]!r} "
                          "(coded 1, the positive class whose probability the model gives).")
    else:
        y_all = data[target].to_numpy(dtype=float)

    # 4. split
    rows = data.index.to_numpy()
    positions = np.arange(len(data))
    if test_size > 0:
        stratify = y_all if task == "classification" else None
        n_test = int(np.ceil(test_size * len(data)))
        if len(data) - n_test < 3:
            raise DataError(f"With {len(data)} usable rows, a {test_size:.0%} test share leaves too few rows to train on. Lower it.")
        if stratify is not None:
            _check_stratified_split(class_labels, len(data), n_test, test_size)
        train_pos, test_pos = train_test_split(positions, test_size=n_test, random_state=seed, stratify=stratify)
        train_pos, test_pos = np.sort(train_pos), np.sort(test_pos)
        report.append(
            f"Split {len(data):,} rows into {len(train_pos):,} for training and {len(test_pos):,} for testing "
            f"(seed {seed}{', stratified by class' if stratify is not None else ''})."
        )
    else:
        train_pos, test_pos = positions, positions[:0]
        report.append(f"All {len(data):,} rows are used for training (no test rows).")
    if task == "classification":
        _check_training_classes(target, class_labels, np.bincount(y_all[train_pos].astype(int), minlength=len(class_labels)),
                                test_size > 0)
    train, test = data.iloc[train_pos], data.iloc[test_pos]

    # 5. impute with training statistics
    blocks_train: list[np.ndarray] = []
    blocks_test: list[np.ndarray] = []
    names: list[str] = []
    sources: list[str] = []
    for name in features:
        _check_design_size(len(names), len(data))
        col_train, col_test = train[name], test[name]
        gaps = int(col_train.isna().sum() + col_test.isna().sum())
        if kinds[name] == "numeric":
            values_train = col_train.astype(float)
            values_test = col_test.astype(float)
            if gaps:
                fill = float(values_train.median()) if values_train.notna().any() else 0.0
                report.append(f"Filled {_counted(gaps, 'missing cell')} of {name!r} with the training median {fill:.6g}.")
                values_train, values_test = values_train.fillna(fill), values_test.fillna(fill)
            blocks_train.append(values_train.to_numpy()[:, None])
            blocks_test.append(values_test.to_numpy()[:, None])
            names.append(name)
            sources.append(name)
            continue
        # 6. one-hot encode
        text_train = col_train.map(lambda v: None if pd.isna(v) else str(v))
        text_test = col_test.map(lambda v: None if pd.isna(v) else str(v))
        if gaps:
            mode = text_train.mode(dropna=True)
            fill_level = str(mode.iloc[0]) if len(mode) else "(missing)"
            report.append(f"Filled {_counted(gaps, 'missing cell')} of {name!r} with the most frequent level {fill_level!r}.")
            text_train, text_test = text_train.fillna(fill_level), text_test.fillna(fill_level)
        counts = text_train.value_counts()
        levels = sorted(counts.index)
        if len(levels) > max_categories:
            kept = set(counts.index[: max_categories - 1])
            merged = len(levels) - len(kept)
            warnings.append(
                f"{name!r} has {len(levels)} levels; kept the {len(kept)} most frequent and merged {merged} rarer ones "
                f"into {OTHER_LEVEL!r}."
            )
            text_train = text_train.where(text_train.isin(kept), OTHER_LEVEL)
            text_test = text_test.where(text_test.isin(kept), OTHER_LEVEL)
            levels = sorted(kept) + [OTHER_LEVEL]
        unseen = int((~text_test.isin(levels)).sum())
        if unseen:
            report.append(f"{_counted(unseen, 'test row')} of {name!r} hold a level never seen in training: encoded as all zeros.")
        encoded = levels[1:] if drop_first and len(levels) > 1 else levels
        _check_design_size(len(names) + len(encoded), len(data))
        for level in encoded:
            blocks_train.append((text_train == level).to_numpy(dtype=float)[:, None])
            blocks_test.append((text_test == level).to_numpy(dtype=float)[:, None])
            names.append(f"{name}={level}")
            sources.append(name)
        baseline = f", baseline {levels[0]!r}" if drop_first and len(levels) > 1 else ""
        report.append(f"One-hot encoded {name!r} into {_counted(len(encoded), 'column')}{baseline}.")

    _check_design_size(len(names), len(data))
    X_train = np.hstack(blocks_train) if blocks_train else np.empty((len(train), 0))
    X_test = np.hstack(blocks_test) if blocks_test else np.empty((len(test), 0))
    _describe_degenerate_columns(X_train, names, warnings)
    if task != "classification" or (class_labels is not None and len(class_labels) == 2):
        warnings.extend(_leak_warnings(X_train, y_all[train_pos], sources, target, task != "classification"))
    if X_train.shape[0] <= X_train.shape[1]:
        warnings.append(
            f"More features ({X_train.shape[1]}) than training rows ({X_train.shape[0]}): least squares has no unique "
            "answer here, which is exactly where regularization helps."
        )
    report.insert(0, f"Started from {n_in:,} rows; target {target!r} ({task}); {len(features)} feature column(s).")
    factors = _factors_by_model_column(penalty_factors, sources, report)
    datafit = datafit_for_task(task, len(class_labels or ()))
    multiclass = datafit.per_class
    lower_limits, upper_limits = _limits_by_model_column(coefficient_limits, sources, report)
    if group_categories and (lower_limits or upper_limits):
        warnings.append("Coefficient limits and grouped categories are not combined: the limits are kept and each "
                        "level is penalized on its own.")
        group_categories = False
    # The row datafits (two-class, counts) group by proximal Newton: each step forms a p × p Hessian.
    costly = (not datafit.quadratic and datafit.groupable
              and X_train.shape[0] * X_train.shape[1] ** 2 > limits.MAX_GROUPED_LOGISTIC_WORK)
    groups = _groups_of(sources) if group_categories and datafit.groupable and not costly else None
    if group_categories and not datafit.groupable:
        classes = f"with {len(class_labels)} classes" if multiclass else f"for {datafit.model_name}"
        warnings.append("Grouped categories are offered for regression, two-class and count targets here: "
                        f"{classes} each level is penalized on its own.")
    elif group_categories and costly and _groups_of(sources) is not None:
        warnings.append(f"Grouped categories for {datafit.model_name} are offered while training rows × features² "
                        f"stays under {limits.MAX_GROUPED_LOGISTIC_WORK:,} (each Newton step forms a features × "
                        f"features matrix); this design has {X_train.shape[0]:,} × {X_train.shape[1]:,}², so each "
                        "level is penalized on its own. Fewer levels per category or features make room.")
    elif groups is not None:
        report.append("Each text column's one-hot columns are penalized as one group (the group lasso): a category "
                      "enters or leaves the model as a whole.")
    return Prepared(
        X_train=np.ascontiguousarray(X_train),
        y_train=1.0 - y_all[train_pos] if flip_classes else y_all[train_pos],
        X_test=np.ascontiguousarray(X_test),
        y_test=1.0 - y_all[test_pos] if flip_classes else y_all[test_pos],
        feature_names=tuple(names),
        target=target,
        task=task,
        class_labels=class_labels,
        train_rows=rows[train_pos],
        test_rows=rows[test_pos],
        report=tuple(report),
        warnings=tuple(warnings),
        feature_sources=tuple(sources),
        penalty_factors=factors,
        feature_groups=groups,
        lower_limits=lower_limits,
        upper_limits=upper_limits,
    )


def _groups_of(sources: list[str]) -> tuple[int, ...] | None:
    """One group label per model column (columns from the same table column share one), or None
    when no table column gave more than one model column (the plain penalty)."""
    labels = {source: k for k, source in enumerate(dict.fromkeys(sources))}
    groups = tuple(labels[source] for source in sources)
    return groups if len(labels) < len(sources) else None


def _factors_by_model_column(chosen: Mapping[str, float] | None, sources: list[str],
                             report: list[str]) -> tuple[float, ...] | None:
    """Each model column's penalty factor from its table column's (default 1), checked, with a
    report line; None when every factor is 1 (the plain penalty)."""
    if not chosen:
        return None
    used = {str(k): v for k, v in chosen.items() if str(k) in set(sources)}
    for name, value in used.items():
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if not (np.isfinite(number) and number >= 0):
            raise DataError(f"The penalty factor of {name!r} must be a number ≥ 0 (0 leaves it unpenalized); got {value!r}.")
        used[name] = number
    factors = tuple(used.get(source, 1.0) for source in sources)
    if all(f == 1.0 for f in factors):
        return None
    if not any(f > 0 for f in factors):
        raise DataError("Every penalty factor is 0, so nothing is penalized: give at least one feature a factor above 0.")
    listed = ", ".join(f"{name!r} {value:g}" + (" (unpenalized)" if value == 0 else "")
                       for name, value in used.items() if value != 1.0)
    report.append(f"Penalty factors (glmnet's penalty.factor, rescaled to sum to the number of model columns): {listed}; "
                  "every other feature 1.")
    return factors


def _limits_by_model_column(chosen: Mapping[str, Sequence[float | None]] | None, sources: list[str], report: list[str]
                            ) -> tuple[tuple[float, ...] | None, tuple[float, ...] | None]:
    """Each model column's (lower, upper) coefficient limits from its table column's (None: no limit),
    checked (lower ≤ 0 ≤ upper, as glmnet's), with a report line; None on a side where none is set."""
    if not chosen:
        return None, None
    used: dict[str, tuple[float, float]] = {}
    for name, pair in chosen.items():
        if str(name) not in set(sources):
            continue
        try:
            low, high = (float("-inf") if pair[0] is None else float(pair[0]),
                         float("inf") if pair[1] is None else float(pair[1]))
        except (TypeError, ValueError, IndexError):
            raise DataError(f"The coefficient limits of {name!r} must be two numbers (lower ≤ 0 ≤ upper); got {pair!r}.")
        if np.isnan(low) or np.isnan(high) or low > 0 or high < 0:
            raise DataError(f"The coefficient limits of {name!r} must keep 0 allowed: lower ≤ 0 ≤ upper (as glmnet's "
                            f"lower.limits / upper.limits); got {low:g} and {high:g}.")
        if low != float("-inf") or high != float("inf"):
            used[str(name)] = (low, high)
    if not used:
        return None, None
    lower = tuple(used.get(source, (float("-inf"), 0.0))[0] for source in sources)
    upper = tuple(used.get(source, (0.0, float("inf")))[1] for source in sources)
    listed = ", ".join(f"{name!r} " + ("≥ 0" if (lo, hi) == (0.0, float("inf")) else "≤ 0"
                                         if (lo, hi) == (float("-inf"), 0.0) else f"in [{lo:g}, {hi:g}]")
                       for name, (lo, hi) in used.items())
    report.append(f"Coefficient limits (glmnet's lower.limits / upper.limits, original units): {listed}.")
    return (None if all(v == float("-inf") for v in lower) else lower,
            None if all(v == float("inf") for v in upper) else upper)


#: A feature whose correlation with the target is at least this is a copy of it, not a predictor.
LEAK_CORRELATION = 0.98


def _leak_warnings(X: NDArray[np.float64], y: NDArray[np.float64], sources: list[str], target: str,
                   numeric_target: bool) -> list[str]:
    """Warnings naming features that are a near-deterministic function of the target: |correlation|
    ≥ :data:`LEAK_CORRELATION`, or (numeric target) a cut of it — a feature with at most 10 values
    that is constant wherever the target is and never decreases (or never increases) as the target
    grows, e.g. birthwt's ``low`` = ``bwt`` < 2500 g. Each table column is named once."""
    if len(y) < 10 or np.ptp(y) == 0:
        return []
    order = np.argsort(y, kind="stable")
    ys = y[order]
    same_target = np.diff(ys) == 0
    found: dict[str, str] = {}
    for j, source in enumerate(sources):
        x = X[:, j]
        if source in found or np.ptp(x) == 0:
            continue
        r = float(np.corrcoef(x, y)[0, 1])
        if abs(r) >= LEAK_CORRELATION:
            found[source] = f"correlation {r:+.3f} with it"
            continue
        if numeric_target and len(np.unique(x)) <= 10:
            step = np.diff(x[order])
            if not np.any(step[same_target]) and (np.all(step >= 0) or np.all(step <= 0)):
                found[source] = "a cut of it: its value follows from the target's alone"
    return [f"{source!r} looks like a function of the target {target!r} ({reason}): a model given it learns the "
            f"answer from the question. Leave it out of the features unless it is known before {target!r} is."
            for source, reason in list(found.items())[:5]]


def _describe_degenerate_columns(X: np.ndarray, names: list[str], warnings: list[str]) -> None:
    """Warn about constant and perfectly collinear training columns (they stay in the model)."""
    if X.shape[0] < 2 or X.shape[1] == 0:
        return
    sd = X.std(axis=0)
    for j in np.flatnonzero(sd == 0):
        warnings.append(f"{names[j]!r} is constant in the training rows: its coefficient will be 0.")
    live = np.flatnonzero(sd > 0)
    if 1 < len(live) <= 500:
        corr = np.corrcoef(X[:, live], rowvar=False)
        i, k = np.nonzero(np.triu(np.abs(corr) > 0.9999, k=1))
        for a, b in list(zip(i, k))[:5]:
            warnings.append(
                f"{names[live[b]]!r} is perfectly collinear with {names[live[a]]!r} (correlation {corr[a, b]:+.4f}): "
                "L1 will tend to keep one of them, L2 splits the weight between them."
            )
