"""Work budgets: every limit that keeps one person's file, link or click from stopping the app.

The app is shared: every session runs in one server process (2 cores, a few GB of memory
on the reference machine).  Each number below bounds work or memory *before* it is done,
and each says why it has the value it has.  Every check that uses one raises
:class:`~reglab.DataError` with a message saying what was too large and what to do.
"""

from __future__ import annotations

# --------------------------------------------------------------------------- files

#: Largest upload, in bytes.  Streamlit's ``server.maxUploadSize = 50`` is in decimal
#: megabytes (the browser refuses anything over 50,000,000 bytes), so the loader counts
#: the same way: "50 MB" means the same on the label, in the browser and here.
MAX_UPLOAD_MB = 50
MAX_UPLOAD_BYTES = MAX_UPLOAD_MB * 1_000_000

#: Cells (rows × columns) of a parsed table.  While parsing, a cell is a Python string
#: (~60 bytes), so 5 million cells cost ~300 MB at the peak: the most one upload may take.
#: A 50 MB CSV of plain numbers holds ~2.5 million cells, so no honest file under the upload
#: limit is refused by this; it stops files whose content expands (an .xlsx, a Parquet).
MAX_CELLS = 5_000_000

#: Columns of a table.  Past a few thousand columns nothing on the pages stays readable
#: (and the Gram matrix of 5,000 features is 200 MB); genomic-width data needs another tool.
MAX_COLUMNS = 5_000

#: Characters of one column name; longer names are cut (with a note).  Names are shown
#: in legends, tables and generated code, where 200 characters is already a paragraph.
MAX_NAME_CHARS = 200

#: Characters of one cell.  A table cell longer than this is a document pasted into a
#: table (or a file that is not a table); it is refused, naming the cell.
MAX_CELL_CHARS = 10_000

#: Characters of the sample the dialect detector reads.  clevercsv's consistency score
#: costs much more than linear time in the sample's line length; 64 k characters of
#: ordinary lines take ~50 ms, one 100 k-character line took 25 s.
DIALECT_SAMPLE_CHARS = 64_000
#: A first line longer than this is too long for clevercsv: the separator is found by
#: counting candidates consistently across the first lines instead.
DIALECT_MAX_LINE_CHARS = 4_000

#: Cells an .xlsx sheet may make the reader materialize, counting the blank ones that
#: pad rows out to their last used column.  A 5 KB workbook can claim the whole
#: 1,048,576 × 16,384 grid (one cell in XFD1048576); this stops such a sheet within seconds
#: of parsing, before any table is built.
MAX_SHEET_SCAN_CELLS = 20_000_000

# --------------------------------------------------------------------------- synthetic data

#: Rows × features of a generated dataset (80 MB of float64).  Applies to the Data page,
#: to links (``?dataset=sparse&n=…&p=…``) and to the library alike.
MAX_SYNTHETIC_CELLS = 10_000_000

# --------------------------------------------------------------------------- analyses

#: Features after one-hot encoding.  The design's Gram matrix is p² doubles (p = 5,000:
#: 200 MB, and every CV fold forms one), so beyond this an analysis cannot be bounded.
MAX_FEATURES = 5_000

#: Values in the prepared design matrix (rows × features after one-hot encoding): 160 MB of
#: float64. One-hot encoding can multiply a table's width by up to 200 (max levels), so the
#: design is bounded on its own, while it is built.
MAX_DESIGN_CELLS = 20_000_000

#: Above either of these an analysis is "heavy": Explore and Compare say what it will
#: cost and wait for a click before starting, then show progress and can be stopped.
#: Measured on the 2-core reference machine: a lasso path plus 5-fold CV at 200 × 1,000
#: takes ~1.7 s and at 200 × 2,000 ~4 s; the per-page budget for "feels instant" is ~1 s.
HEAVY_FEATURES = 1_000
HEAVY_CELLS = 5_000_000  # n·p of the training design (a 100,000 × 50 table)

#: Grouped categories for a two-class or count target: each proximal-Newton step forms the p × p Hessian
#: from the n training rows (n·p² multiply-adds) and a path takes ~2–3 steps per λ over 100 λ.
#: Measured on the reference machine at this bound: 2,000 × 70 path 0.7 s, 5-fold CV 4 s;
#: 20,000 × 22 path 1.6 s, CV 7 s (at 5e7, 20,000 × 50: path 2.7 s, CV 13 s). Past it the Data
#: page penalizes each level on its own and says so, rather than spend a core for a minute.
MAX_GROUPED_LOGISTIC_WORK = 10_000_000

#: Classes of a class target.  A multinomial fit holds a (classes × features) weight matrix and
#: every Newton pass forms one Hessian block per class: 50 classes × 1,000 features is 50,000
#: weights and already minutes of work; a target with more distinct values is a quantity or an
#: identifier, not a class.
MAX_CLASSES = 50

# --------------------------------------------------------------------------- scenarios and text

#: Saved scenarios per session (saved here or imported): each holds a coefficient table, and
#: the Compare page lists and diffs them on every rerun.
MAX_SCENARIOS = 200
#: Size of an imported scenarios file.  200 scenarios of 5,000 coefficients export to ~25 MB.
MAX_SCENARIO_FILE_BYTES = 25_000_000
#: Nesting depth of an imported JSON value (the format itself needs 4).
MAX_JSON_DEPTH = 8


