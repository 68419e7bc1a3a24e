"""Exact paths and cross-validation on data that does not fit in memory, on a Dask cluster.

Least squares needs nothing of the rows but their sufficient statistics. For each fold k of a
K-fold split (fold ids from a seeded hash of each row's position, or a column the user names)
one pass over the data forms the weighted cross-products of the augmented row

    uᵢ = [xᵢ − a (0 where a cell is missing),  mᵢ (1 where a cell is missing),  1,  yᵢ − a_y]

``Aₖ = Σ_{i ∈ k} wᵢ·uᵢuᵢᵀ`` (a, a_y: the whole data's column means from the first, cheap pass, so
nothing cancels). Every model the path and its CV need follows from these on the driver:
training rows of fold k = Σ_{j≠k} Aⱼ, the whole data = Σ Aⱼ. A missing cell is imputed with the
training rows' mean of its column (the one-pass statistic; the in-memory pipeline's median needs a
sort): with δ = that mean − a, the imputed row is v = x̃ + E·m (E puts δ on the gappy columns), so

    Σ w·vvᵀ = Aₓₓ + AₓₘEᵀ + E·Aₘₓ + E·Aₘₘ·Eᵀ,   Σ w·v = Aₓ₁ + E·Aₘ₁,   Σ w·v·ỹ = Aₓᵧ + E·Aₘᵧ,

centred and scaled exactly as :func:`reglab.design.prepare` does (observation weights normalized
to sum to the rows' count), so the :class:`~reglab.design.Design` — and the path, the fold fits and
the held-out errors ``Σ w(y − b − xᵀβ)²`` of fold k, a quadratic form in Aₖ — are the in-memory
ones to rounding: one pass gives the whole path *and* its K-fold CV. Penalty factors, groups,
coefficient limits and the relaxed lasso need nothing more (they act on the Design).

Logistic and Poisson regression have no such statistics: they run by distributed Newton passes.
Each pass evaluates, for every model still being solved (the whole data's and each fold's), the
loss, its gradient and Hessian ``Σ w·h(η)·ũũᵀ`` (ũ = [x − a, 1]) at the model's current
coefficients; the driver takes the proximal Newton step by coordinate descent on that Hessian
(:func:`reglab.solvers.solve_with_residuals` on a :class:`~reglab.design.Design`), warm-started
along the λ grid, until the KKT residual of the true objective is below the product's standard.
The number of passes is bounded before the work starts (:func:`pass_bound`) and reported
(``Path.passes``, ``CVResult.passes``).

Budget: the driver holds K + 1 matrices of (p + q + 2)² floats (q = columns with missing cells);
p is limited to :data:`MAX_FEATURES` after one-hot encoding, rows are unbounded (workers stream
their partitions). Categorical (text) columns are one-hot encoded per partition with the levels
collected in the first pass (at most :data:`MAX_LEVELS` per column).
"""

from __future__ import annotations

import dataclasses
import threading
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from .datafits import datafit_of
from .design import Design, solver_scale, sorted_classes, standardized_design
from .errors import DataError
from .fitting import CLUSTER_BACKEND, path_design
from .objective import ModelSpec, Penalty, kkt_violation
from .results import Fit, Path, weight_floor
from .selection import CVResult, cv_summary, one_se_rule
from .solvers import CV_KKT_TOLERANCE, KKT_TOLERANCE, lambda_grid, solve

#: Features after one-hot encoding. The driver holds K + 1 fold matrices of (p + q + 2)² float64
#: (q ≤ p gappy columns): at p = 2,000, 6 folds and no gaps that is 6 × 32 MB; the path solver's
#: Gram sweeps cost p² per coordinate pass. Spark's one-pass normal equations stop at 4,096.
MAX_FEATURES = 2_000
#: Distinct values a text column may have to be one-hot encoded (more: an identifier, not a category).
MAX_LEVELS = 200
#: Distinct labels of a user's fold column.
MAX_FOLDS = 50
#: Newton passes allowed per λ (and per model) for logistic / Poisson: the bound said before work starts.
NEWTON_PASSES_PER_LAMBDA = 30
#: A Newton step is halved at most this many times when the objective rises (each halving is a pass).
_MAX_HALVINGS = 30


class Stopped(RuntimeError):
    """The work on the cluster was cancelled between or within passes: the person pressed Stop, or the
    cluster itself cancelled a pass."""


# ------------------------------------------------------------------------------------- the lazy table


@dataclass(frozen=True)
class LazyTable:
    """A table on disk or on a cluster (a Dask DataFrame) and the roles of its columns.

    ``target`` is the response; ``features`` the model's columns (default: every other column
    but the weights / offset / fold columns); ``weights`` observation weights, ``offset`` (Poisson)
    a fixed part of η, ``fold_column`` a fold label per row (cv.glmnet's ``foldid``).
    """

    frame: Any
    target: str
    features: tuple[str, ...] | None = None
    weights: str | None = None
    offset: str | None = None
    fold_column: str | None = None

    def __post_init__(self) -> None:
        columns = list(self.frame.columns)
        for role, name in (("target", self.target), ("weights", self.weights), ("offset", self.offset),
                           ("fold column", self.fold_column)):
            if name is not None and name not in columns:
                raise DataError(f"The {role} column {name!r} is not in the table (its columns: {_listed(columns)}).")
        missing = [c for c in (self.features or ()) if c not in columns]
        if missing:
            raise DataError(f"Feature column(s) {_listed(missing)} are not in the table.")

    @property
    def feature_columns(self) -> tuple[str, ...]:
        if self.features is not None:
            return tuple(self.features)
        roles = {self.target, self.weights, self.offset, self.fold_column}
        return tuple(c for c in self.frame.columns if c not in roles)

    @property
    def partitions(self) -> int:
        return int(self.frame.npartitions)

    @property
    def roles(self) -> "Roles":
        """The column roles alone (what a task on a worker needs; the frame itself stays out of the graph)."""
        return Roles(self.target, self.weights, self.offset, self.fold_column)


class Roles(NamedTuple):
    """Which columns are the target, the weights, the offset and the fold labels."""

    target: str
    weights: str | None
    offset: str | None
    fold_column: str | None


def _listed(names: Sequence[Any], at_most: int = 8) -> str:
    shown = ", ".join(repr(str(n)) for n in list(names)[:at_most])
    return shown + (f" and {len(names) - at_most} more" if len(names) > at_most else "")


def read_parquet(path: str, target: str, *, features: Sequence[str] | None = None, weights: str | None = None,
                 offset: str | None = None, fold_column: str | None = None, **options: Any) -> LazyTable:
    """A Parquet file or folder as a :class:`LazyTable` (``dask.dataframe.read_parquet``; nothing is read
    but the metadata until a fit asks for a pass). ``options`` go to Dask's reader."""
    import dask.dataframe as dd

    wanted = None
    if features is not None:
        wanted = list(dict.fromkeys([*features, target, *(c for c in (weights, offset, fold_column) if c)]))
    try:
        frame = dd.read_parquet(path, columns=wanted, **options)
    except (FileNotFoundError, OSError, ValueError) as exc:
        raise DataError(f"Could not read the Parquet data at {str(path)!r}: {exc}") from None
    return LazyTable(frame, target, None if features is None else tuple(features), weights, offset, fold_column)


