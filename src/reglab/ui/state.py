"""Session-state keys: every page reads and writes session state through these names only."""

from __future__ import annotations

from reglab.data import DEFAULT_DATASET

#: Where the data comes from: "builtin", "synthetic", "upload" or "server" (an operator's dataset).
SOURCE = "reglab.source"
#: The name of the chosen server dataset (reglab.serverdata: the operator's catalog, never a path).
SERVER_DATASET = "reglab.server_dataset"
#: Key of the chosen built-in dataset (see reglab.data.BUILTIN).
DATASET = "reglab.dataset"
#: Synthetic generator kind and its short URL parameters (dict).
SYNTH_KIND = "reglab.synth_kind"
SYNTH_PARAMS = "reglab.synth_params"
#: The uploaded file: {"name", "token" (content hash + extension), "size", "dataset", "notes"}; never cached by name.
UPLOAD = "reglab.upload"
#: (file name, message) of an upload that could not be used; the previous file stays current.
UPLOAD_ERROR = "reglab.upload_error"
#: Preprocessing choices per dataset: {"token": dataset token, **settings}.
PREP = "reglab.prep"
#: Penalty name, λ and L1 ratio of the current view (round-trip through the URL).
PENALTY = "reglab.penalty"
LAMBDA = "reglab.lambda"
L1_RATIO = "reglab.l1_ratio"
#: A λ chosen by a button or a chart click, applied to the λ widgets at the start of the next run.
LAMBDA_PENDING = "reglab.lambda_pending"
STANDARDIZE = "reglab.standardize"
FOLDS = "reglab.folds"
BV_REPEATS = "reglab.bv_repeats"
#: A classifier's CV measure (cv.glmnet's type.measure): "deviance", "class" or "auc".
CV_MEASURE = "reglab.cv_measure"
#: The relaxed lasso's γ on Explore (1 = the penalized fit, 0 = the unpenalized refit of its features).
RELAX_GAMMA = "reglab.relax_gamma"
#: A multinomial model's class shown by a per-class chart (suffixed by the chart).
SHOWN_CLASS = "reglab.shown_class"
#: Explore: the open tab (only it runs) and the path chart's scale and x-axis choices.
EXPLORE_TAB = "reglab.explore_tab"
PATH_SCALE = "reglab.path_scale"
PATH_AXIS = "reglab.path_axis"
#: Saved what-if scenarios (list of reglab.scenarios.Scenario), and an import error to show once.
SCENARIOS = "reglab.scenarios"
SCENARIO_IMPORT_ERROR = "reglab.scenario_import_error"
#: Compare page: which λ each penalty uses ("same", "min", "1se") and the stability resample count.
COMPARE_MODE = "reglab.compare_mode"
RESAMPLES = "reglab.resamples"
#: Fingerprints of heavy designs the user said to analyse (reglab.ui.heavy), and a "just stopped" flag.
HEAVY_CONFIRMED = "reglab.heavy_confirmed"
HEAVY_STOPPED = "reglab.heavy_stopped"
#: Tokens of costly parts the user stopped: they ask again before they restart, whatever their cost.
HEAVY_HALTED = "reglab.heavy_halted"
#: Explore's bootstrap intervals on the coefficient bars: shown or not, and their resample count.
INTERVALS = "reglab.intervals"
INTERVAL_RESAMPLES = "reglab.interval_resamples"
#: Model checks: which residuals a count model's checks draw ("pearson" or "deviance").
RESIDUAL_KIND = "reglab.residual_kind"
#: What-if: the form's value of each model column, suffixed by ".{data fingerprint}.{column position}".
WHATIF = "reglab.whatif"
#: The last chart selection already applied (a selection persists across reruns), and a counter
#: bumped by each λ button so the clickable charts are drawn with fresh (empty) selections.
LAST_PICK = "reglab.last_pick"
PICK_GENERATION = "reglab.pick_generation"

DEFAULTS: dict[str, object] = {
    SOURCE: "builtin",
    DATASET: DEFAULT_DATASET,
    SYNTH_KIND: "sparse",
    PENALTY: "l1",
    L1_RATIO: 0.5,
    STANDARDIZE: True,
    FOLDS: 5,
    BV_REPEATS: 30,
    CV_MEASURE: "deviance",
    RELAX_GAMMA: 0.0,
    COMPARE_MODE: "1se",
    RESAMPLES: 100,
    INTERVALS: False,
    INTERVAL_RESAMPLES: 200,
}


def widget_key(name: str) -> str:
    """Key of a widget whose value is persisted elsewhere (widget state dies with its page)."""
    return f"reglab.widget.{name}"