#: CPU seconds an analysis may cost before the page asks first (then shows progress and Stop).
#: One person's click may take a core for this long; beyond it, every other session would wait.
WORK_BUDGET_SECONDS = 20.0

#: Measured CPU seconds of Explore's path + 5-fold CV, per unit of work, on the 2-core reference
#: machine (rounded up: an estimate must not let a costly analysis through).
#: Two-class logistic regression, per training row × feature: 2,000 × 50 took 1.2 s, 2,000 × 200 6.3 s.
SECONDS_PER_LOGISTIC_CELL = 1e-5
#: Three or more classes, per row × feature × class (block Newton over the classes and a joint
#: Newton polish): 2,000 × 20 × 3 took 10 s, 2,000 × 50 × 5 53 s, 1,000 × 50 × 5 32 s.
SECONDS_PER_MULTINOMIAL_CELL = 1.5e-4
#: The relaxed lasso (a refit per distinct active set, on the path and every fold), per row ×
#: feature²: 2,000 × 100 took 0.2 s, 5,000 × 200 0.8 s, 2,000 × 300 1.5 s; 10,000 × 500 ~60 s.
SECONDS_PER_RELAXED_ROW_FEATURE2 = 2.5e-8


#: Information criteria with a ridge part need each λ's degrees of freedom: an eigendecomposition of
#: the active set's Gram (least squares: p³ per distinct active set, once for ridge) or of its Hessian
#: formed from the rows (n·p²·K per λ). Measured on the reference machine: ~1.3e-10 s per unit
#: (100 λ at 10,000 × 50 rows 0.17 s; ridge 2,000 × 800 on the Gram 4 s before the once-per-set change).
SECONDS_PER_CRITERIA_UNIT = 1.5e-10
#: The criteria are drawn under the CV curve on every path change: beyond this they are not computed.
CRITERIA_BUDGET_SECONDS = 3.0


def criteria_seconds(n_samples: int, n_features: int, n_lambdas: int, alpha: float, on_rows: bool,
                     n_classes: int = 1) -> float:
    """Estimated CPU seconds of :func:`reglab.information_criteria` along a path of ``n_lambdas`` λ:
    0 for the lasso (df are counts); else the df's eigendecompositions (see above)."""
    if alpha == 1.0:
        return 0.0
    p = float(n_features)
    units = n_lambdas * float(n_samples) * p * p * max(n_classes, 1) if on_rows else (1 if alpha == 0 else n_lambdas) * p**3
    return SECONDS_PER_CRITERIA_UNIT * units


#: Bootstrap intervals refit the model at one λ on each resample. Measured on the reference machine (per
#: resample, a cold fit): least squares from the resample's weighted Gram ~1–4e-10 s per row × feature²
#: (2,000 × 500: 0.05 s; 20,000 × 50: 0.02 s); the row datafits ~0.6–1e-7 s per row × feature (× classes):
#: logistic 2,000 × 50 0.006 s, 10,000 × 50 0.05 s; 3 classes 2,000 × 20 0.015 s. Rounded up.
SECONDS_PER_RESAMPLE_GRAM_CELL = 4e-10
SECONDS_PER_RESAMPLE_ROW_CELL = 2e-7


def bootstrap_seconds(n_samples: int, n_features: int, resamples: int, on_rows: bool, n_classes: int = 1) -> float:
    """Estimated CPU seconds of ``resamples`` bootstrap refits at one λ (:func:`reglab.compare.coefficient_intervals`)."""
    n, p = float(n_samples), float(n_features)
    each = (SECONDS_PER_RESAMPLE_ROW_CELL * n * p * max(n_classes, 1) if on_rows
            else SECONDS_PER_RESAMPLE_GRAM_CELL * n * p * p)
    return resamples * each


def estimated_seconds(n_samples: int, n_features: int, n_classes: int = 0, relaxed: bool = False) -> float:
    """Estimated CPU seconds of a path and its 5-fold CV (``relaxed``: of the relaxed lasso's refits
    and their CV) for ``n_samples × n_features`` training values; ``n_classes`` 0 for least squares,
    2 for logistic (or Poisson) regression, K for K classes. Least squares runs on the Gram (bounded by the
    cell and feature budgets above), so only the classifiers and the relaxed refits are counted here."""
    n, p = float(n_samples), float(n_features)
    if relaxed:
        return SECONDS_PER_RELAXED_ROW_FEATURE2 * n * p * p
    if n_classes > 2:
        return SECONDS_PER_MULTINOMIAL_CELL * n * p * n_classes
    if n_classes == 2:
        return SECONDS_PER_LOGISTIC_CELL * n * p
    return 0.0


def is_heavy(n_samples: int, n_features: int, n_classes: int = 0) -> bool:
    """Whether an analysis of an ``n_samples × n_features`` design (``n_classes`` as in
    :func:`estimated_seconds`) should ask before it starts: by its shape, or by its estimated cost."""
    return (n_features > HEAVY_FEATURES or n_samples * n_features > HEAVY_CELLS
            or estimated_seconds(n_samples, n_features, n_classes) > WORK_BUDGET_SECONDS)