def is_lazy(X: Any) -> bool:
    """Whether ``X`` is a :class:`LazyTable` or a Dask DataFrame (work then runs by passes, on Dask)."""
    if isinstance(X, LazyTable):
        return True
    return type(X).__module__.split(".")[0] == "dask" and hasattr(X, "npartitions") and hasattr(X, "columns")


def as_table(X: Any, y: Any = None, **roles: Any) -> LazyTable:
    """``X`` as a :class:`LazyTable`: one already, or a Dask DataFrame with ``y`` its target column's name."""
    if isinstance(X, LazyTable):
        if y is not None and y != X.target:
            raise DataError(f"The table's target is {X.target!r}; pass y=None (or that name).")
        return dataclasses.replace(X, **{k: v for k, v in roles.items() if v is not None})
    if not isinstance(y, str):
        raise DataError("With a Dask DataFrame, y is the name of its target column (the rows stay on the cluster).")
    return LazyTable(X, y, **roles)


# ------------------------------------------------------------------------------------- passes on Dask


def _tree_sum(parts: list, fan_in: int = 8):
    """Sum delayed arrays (or tuples of arrays) in a tree: the driver receives one result."""
    import dask

    add = dask.delayed(_add_all, pure=True)
    while len(parts) > 1:
        parts = [add(*parts[i:i + fan_in]) for i in range(0, len(parts), fan_in)]
    return parts[0]


def _add_all(*parts):
    first = parts[0]
    if isinstance(first, tuple):
        return tuple(_add_all(*items) for items in zip(*parts))
    if isinstance(first, dict):
        return _merge_summaries(parts)
    total = first.copy() if isinstance(first, np.ndarray) else first
    for part in parts[1:]:
        total = total + part
    return total


class PassRunner:
    """Runs the passes of one job: counts them, reports progress, and stops when asked.

    ``progress(done, bound, what)`` is called before and after each pass; ``stop`` (a
    ``threading.Event``) cancels the job: between passes, and within one on a distributed
    cluster (its futures are cancelled)."""

    def __init__(self, bound: int | None = None, progress: Callable[[int, int | None, str], None] | None = None,
                 stop: threading.Event | None = None, client=None) -> None:
        self.bound, self.progress, self.stop, self.client = bound, progress, stop, client
        self.passes = 0
        self._what = ""

    def run(self, task, what: str):
        if self.stop is not None and self.stop.is_set():
            raise Stopped("Stopped before the next pass over the data.")
        self._what = what
        if self.progress is not None:
            self.progress(self.passes, self.bound, what)
        result = self._compute(task)
        self.passes += 1
        if self.progress is not None:
            self.progress(self.passes, self.bound, what)
        return result

    def _compute(self, task):
        import dask

        client = self.client or _default_client()
        if client is None:  # threads here (a closed client may have left Dask's default scheduler pointing at it)
            return dask.compute(task, scheduler="threads")[0]
        future = client.compute(task)
        # Wait on a done-callback, not on future.result(timeout=…): a timed result() cancels its gather at each
        # tick, and distributed's sync() can then lose the result (an UnboundLocalError, seen in CI).
        finished = threading.Event()
        future.add_done_callback(lambda _future: finished.set())
        closed = ("closing", "closed")
        try:
            # (a closed client's loop may never run the callback: its status ends the wait too)
            while not finished.wait(0.2) and client.status not in closed:
                if self.progress is not None:  # a tick: the caller may ask to stop (or its page be left)
                    self.progress(self.passes, self.bound, self._what)
                if self.stop is not None and self.stop.is_set():
                    raise Stopped("Stopped during a pass over the data.")
            if client.status in closed:
                raise Stopped("The connection to the cluster closed during a pass over the data; nothing was kept.")
            if future.cancelled():  # by the scheduler or another client, not by this job
                raise Stopped("The cluster cancelled this pass over the data; nothing was kept.")
            return future.result()
        except BaseException:
            if client.status not in closed:  # a closed client cannot send the cancellation (and has dropped the work)
                future.cancel()
            raise


def _default_client():
    """The process's default ``distributed.Client`` when one is connected, else None (Dask's local threads)."""
    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):
        return None
    return client if client.status == "running" else None


# ------------------------------------------------------------------------------- the first, cheap pass


@dataclass(frozen=True)
class Schema:
    """What the first pass learns: the encoded features, the shift a, the gappy columns and the folds."""

    numeric: tuple[str, ...]
    levels: dict[str, tuple[Any, ...]]
    feature_names: tuple[str, ...]
    shift: NDArray[np.float64]
    y_shift: float
    gappy: NDArray[np.bool_]
    rows: int
    dropped: int
    classes: tuple[Any, ...]
    fold_labels: tuple[Any, ...] | None

    @property
    def p(self) -> int:
        return len(self.feature_names)

    @property
    def q(self) -> int:
        return int(self.gappy.sum())


def _is_numeric(dtype) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def _summary(part: pd.DataFrame, numeric: tuple[str, ...], text: tuple[str, ...], target: str,
             fold_column: str | None, want_classes: bool) -> dict:
    """One partition's part of the first pass (:data:`ROW_CHUNK` rows at a time): sums and non-missing counts
    of the numeric columns, the text columns' distinct values (at most MAX_LEVELS + 1 kept), the target's
    and the fold column's."""
    return _merge_summaries([_chunk_summary(part.iloc[start:start + ROW_CHUNK], numeric, text, target, fold_column,
                                            want_classes) for start in range(0, max(len(part), 1), ROW_CHUNK)])


def _chunk_summary(part: pd.DataFrame, numeric: tuple[str, ...], text: tuple[str, ...], target: str,
                   fold_column: str | None, want_classes: bool) -> dict:
    keep = part[target].notna().to_numpy()
    part = part[keep]
    values = part[list(numeric)].to_numpy(dtype=float, na_value=np.nan) if numeric else np.empty((len(part), 0))
    finite = np.isfinite(values)
    if (~finite & ~np.isnan(values)).any():
        raise DataError("A numeric feature holds an infinite value: remove or replace it in the data.")
    summary = {
        "rows": len(part), "dropped": int((~keep).sum()),
        "sum": np.where(finite, values, 0.0).sum(axis=0), "count": finite.sum(axis=0),
        "levels": {c: set(part[c].dropna().unique()[:MAX_LEVELS + 1].tolist()) for c in text},
        "text_gaps": {c: int(part[c].isna().sum()) for c in text},
        "classes": set(part[target].unique()[:3].tolist()) if want_classes else set(),
        "y_sum": 0.0 if want_classes else float(part[target].to_numpy(dtype=float).sum()),
        "folds": set() if fold_column is None else set(part[fold_column].dropna().unique()[:MAX_FOLDS + 1].tolist()),
    }
    return summary


def _merge_summaries(parts) -> dict:
    total = dict(parts[0])
    total["levels"] = {c: set(v) for c, v in parts[0]["levels"].items()}
    total["text_gaps"] = dict(parts[0]["text_gaps"])
    total["classes"], total["folds"] = set(parts[0]["classes"]), set(parts[0]["folds"])
    for part in parts[1:]:
        for key in ("rows", "dropped", "sum", "count", "y_sum"):
            total[key] = total[key] + part[key]
        for c, v in part["levels"].items():
            total["levels"][c] |= v
            total["text_gaps"][c] += part["text_gaps"][c]
        total["classes"] |= part["classes"]
        total["folds"] |= part["folds"]
    return total


def _sorted_values(values: set) -> tuple:
    try:
        return tuple(sorted(values))
    except TypeError:
        return tuple(sorted(values, key=str))


def scan(table: LazyTable, spec: ModelSpec, runner: PassRunner) -> Schema:
    """The first pass: column types from the metadata, then levels, means and gaps from the data."""
    import dask

    columns = table.feature_columns
    dtypes = table.frame.dtypes
    numeric = tuple(c for c in columns if _is_numeric(dtypes[c]))
    text = tuple(c for c in columns if c not in numeric)
    want_classes = spec.datafit.classifier
    if spec.datafit.classifier and spec.datafit.per_class:
        raise DataError("Multinomial models are not offered on a cluster here: use two classes, counts or a numeric target.")
    if not want_classes and not _is_numeric(dtypes[table.target]):
        raise DataError(f"The target {table.target!r} is not numeric: choose a numeric target for "
                        f"{spec.datafit.model_name}, or two-class logistic regression.")
    wanted = list(dict.fromkeys([*columns, table.target, *(c for c in (table.fold_column,) if c)]))
    parts = [dask.delayed(_summary, pure=True)(part, numeric, text, table.target, table.fold_column, want_classes)
             for part in table.frame[wanted].to_delayed()]
    summary = runner.run(_tree_sum(parts), "reading the columns' types, levels and means")
    if summary["rows"] < 2:
        raise DataError("The table has fewer than 2 rows with a target value.")
    levels = {}
    for c in text:
        found = summary["levels"][c]
        if len(found) > MAX_LEVELS:
            raise DataError(f"The text column {c!r} has more than {MAX_LEVELS} distinct values: it looks like an "
                            "identifier, not a category. Leave it out of the features.")
        levels[c] = _sorted_values(found)
    names = list(numeric) + [f"{c}={level}" for c in text for level in levels[c]]
    p = len(names)
    if p > MAX_FEATURES:
        raise DataError(f"{p:,} features after one-hot encoding: a cluster fit here takes at most {MAX_FEATURES:,}. "
                        f"The driver holds a ({p} + 2)² matrix per fold and the path solver sweeps p² per pass; "
                        "leave out columns or text columns with many levels.")
    count = np.asarray(summary["count"], dtype=float)
    shift = np.concatenate([np.where(count > 0, summary["sum"] / np.maximum(count, 1), 0.0), np.zeros(p - len(numeric))])
    gappy = np.concatenate([count < summary["rows"],
                            np.repeat([summary["text_gaps"][c] > 0 for c in text], [len(levels[c]) for c in text])
                            if text else np.zeros(0, dtype=bool)]).astype(bool)
    classes = ()
    if want_classes:
        classes = _sorted_values(summary["classes"])
        if len(classes) != 2:
            raise DataError(f"Two-class logistic regression needs a target with exactly 2 values; {table.target!r} "
                            f"has {len(classes) if len(classes) < 3 else 'more than 2'}.")
    fold_labels = None
    if table.fold_column is not None:
        if len(summary["folds"]) > MAX_FOLDS or len(summary["folds"]) < 2:
            raise DataError(f"The fold column {table.fold_column!r} must name between 2 and {MAX_FOLDS} folds.")
        fold_labels = _sorted_values(summary["folds"])
    y_shift = 0.0 if want_classes else summary["y_sum"] / summary["rows"]
    return Schema(numeric, levels, tuple(names), shift, float(y_shift), gappy, int(summary["rows"]),
                  int(summary["dropped"]), classes, fold_labels)


# --------------------------------------------------------------------------------- encoding and folds


def fold_of_rows(partition: int, rows: int, folds: int, seed: int, start: int = 0) -> NDArray[np.int64]:
    """Fold ids 0…K−1 of a partition's rows: a seeded splitmix64 hash of (partition, row) modulo K, the same on
    every machine and in every run (the folds depend on the partitioning: re-partitioned data gets other folds)."""
    offset = start
    start = (int(seed) * 0x9E3779B97F4A7C15 + (int(partition) << 32) + 0x9E3779B97F4A7C15) % 2**64
    z = np.uint64(start) + np.arange(offset, offset + rows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z % np.uint64(folds)).astype(np.int64)


@dataclass(frozen=True)
class Encoded:
    """One partition, encoded: features with NaN where missing, target, weights, offset, fold ids."""

    X: NDArray[np.float64]
    y: NDArray[np.float64]
    w: NDArray[np.float64]
    offset: NDArray[np.float64] | None
    fold: NDArray[np.int64]


#: Rows encoded at a time within a partition: bounds a worker's temporaries (a few copies of this many rows).
ROW_CHUNK = 32_768


def encoded_chunks(part: pd.DataFrame, partition: int, table: Roles, schema: Schema, folds: int, seed: int,
                   positive: Any = None):
    """:func:`encode` of a partition, :data:`ROW_CHUNK` rows at a time (a partition's copies stay small)."""
    for start in range(0, max(len(part), 1), ROW_CHUNK):
        yield encode(part.iloc[start:start + ROW_CHUNK], partition, table, schema, folds, seed, positive, start)


def encode(part: pd.DataFrame, partition: int, table: Roles, schema: Schema, folds: int, seed: int,
           positive: Any = None, start: int = 0) -> Encoded:
    """A partition as the model sees it: numeric columns as floats, each text column's levels one-hot (all
    NaN where the cell is missing), rows without a target left out (as the first pass counted them)."""
    by_label = table.fold_column is not None and folds > 1  # one fold (a path alone): every row in it
    fold_all = None if by_label else fold_of_rows(partition, len(part), folds, seed, start)
    keep = part[table.target].notna().to_numpy()
    part = part[keep]
    blocks = [part[list(schema.numeric)].to_numpy(dtype=float, na_value=np.nan)] if schema.numeric else []
    for column, levels in schema.levels.items():
        gaps = part[column].isna().to_numpy()
        cells = part[column].to_numpy(dtype=object, na_value=None)
        onehot = (cells[:, None] == np.asarray(levels, dtype=object)[None, :]).astype(float)
        onehot[gaps] = np.nan
        blocks.append(onehot)
    X = np.hstack(blocks) if blocks else np.empty((len(part), 0))
    if schema.classes:
        y = (part[table.target] == schema.classes[-1 if positive is None else schema.classes.index(positive)]
             ).to_numpy(dtype=float)
    else:
        y = part[table.target].to_numpy(dtype=float)
    w = np.ones(len(part)) if table.weights is None else part[table.weights].to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(w).all() or (w < 0).any():
        raise DataError(f"Observation weights ({table.weights!r}) must be finite and ≥ 0 in every row.")
    offset = None if table.offset is None else part[table.offset].to_numpy(dtype=float, na_value=np.nan)
    if offset is not None and not np.isfinite(offset).all():
        raise DataError(f"The offset column {table.offset!r} must be a finite number in every row.")
    if not by_label:
        fold = fold_all[keep]
    else:
        labels = part[table.fold_column]
        if labels.isna().any():
            raise DataError(f"The fold column {table.fold_column!r} has missing labels.")
        fold = np.searchsorted(np.asarray(schema.fold_labels, dtype=object), labels.to_numpy(dtype=object))
    return Encoded(X, y, w, offset, fold)


def fold_ids(table: LazyTable, folds: int = 5, seed: int = 0) -> NDArray[np.int64]:
    """The fold id of every row with a target, in the table's order (computed on the cluster; meant for
    tables small enough to compare with an in-memory run: ``reglab.cross_validate(..., foldid=...)``)."""
    import dask

    def ids(part, partition):
        keep = part[table.target].notna().to_numpy()
        return fold_of_rows(partition, len(part), folds, seed)[keep]

    parts = [dask.delayed(ids)(part, i) for i, part in enumerate(table.frame[[table.target]].to_delayed())]
    return PassRunner().run(dask.delayed(np.concatenate)(parts), "fold ids")


def _wanted_columns(table: LazyTable) -> list[str]:
    return list(dict.fromkeys([*table.feature_columns, table.target,
                               *(c for c in (table.weights, table.offset, table.fold_column) if c)]))


# ----------------------------------------------------------------------------- the least-squares pass


def _moment_part(part: pd.DataFrame, partition: int, table: Roles, schema: Schema, folds: int, seed: int,
                 positive: Any) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One partition's ``(A, rows)``: A (K, d, d) the weighted cross-products of the augmented rows
    u = [x − a (0 where missing), m, 1, y − a_y] of each fold, rows (K,) the fold's row counts."""
    p, q = schema.p, schema.q
    d = p + q + 2
    A = np.zeros((folds, d, d))
    rows = np.zeros(folds)
    for enc in encoded_chunks(part, partition, table, schema, folds, seed, positive):
        observed = ~np.isnan(enc.X)
        U = np.empty((len(enc.y), d))
        U[:, :p] = np.where(observed, enc.X - schema.shift, 0.0)
        U[:, p:p + q] = (~observed[:, schema.gappy]).astype(float)
        U[:, p + q] = 1.0
        U[:, p + q + 1] = enc.y - schema.y_shift
        rows += np.bincount(enc.fold, minlength=folds)
        for k in range(folds):
            Uk = U[enc.fold == k]
            if len(Uk):
                A[k] += (Uk * enc.w[enc.fold == k, None]).T @ Uk
    return A, rows


@dataclass(frozen=True)
class FoldMoments:
    """The one pass's result: per fold k the cross-products ``Aₖ`` and row counts (see the module docstring)."""

    A: NDArray[np.float64]
    rows: NDArray[np.float64]
    schema: Schema
    seed: int = 0

    @property
    def folds(self) -> int:
        return int(self.A.shape[0])

    def fold_sizes(self, weighted: bool) -> NDArray[np.float64]:
        """Nₖ of cv.glmnet's fold-weighted mean and SE: each fold's rows, or with observation weights its
        weight with the weights normalized to sum to the rows' count (as in memory)."""
        if not weighted:
            return self.rows.copy()
        one = self.schema.p + self.schema.q
        weight = self.A[:, one, one]
        return weight * self.rows.sum() / weight.sum()

    def mask(self, held_out: int | None) -> NDArray[np.bool_]:
        """The folds a model trains on: all but ``held_out`` (every fold when None)."""
        chosen = np.ones(self.folds, dtype=bool)
        if held_out is not None:
            chosen[held_out] = False
        return chosen

    def blocks(self, folds_used: NDArray[np.bool_], delta: NDArray[np.float64] | None = None) -> dict:
        """Imputed sums over the chosen folds: ``W`` (Σw), ``rows``, ``v1`` (Σw·v), ``vv``, ``vy``, ``y1``,
        ``yy`` and ``delta`` (the training means − a used for missing cells; computed here when None)."""
        s = self.schema
        p, q = s.p, s.q
        A = self.A[folds_used].sum(axis=0)
        X, M, one, yi = slice(0, p), slice(p, p + q), p + q, p + q + 1
        W = A[one, one]
        if W <= 0:
            raise DataError("A fold's training rows have no positive weight.")
        gappy = np.flatnonzero(s.gappy)
        if delta is None:
            observed_weight = np.full(p, W)
            observed_weight[gappy] -= A[M, one]
            delta = np.zeros(p)
            with np.errstate(invalid="ignore", divide="ignore"):
                delta[gappy] = np.where(observed_weight[gappy] > 0, A[X, one][gappy] / observed_weight[gappy], 0.0)
        E = np.zeros((p, q))
        E[gappy, np.arange(q)] = delta[gappy]
        vv = A[X, X] + A[X, M] @ E.T + E @ A[M, X] + E @ A[M, M] @ E.T
        return {"W": W, "rows": float(self.rows[folds_used].sum()), "v1": A[X, one] + E @ A[M, one],
                "vv": vv, "vy": A[X, yi] + E @ A[M, yi], "y1": A[yi, one], "yy": A[yi, yi], "delta": delta}


def moment_pass(table: LazyTable, schema: Schema, folds: int, seed: int, runner: PassRunner,
                positive: Any = None) -> FoldMoments:
    """The one pass of least squares (and the first of Newton's): every fold's ``Aₖ`` at once."""
    import dask

    parts = [dask.delayed(_moment_part, pure=True)(part, i, table.roles, schema, folds, seed, positive)
             for i, part in enumerate(table.frame[_wanted_columns(table)].to_delayed())]
    A, rows = runner.run(_tree_sum(parts), "forming every fold's cross-products (one pass)")
    return FoldMoments(A, rows, schema, seed)


def ls_design(moments: FoldMoments, held_out: int | None, spec: ModelSpec) -> tuple[Design, NDArray[np.float64]]:
    """The least-squares :class:`Design` of the rows outside fold ``held_out`` (all rows when None), and the
    imputation shifts δ used (training means − a). Observation weights are normalized to sum to the rows'
    count, as :func:`reglab.design.observation_weights`."""
    s = moments.schema
    b = moments.blocks(moments.mask(held_out))
    W, n = b["W"], b["rows"]
    r = n / W
    v_mean = b["v1"] / W
    y_mean = b["y1"] / W
    gram_c = r * (b["vv"] - W * np.outer(v_mean, v_mean))
    zy_c = r * (b["vy"] - W * v_mean * y_mean)
    yy_c = r * (b["yy"] - W * y_mean**2)
    x_mean = s.shift + v_mean
    if spec.intercept:
        design = standardized_design(gram_c, zy_c, x_mean, n, s.y_shift + y_mean, yy_c, spec.standardize, s.feature_names)
    else:
        a, ay = s.shift, s.y_shift
        gram = r * (b["vv"] + np.outer(b["v1"], a) + np.outer(a, b["v1"]) + W * np.outer(a, a))
        zy = r * (b["vy"] + ay * b["v1"] + a * b["y1"] + W * a * ay)
        yy = r * (b["yy"] + 2 * ay * b["y1"] + W * ay**2)
        design = standardized_design(gram, zy, x_mean, n, 0.0, yy, spec.standardize, s.feature_names,
                               centered_ss=np.diag(gram_c).copy(), intercept=False)
    return design, b["delta"]


def ls_heldout(moments: FoldMoments, k: int, delta: NDArray[np.float64], coefs: NDArray[np.float64],
               intercepts: NDArray[np.float64]) -> NDArray[np.float64]:
    """Weighted mean squared error of each λ's model on fold k (cells missing there imputed with the
    training means), from Aₖ: ``Σw(ỹ − vᵀβ + c₀)²/Σw`` with c₀ = a_y − β₀ − aᵀβ."""
    s = moments.schema
    only = np.zeros(moments.folds, dtype=bool)
    only[k] = True
    b = moments.blocks(only, delta)
    c0 = s.y_shift - intercepts - coefs @ s.shift
    quad = np.einsum("lj,jk,lk->l", coefs, b["vv"], coefs)
    sse = b["yy"] - 2 * coefs @ b["vy"] + quad + 2 * c0 * (b["y1"] - coefs @ b["v1"]) + c0**2 * b["W"]
    return np.maximum(sse, 0.0) / b["W"]


# ----------------------------------------------------------------------------------- public entries


def _check_spec(spec: ModelSpec, p: int) -> None:
    if spec.weights is not None or spec.offset is not None:
        raise DataError("On a cluster, observation weights and the offset are columns of the table: "
                        "name them (weights='…', offset='…') instead of passing arrays.")
    for name, values in (("penalty_factor", spec.penalty.factors), ("groups", spec.penalty.groups),
                         ("lower_limits", spec.penalty.lower), ("upper_limits", spec.penalty.upper)):
        if values is not None and len(values) not in (1, p):
            raise DataError(f"{name} has {len(values)} values for the {p} encoded features.")


@dataclass
class Job:
    """One cluster job's shared state: the table, the model, the passes' runner, what the first pass learnt,
    the positive class (two-class targets) and the moment pass's statistics of every fold."""

    table: LazyTable
    spec: ModelSpec
    runner: PassRunner
    schema: Schema
    positive: Any
    moments: FoldMoments


def _job(X, y, spec: ModelSpec, n_lambdas: int, folds: int | None = None, seed: int = 0, *, progress=None,
         stop=None, roles: dict | None = None, client=None) -> Job:
    """The passes every job starts with, once its bound on the passes is set: the first (types, levels, means)
    and the moment pass over ``folds`` folds (None: one, a path alone; a table's fold column sets their number)."""
    table = as_table(X, y, **(roles or {}))
    if spec.offset is not None or spec.weights is not None:
        _check_spec(spec, 0)
    runner = PassRunner(pass_bound(spec, n_lambdas, folds is not None), progress, stop, client)
    schema = scan(table, spec, runner)
    _check_spec(spec, schema.p)
    if table.offset is not None and not spec.datafit.takes_offset:
        raise DataError(f"An offset is offered for Poisson regression, not for {spec.datafit.model_name}.")
    k = 1
    if folds is not None:
        k = len(schema.fold_labels) if schema.fold_labels is not None else int(folds)
        if not 2 <= k <= MAX_FOLDS:
            raise DataError(f"Cross-validation on a cluster takes between 2 and {MAX_FOLDS} folds; got {k}.")
    positive = _positive(schema, spec.positive_class)
    moments = moment_pass(table, schema, k, seed, runner, positive)
    if np.any(moments.rows < 1):
        raise DataError("Some fold holds no row: use fewer folds.")
    return Job(table, spec, runner, schema, positive, moments)


def _positive(schema: Schema, positive_class: Any) -> Any:
    if positive_class is None or not schema.classes:
        return None
    for label in schema.classes:
        if str(label) == str(positive_class):
            return label
    raise DataError(f"{positive_class!r} is not one of the target's two values ({_listed(schema.classes)}).")


def pass_bound(spec: ModelSpec, n_lambdas: int, cross_validated: bool) -> int:
    """Passes over the data a job may take, said before it starts: least squares 2 (the first pass and the
    moments); logistic / Poisson also at most :data:`NEWTON_PASSES_PER_LAMBDA` per λ and for the null model,
    and with cross-validation the pass that scores the held-out rows."""
    if spec.datafit.quadratic:
        return 2
    return 2 + NEWTON_PASSES_PER_LAMBDA * (n_lambdas + 1) + int(cross_validated)


def _grid_size(lambdas: ArrayLike | None, n_lambdas: int) -> int:
    return n_lambdas if lambdas is None else len(np.atleast_1d(lambdas))


def cluster_path(X, y, spec: ModelSpec, lambdas: ArrayLike | None = None, n_lambdas: int = 100, *,
                 progress=None, stop=None, roles: dict | None = None) -> Path:
    """:func:`reglab.path` on a :class:`LazyTable` / Dask DataFrame (see the module docstring)."""
    job = _job(X, y, spec, _grid_size(lambdas, n_lambdas), progress=progress, stop=stop, roles=roles)
    if spec.datafit.quadratic:
        design, _ = ls_design(job.moments, None, spec)
        solved = path_design(design, spec.penalty, lambdas, n_lambdas, spec=spec)
        return dataclasses.replace(solved, passes=job.runner.passes)
    newton = NewtonJob(job, [None])
    grid = newton.grid(lambdas, n_lambdas)
    return newton.path(grid, *newton.solve(grid, KKT_TOLERANCE)[0])


def cluster_fit(X, y, spec: ModelSpec, lam: float, *, progress=None, stop=None, roles: dict | None = None) -> Fit:
    """:func:`reglab.fit` on a :class:`LazyTable` / Dask DataFrame: the path's model at λ."""
    if spec.datafit.quadratic:
        return cluster_path(X, y, spec, [lam], progress=progress, stop=stop, roles=roles).fit_at(float(lam))
    # Newton's warm starts come down the default grid to λ (as glmnet's fit at one λ does)
    newton = NewtonJob(_job(X, y, spec, 100, progress=progress, stop=stop, roles=roles), [None])
    default = newton.grid(None, 100)
    grid = np.concatenate([default[default > lam], [float(lam)]])
    return newton.path(grid, *newton.solve(grid, KKT_TOLERANCE)[0]).fit_at(float(lam))


def cluster_cross_validate(X, y, spec: ModelSpec, folds: int = 5, seed: int = 0, lambdas: ArrayLike | None = None,
                           n_lambdas: int = 100, measure: str | None = None, fold_weighting: str = "size", *,
                           progress=None, stop=None, roles: dict | None = None, client=None) -> CVResult:
    """:func:`reglab.cross_validate` on a :class:`LazyTable` / Dask DataFrame: least squares in one pass (every
    fold's statistics from the same pass), logistic / Poisson by Newton passes serving every fold at once."""
    measure = spec.datafit.check_measure(measure)
    job = _job(X, y, spec, _grid_size(lambdas, n_lambdas), int(folds), seed, progress=progress, stop=stop,
               roles=roles, client=client)
    moments, k = job.moments, job.moments.folds
    if spec.datafit.quadratic:
        if measure != "mse":
            raise DataError("Least squares is cross-validated by its mean squared error here.")
        full, _ = ls_design(moments, None, spec)
        grid = lambda_grid(full, spec.penalty, n_lambdas) if lambdas is None else np.sort(np.asarray(lambdas, float))[::-1]
        errors = []
        for fold in range(k):
            design, delta = ls_design(moments, fold, spec)
            if design.n_features >= design.n_samples:
                raise DataError("A training fold has no more rows than features: the one-pass CV needs n > p.")
            coefs, intercepts = design.to_original(solve(design, spec.penalty, grid, kkt_tolerance=CV_KKT_TOLERANCE))
            errors.append(ls_heldout(moments, fold, delta, coefs, intercepts))
        whole = path_design(full, spec.penalty, grid, spec=spec)
        fold_errors = np.vstack(errors)
    else:
        newton = NewtonJob(job, [None, *range(k)])
        grid = newton.grid(lambdas, n_lambdas)
        solved = newton.solve(grid, CV_KKT_TOLERANCE)
        whole = newton.path(grid, *solved[0])
        fold_errors = newton.heldout(solved[1:], measure)
    sizes = moments.fold_sizes(weighted=job.table.weights is not None)
    mean_error, se = cv_summary(fold_errors, sizes, fold_weighting)
    sign = -1.0 if measure in spec.datafit.higher_is_better else 1.0
    lam_min, lam_1se = one_se_rule(grid, sign * mean_error, se)
    return CVResult(penalty=spec.penalty.name, l1_ratio=spec.penalty.alpha, folds=k, seed=int(seed), lambdas=grid,
                    mean_error=mean_error, se=se, fold_errors=fold_errors, n_nonzero=whole.n_nonzero,
                    lambda_min=lam_min, lambda_1se=lam_1se, fold_sizes=sizes, fold_weighting=fold_weighting,
                    path=whole, measure=measure, passes=job.runner.passes)


def cluster_relax(path: Path):
    """The relaxed lasso of a least-squares cluster path (:func:`reglab.relax`): every refit solves its
    active set's normal equations from the statistics the path was solved on (no further pass)."""
    from .fitting import ExactSolve
    from .relaxed import relax_from_moments

    if not path.datafit.quadratic or not isinstance(path.solve_at, ExactSolve):
        raise DataError("On a cluster the relaxed lasso is offered for least squares.")
    return relax_from_moments(path, path.solve_at.design)


# ------------------------------------------------------------------------------ Newton passes (GLMs)


def _newton_part(part: pd.DataFrame, partition: int, table: Roles, schema: Schema, folds: int, seed: int,
                 positive: Any, family: str, models: list) -> tuple:
    """One partition's loss, gradient and Hessian in ũ = [x − a, 1] for each model (held-out fold, β, β₀, δ):
    ``(L (m,), g (m, p+1), H (m, p+1, p+1), Q (m,))``, Q = Σw(y − μ)²/h (the working response's scale)."""
    datafit = datafit_of(family)
    p, m = schema.p, len(models)
    L, Q = np.zeros(m), np.zeros(m)
    g, H = np.zeros((m, p + 1)), np.zeros((m, p + 1, p + 1))
    for enc in encoded_chunks(part, partition, table, schema, folds, seed, positive):
        observed = ~np.isnan(enc.X)
        base = np.where(observed, enc.X - schema.shift, 0.0)
        for j, (held_out, beta, b0, delta) in enumerate(models):
            rows = np.ones(len(enc.y), dtype=bool) if held_out is None else enc.fold != held_out
            w, yv = enc.w[rows], enc.y[rows]
            total = w.sum()
            if total <= 0:
                continue
            U = np.empty((int(rows.sum()), p + 1))
            U[:, :p] = np.where(observed[rows], base[rows], delta)
            U[:, p] = 1.0
            eta = U[:, :p] @ beta + (b0 + schema.shift @ beta)
            if enc.offset is not None:
                eta = eta + enc.offset[rows]
            L[j] += datafit.value(yv, eta, w) * total
            residual = datafit.gradient(yv, eta, w) * total  # w·(μ − y)
            h = datafit.hessian_weights(eta)
            g[j] += U.T @ residual
            H[j] += (U * (w * h)[:, None]).T @ U
            with np.errstate(divide="ignore", invalid="ignore"):
                Q[j] += float(np.sum(np.where(h > 0, residual**2 / (w * h), 0.0), where=w > 0))
    return L, g, H, Q


class NewtonJob:
    """Distributed proximal Newton for the models ``held_outs`` (None: the whole data; k: without fold k).

    Each pass evaluates the loss, gradient and Hessian of every model still being solved at its current
    coefficients; the driver then checks each model's KKT residual at its current λ (recording the
    solution and moving down the grid when it is met, with the same pass's statistics) or takes the
    Newton step (coordinate descent on the pass's Hessian, :func:`_newton_design`), halving it when
    the objective rose."""

    def __init__(self, job: Job, held_outs: list) -> None:
        if not job.spec.intercept:
            raise DataError("On a cluster, logistic and Poisson models are fitted with an intercept.")
        self.job, self.held_outs = job, held_outs
        self.moments, self.positive = job.moments, job.positive
        s = job.schema
        self.models = []
        for held_out in held_outs:
            b = self.moments.blocks(self.moments.mask(held_out))
            W = b["W"]
            v_mean = b["v1"] / W
            sd = np.sqrt(np.clip(np.diag(b["vv"]) / W - v_mean**2, 0.0, None))
            scale, constant = solver_scale(sd, s.shift + v_mean, job.spec.standardize)
            share = b["y1"] / W + s.y_shift
            self.models.append({"held_out": held_out, "delta": b["delta"], "n": b["rows"], "W": W, "scale": scale,
                                "sd": sd, "constant": constant, "v_mean": v_mean,
                                "b0": float(job.spec.datafit.link(np.clip(share, 1e-12, None)))})
        self.lambda_max: float | None = None
        self.null_spectrum: NDArray[np.float64] | None = None

    # -- one pass for several models
    def _pass(self, states: dict, what: str) -> dict:
        import dask

        spec, table, schema = self.job.spec, self.job.table, self.job.schema
        order = list(states)
        models = [(self.models[j]["held_out"], states[j][0], states[j][1], self.models[j]["delta"]) for j in order]
        parts = [dask.delayed(_newton_part, pure=True)(part, i, table.roles, schema, self.moments.folds, self.moments.seed,
                                                       self.positive, spec.datafit.family, models)
                 for i, part in enumerate(table.frame[_wanted_columns(table)].to_delayed())]
        L, g, H, Q = self.job.runner.run(_tree_sum(parts), what)
        return {j: (L[t], g[t], H[t], Q[t]) for t, j in enumerate(order)}

    def _weights(self, j: int, beta: NDArray[np.float64]) -> NDArray[np.float64]:
        m = self.models[j]
        return np.where(m["constant"], 0.0, beta * m["scale"])

    def _gradients(self, j: int, stats) -> tuple[NDArray[np.float64], float]:
        """∂F/∂w (solver scale) and ∂F/∂b at the pass's point, F = (1/Σw)·Σw·ℓ."""
        m, s = self.models[j], self.job.schema
        g = stats[1]
        p = s.p
        grad = (g[:p] + s.shift * g[p]) / m["W"] / m["scale"]
        return np.where(m["constant"], 0.0, grad), g[p] / m["W"]

    def _objective(self, j: int, stats, beta, lam: float) -> float:
        return float(stats[0] / self.models[j]["W"] + lam * self.job.spec.penalty.value(self._weights(j, beta)))

    def _kkt(self, j: int, stats, beta, lam: float) -> float:
        grad, grad_b = self._gradients(j, stats)
        pen = self.job.spec.penalty
        return float(kkt_violation(pen, self._weights(j, beta)[None], grad[None], [lam], [grad_b],
                                   pen.box(self.models[j]["scale"]))[0])

    def _newton_design(self, j: int, stats, beta: NDArray[np.float64], b0: float) -> Design:
        """The penalized weighted least-squares problem of the Newton step at (β, β₀), in solver coordinates:
        weights w·h, working response z = η + (y − μ)/h, centred by its h-weighted means (the intercept)."""
        m, s = self.models[j], self.job.schema
        L, g, H, Q = stats
        p = s.p
        theta = np.append(beta, b0 + s.shift @ beta)
        t = H @ theta - g
        h11, hx1 = H[p, p], H[:p, p]
        gram_c = H[:p, :p] - np.outer(hx1, hx1) / h11
        zy_c = t[:p] - hx1 * t[p] / h11
        z_mean = t[p] / h11
        zz = theta @ H @ theta - 2 * theta @ g + Q - h11 * z_mean**2
        r = m["n"] / m["W"]
        scale, constant = m["scale"], m["constant"]
        gram = r * gram_c / np.outer(scale, scale)
        gram[constant, :] = 0.0
        gram[:, constant] = 0.0
        zy = np.where(constant, 0.0, r * zy_c / scale)
        return Design(Zc=None, yc=None, yy=max(r * zz, 0.0), y_mean=float(z_mean), x_mean=s.shift + hx1 / h11,
                      x_scale=scale, constant=constant, standardize=self.job.spec.standardize,
                      feature_names=s.feature_names, gram=gram, zy=zy, n=int(round(m["n"])))

    def _null_step(self, j: int, stats, beta, b0, free: NDArray[np.bool_]):
        """An unpenalized Newton step in the free (penalty factor 0) features and the intercept."""
        s = self.job.schema
        L, g, H, Q = stats
        p = s.p
        idx = np.append(np.flatnonzero(free), p)
        step = np.linalg.lstsq(H[np.ix_(idx, idx)], -g[idx], rcond=None)[0]
        theta = np.append(beta, b0 + s.shift @ beta)
        theta[idx] += step
        new_beta = theta[:p]
        return new_beta, float(theta[p] - s.shift @ new_beta)

    def _null_model(self) -> tuple[NDArray[np.float64], float, Any]:
        """The whole data's null model (intercept and unpenalized features, by Newton passes), λ_max and
        the ridge grid's spectrum, as :class:`reglab.design.RowDesign` gives them in memory."""
        spec, s = self.job.spec, self.job.schema
        pen = spec.penalty
        free = (pen.factor_array(s.p) == 0.0) & ~self.models[0]["constant"]
        beta, b0 = np.zeros(s.p), self.models[0]["b0"]
        previous = None
        for _ in range(NEWTON_PASSES_PER_LAMBDA):
            stats = self._pass({0: (beta, b0)}, "fitting the null model (intercept and unpenalized features)")[0]
            grad, grad_b = self._gradients(0, stats)
            if previous is not None and stats[0] > previous[0] * (1 + 1e-12) + 1e-300:
                beta, b0 = (beta + previous[1]) / 2, (b0 + previous[2]) / 2
                continue
            if max(np.abs(grad[free]).max(initial=0.0), abs(grad_b)) <= 1e-13 * max(np.abs(grad).max(), 1e-300):
                break
            previous = (stats[0], beta, b0)
            beta, b0 = self._null_step(0, stats, beta, b0, free)
        else:
            raise DataError("The null model (intercept and unpenalized features) did not converge on the cluster.")
        correlation = -grad
        self.lambda_max = float(pen.lambda_max(correlation))
        m = self.models[0]
        H = stats[2]
        d = m["v_mean"]
        hx1, h11 = H[:s.p, s.p], H[s.p, s.p]
        centred = H[:s.p, :s.p] - np.outer(hx1, d) - np.outer(d, hx1) + h11 * np.outer(d, d)
        scaled = (m["n"] / m["W"]) * centred / np.outer(m["scale"], m["scale"])
        scaled[m["constant"], :] = 0.0
        scaled[:, m["constant"]] = 0.0
        self.null_spectrum = np.clip(np.linalg.eigvalsh(scaled), 0.0, None)
        return beta, b0, stats

    def grid(self, lambdas: ArrayLike | None, n_lambdas: int) -> NDArray[np.float64]:
        """The λ grid: glmnet's default from the whole data's null model (as :func:`reglab.lambda_grid`)."""
        self._null = self._null_model()
        if lambdas is not None:
            return np.sort(np.asarray(lambdas, dtype=float))[::-1]
        return lambda_grid(_GridShim(self), self.job.spec.penalty, n_lambdas)

    def solve(self, grid: NDArray[np.float64], tolerance: float) -> list:
        """Every model along ``grid`` to KKT ≤ ``tolerance``·λ_max·max(α, 0.001) (a hundredth of it: the Newton
        steps converge quadratically, so exact answers cost a pass or two more):
        [(coefs (L, p), intercepts (L,), kkt (L,) relative to λ_max)] per model."""
        spec = self.job.spec
        pen = spec.penalty
        limit = tolerance / 100 * self.lambda_max * max(pen.alpha, 1e-3)
        p, n_lam = self.job.schema.p, len(grid)
        out = [(np.zeros((n_lam, p)), np.zeros(n_lam), np.zeros(n_lam)) for _ in self.models]
        states = {}
        for j, m in enumerate(self.models):
            start = (self._null[0], self._null[1]) if j == 0 else (np.zeros(p), m["b0"])
            states[j] = {"beta": start[0], "b0": start[1], "i": 0, "previous": None, "halvings": 0, "steps": 0}
        pending = {0: self._null[2]} if self.models[0]["held_out"] is None else {}
        while states:
            need = {j: (st["beta"], st["b0"]) for j, st in states.items() if j not in pending}
            if need:
                done_before = min(st["i"] for st in states.values())
                pending.update(self._pass(need, f"Newton pass: λ {done_before + 1} of {n_lam}"))
            for j in list(states):
                st, stats = states[j], pending.pop(j)
                lam = grid[st["i"]]
                rose = st["previous"] is not None and (self._objective(j, stats, st["beta"], lam)
                                                       > st["previous"][0] + 1e-13 * abs(st["previous"][0]))
                if rose:
                    if st["halvings"] >= _MAX_HALVINGS:
                        raise DataError("A Newton step did not decrease the objective on the cluster.")
                    st["halvings"] += 1
                    st["beta"] = (st["beta"] + st["previous"][1]) / 2
                    st["b0"] = (st["b0"] + st["previous"][2]) / 2
                    continue
                st["halvings"] = 0
                while True:
                    lam = grid[st["i"]]
                    kkt = self._kkt(j, stats, st["beta"], lam)
                    if kkt > limit:
                        break
                    coefs, intercepts, residuals = out[j]
                    coefs[st["i"]], intercepts[st["i"]], residuals[st["i"]] = st["beta"], st["b0"], kkt / self.lambda_max
                    st["i"] += 1
                    st["steps"] = 0
                    st["previous"] = None
                    if st["i"] == n_lam:
                        del states[j]
                        break
                if j not in states:
                    continue
                st["steps"] += 1
                if st["steps"] > NEWTON_PASSES_PER_LAMBDA:
                    raise DataError(f"Newton's method needed more than {NEWTON_PASSES_PER_LAMBDA} passes at λ = {lam:.4g} "
                                    "on the cluster (the bound said before the work started).")
                st["previous"] = (self._objective(j, stats, st["beta"], lam), st["beta"], st["b0"])
                design = self._newton_design(j, stats, st["beta"], st["b0"])
                w = solve(design, pen, [lam], self._weights(j, st["beta"])[None][0], kkt_tolerance=1e-13)[0]
                beta, b0 = design.to_original(w)
                st["beta"], st["b0"] = np.asarray(beta), float(b0)
        return out

    def path(self, grid, coefs, intercepts, kkt) -> Path:
        """The whole data's solutions as a :class:`~reglab.Path` (off-grid λ: solve again on the cluster)."""
        spec, s, m = self.job.spec, self.job.schema, self.models[0]
        pen = spec.penalty
        classes = sorted_classes(np.asarray(s.classes, dtype=object))[1] if s.classes else ()
        # each solver column's weighted mean square (RowDesign.curvature): 1 standardized, else the variance
        curvature = np.where(m["constant"], 0.0, (m["sd"] / m["scale"]) ** 2)
        return Path(penalty=pen.name, l1_ratio=pen.alpha, standardize=spec.standardize, lambdas=grid, coefs=coefs,
                    intercepts=intercepts, weights=np.where(m["constant"], 0.0, coefs * m["scale"]),
                    feature_names=s.feature_names, lambda_max=self.lambda_max, kkt=kkt, fit_intercept=True,
                    family=spec.datafit.family, classes=classes, penalty_factor=pen.factors,
                    weight_floor=weight_floor(self.lambda_max, curvature) if pen.alpha > 0 else None,
                    spec=spec, passes=self.job.runner.passes)

    def heldout(self, solved: list, measure: str) -> NDArray[np.float64]:
        """One more pass: each fold model's held-out error at every λ (``datafit.heldout_loss``, weighted mean)."""
        import dask

        if measure == "auc":
            raise DataError("The ROC AUC needs every held-out row's rank: on a cluster use the deviance or 'class'.")
        spec, table, schema = self.job.spec, self.job.table, self.job.schema
        fits = [(self.models[j + 1]["held_out"], coefs, intercepts, self.models[j + 1]["delta"])
                for j, (coefs, intercepts, _) in enumerate(solved)]
        parts = [dask.delayed(_heldout_part, pure=True)(part, i, table.roles, schema, self.moments.folds, self.moments.seed,
                                                        self.positive, spec.datafit.family, measure, fits)
                 for i, part in enumerate(table.frame[_wanted_columns(table)].to_delayed())]
        loss, weight = self.job.runner.run(_tree_sum(parts), "scoring every fold's held-out rows")
        return loss / weight[:, None]


class _GridShim:
    """What :func:`reglab.lambda_grid` reads of a design, for a model known by its statistics."""

    def __init__(self, job: NewtonJob) -> None:
        self.job = job
        self.n_samples = int(round(job.models[0]["n"]))
        self.n_features = job.job.schema.p

    def grid_top(self, penalty: Penalty) -> float:
        return self.job.lambda_max

    def lambda_max(self, penalty: Penalty) -> float:
        return self.job.lambda_max

    @property
    def ridge_basis(self):
        return "eig", self.job.null_spectrum, None, None


def _heldout_part(part, partition, table, schema, folds, seed, positive, family, measure, fits):
    """One partition's Σw·loss of each fold model on its held-out rows, every λ: (K, L), and Σw per fold (K,)."""
    datafit = datafit_of(family)
    loss = np.zeros((len(fits), fits[0][1].shape[0]))
    weight = np.zeros(len(fits))
    for enc in encoded_chunks(part, partition, table, schema, folds, seed, positive):
        observed = ~np.isnan(enc.X)
        for k, (held_out, coefs, intercepts, delta) in enumerate(fits):
            rows = enc.fold == held_out
            if not rows.any():
                continue
            X = np.where(observed[rows], enc.X[rows], schema.shift + delta)
            eta = coefs @ X.T + intercepts[:, None]
            if enc.offset is not None:
                eta += enc.offset[rows]
            losses = datafit.heldout_loss(enc.y[rows], datafit.response(eta), measure)
            loss[k] += losses @ enc.w[rows]
            weight[k] += enc.w[rows].sum()
    return loss, weight


CLUSTER_BACKEND.update(is_lazy=is_lazy, fit=cluster_fit, path=cluster_path, relax=cluster_relax,
                       cross_validate=cluster_cross_validate)
