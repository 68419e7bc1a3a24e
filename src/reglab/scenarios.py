"""Saved what-if scenarios: a fit's settings, metrics and coefficients, as validated JSON.

Scenario files are plain JSON checked field by field on import — never pickle, never code —
because a file from someone else is untrusted input.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

import pandas as pd

from . import limits
from .errors import DataError

FORMAT = "reglab-scenarios"
VERSION = 1
MAX_SCENARIOS = limits.MAX_SCENARIOS
MAX_FEATURES = 10_000
#: Entries of a scenario's preprocessing settings, and of each list inside them.
MAX_SETTINGS = 100
#: How tables name a scenario's relaxed-lasso γ.
RELAXED_GAMMA = "relaxed γ"


@dataclass(frozen=True)
class Scenario:
    """One saved fit: what produced it and what came out (coefficients on the original scale)."""

    name: str
    dataset: str
    target: str
    penalty: str
    lam: float
    l1_ratio: float
    standardize: bool
    preprocessing: dict = field(default_factory=dict)
    metrics: dict = field(default_factory=dict)
    coefficients: dict = field(default_factory=dict)
    intercept: float = 0.0
    #: Relaxed-lasso blend γ (glmnet's relax = TRUE): 1 = the penalized fit itself, 0 = the relaxed refit.
    gamma: float = 1.0


def to_json(scenarios: list[Scenario]) -> str:
    """Serialize scenarios (with a format tag and version) as pretty JSON."""
    return json.dumps({"format": FORMAT, "version": VERSION, "scenarios": [asdict(s) for s in scenarios]},
                      indent=2, ensure_ascii=False, allow_nan=False, default=_jsonable)


def _jsonable(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON-serializable")


def _finite(value: object) -> bool:
    """A JSON number that is a finite float (huge integers overflow float and are refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _number(entry: dict, key: str, where: str, positive: bool = False) -> float:
    value = entry.get(key)
    if not _finite(value):
        raise DataError(f"{where}: '{key}' must be a finite number.")
    if positive and value <= 0:
        raise DataError(f"{where}: '{key}' must be greater than 0.")
    return float(value)


def _text(entry: dict, key: str, where: str, limit: int = 500) -> str:
    return _short_text(entry.get(key), f"{where}: '{key}'", limit)


def _short_text(value: object, what: str, limit: int) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise DataError(f"{what} must be text of at most {limit} characters.")
    return value


def _setting(value: object, where: str, depth: int = 0) -> object:
    """A preprocessing setting: text, a finite number, true/false, null, or a short list of those."""
    if value is None or isinstance(value, bool) or _finite(value):
        return value
    if isinstance(value, str) and len(value) <= 500:
        return value
    if isinstance(value, list) and depth == 0 and len(value) <= limits.MAX_FEATURES:
        return [_setting(v, where, depth + 1) for v in value]
    raise DataError(f"{where} must be text (≤ 500 characters), a finite number, true/false, or a list of those.")


def _factors_setting(value: object, where: str) -> dict[str, float]:
    """The ``factors`` preprocessing setting: an object of feature names to penalty factors ≥ 0."""
    if (isinstance(value, dict) and len(value) <= limits.MAX_FEATURES
            and all(isinstance(k, str) and len(k) <= 500 and not isinstance(v, bool) and _finite(v) and v >= 0
                    for k, v in value.items())):
        return {k: float(v) for k, v in value.items()}
    raise DataError(f"{where} must be an object of feature names to penalty factors (numbers ≥ 0).")


def _limits_setting(value: object, where: str) -> dict[str, list[float | None]]:
    """The ``limits`` preprocessing setting: an object of feature names to [lower ≤ 0 or null, upper ≥ 0 or null]."""
    def side(v, sign):
        return v is None or (not isinstance(v, bool) and _finite(v) and v * sign >= 0)

    if (isinstance(value, dict) and len(value) <= limits.MAX_FEATURES
            and all(isinstance(k, str) and len(k) <= 500 and isinstance(v, list) and len(v) == 2
                    and side(v[0], -1.0) and side(v[1], 1.0) for k, v in value.items())):
        return {k: [None if v[0] is None else float(v[0]), None if v[1] is None else float(v[1])] for k, v in value.items()}
    raise DataError(f"{where} must be an object of feature names to [lower, upper] limits (lower ≤ 0 ≤ upper, or null).")


def _json_depth(value: object) -> int:
    """Deepest nesting of lists and objects in a parsed JSON value, walked with a stack (linear in
    the number of values; no recursion, no pattern matching over the file's text)."""
    deepest = 0
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            deepest = max(deepest, depth + 1)
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def from_json(text: str | bytes) -> list[Scenario]:
    """Parse and validate a scenarios file; raises DataError saying what is wrong and where.

    Bounded before parsing: the file's size (:data:`reglab.limits.MAX_SCENARIO_FILE_BYTES`) and
    its nesting depth (:data:`reglab.limits.MAX_JSON_DEPTH`; the format needs 4).
    """
    if len(text) > limits.MAX_SCENARIO_FILE_BYTES:
        raise DataError(f"This scenarios file is {len(text) / 1e6:,.1f} MB; at most "
                        f"{limits.MAX_SCENARIO_FILE_BYTES / 1e6:,.0f} MB can be imported.")
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError("This scenarios file is not UTF-8 text. Export it again from Regularization Lab.") from None
    too_deep = DataError(f"This file nests values more than {limits.MAX_JSON_DEPTH} levels deep; "
                         "a scenarios file exported from Regularization Lab never does.")
    # The C parser is linear in the text and stops deep nesting itself (RecursionError); the
    # depth bound is then checked on the parsed values. (A regex that stripped strings first was
    # quadratic on an unclosed string of escaped quotes: 64 KB froze every session for 36 s.)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"This is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
    except RecursionError:
        raise too_deep from None
    except ValueError:  # e.g. an integer of more than 4,300 digits
        raise DataError("This file holds a value that cannot be read as a number (too many digits).") from None
    if _json_depth(data) > limits.MAX_JSON_DEPTH:
        raise too_deep
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise DataError(f"This JSON is not a Regularization Lab scenarios file (expected \"format\": \"{FORMAT}\").")
    if data.get("version") != VERSION:
        raise DataError(f"Unsupported scenarios file version {data.get('version')!r}; this app reads version {VERSION}.")
    entries = data.get("scenarios")
    if not isinstance(entries, list):
        raise DataError("The file has no list of scenarios.")
    if len(entries) > MAX_SCENARIOS:
        raise DataError(f"The file holds {len(entries)} scenarios; at most {MAX_SCENARIOS} can be imported.")
    out = []
    for i, entry in enumerate(entries, start=1):
        where = f"Scenario {i}"
        if not isinstance(entry, dict):
            raise DataError(f"{where} is not an object.")
        penalty = _text(entry, "penalty", where)
        if penalty not in ("l1", "l2", "elasticnet"):
            raise DataError(f"{where}: penalty must be 'l1', 'l2' or 'elasticnet', not {penalty!r}.")
        ratio = _number(entry, "l1_ratio", where)
        if not 0.0 <= ratio <= 1.0:
            raise DataError(f"{where}: 'l1_ratio' must lie between 0 and 1.")
        coefficients = entry.get("coefficients", {})
        metrics = entry.get("metrics", {})
        preprocessing = entry.get("preprocessing", {})
        if not isinstance(coefficients, dict) or len(coefficients) > MAX_FEATURES:
            raise DataError(f"{where}: 'coefficients' must map feature names to numbers.")
        for key in coefficients:
            _short_text(key, f"{where}: a coefficient's feature name", 10 * limits.MAX_NAME_CHARS)
            _number(coefficients, key, f"{where}, coefficient {key!r}")
        if not isinstance(metrics, dict) or len(metrics) > MAX_SETTINGS:
            raise DataError(f"{where}: 'metrics' must map names to numbers.")
        for key, value in metrics.items():
            if value is not None:
                _number(metrics, key, f"{where}, metric {key!r}")
        if not isinstance(preprocessing, dict) or len(preprocessing) > MAX_SETTINGS:
            raise DataError(f"{where}: 'preprocessing' must be an object of at most {MAX_SETTINGS} settings.")
        preprocessing = {_short_text(k, f"{where}: a preprocessing setting's name", 100):
                         {"factors": _factors_setting, "limits": _limits_setting}.get(k, _setting)(
                             v, f"{where}, preprocessing {k!r}")
                         for k, v in preprocessing.items()}
        gamma = _number(entry, "gamma", where) if "gamma" in entry else 1.0
        if not 0.0 <= gamma <= 1.0:
            raise DataError(f"{where}: 'gamma' (the relaxed lasso's blend) must lie between 0 and 1.")
        if gamma < 1.0 and penalty == "l2":
            raise DataError(f"{where}: a relaxed fit ('gamma' below 1) needs the l1 or elastic-net penalty: ridge selects "
                            "nothing to refit.")
        standardize = entry.get("standardize")
        if not isinstance(standardize, bool):
            raise DataError(f"{where}: 'standardize' must be true or false.")
        out.append(Scenario(
            name=_text(entry, "name", where, 200), dataset=_text(entry, "dataset", where), target=_text(entry, "target", where),
            penalty=penalty, lam=_number(entry, "lam", where, positive=penalty != "l2"), l1_ratio=ratio,
            standardize=standardize, preprocessing=preprocessing, metrics=dict(metrics),
            coefficients={str(k): float(v) for k, v in coefficients.items()},
            intercept=_number(entry, "intercept", where) if "intercept" in entry else 0.0, gamma=gamma,
        ))
    return out


def room_for(store: list[Scenario], incoming: int) -> None:
    """Raise DataError when adding ``incoming`` scenarios would take the session past MAX_SCENARIOS."""
    free = MAX_SCENARIOS - len(store)
    if incoming > free:
        raise DataError(f"{len(store)} scenarios are saved in this session and at most {MAX_SCENARIOS} can be kept: "
                        f"there is room for {max(free, 0)} more, not {incoming}. Export them, then reload the page "
                        "to start a fresh session.")


def diff(a: Scenario, b: Scenario) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Coefficient and metric differences ``B − A`` (a feature missing on one side counts as 0)."""
    col_a, col_b = f"A · {a.name}", f"B · {b.name}"
    features = list(dict.fromkeys([*a.coefficients, *b.coefficients]))
    coefs = pd.DataFrame({
        "feature": features,
        col_a: [a.coefficients.get(f, 0.0) for f in features],
        col_b: [b.coefficients.get(f, 0.0) for f in features],
    })
    coefs["change (B − A)"] = coefs[col_b] - coefs[col_a]
    values_a, values_b = ({"λ": s.lam, "L1 ratio": s.l1_ratio, **({RELAXED_GAMMA: s.gamma} if a.gamma < 1 or b.gamma < 1 else {}),
                           **s.metrics} for s in (a, b))
    names = list(dict.fromkeys([*values_a, *values_b]))
    metrics = pd.DataFrame({"metric": names, col_a: [values_a.get(m) for m in names], col_b: [values_b.get(m) for m in names]})
    metrics["change (B − A)"] = [None if x is None or y is None else y - x for x, y in zip(metrics[col_a], metrics[col_b])]
    return coefs, metrics


def penalty_label(scenario: Scenario) -> str:
    """The penalty as a table shows it: grouped text columns (the Data page's choice) and a relaxed
    blend said beside it."""
    return (scenario.penalty + (" (grouped)" if scenario.preprocessing.get("grouped") is True else "")
            + (" (bounded)" if scenario.preprocessing.get("limits") else "")
            + (", relaxed" if scenario.gamma < 1 else ""))


def summary(store: list[Scenario]) -> pd.DataFrame:
    """One row per scenario: what it is and its metrics (a "relaxed γ" column once any is relaxed)."""
    relaxed = any(s.gamma < 1 for s in store)
    return pd.DataFrame([{"name": s.name, "dataset": s.dataset, "target": s.target, "penalty": penalty_label(s), "λ": s.lam,
                          "L1 ratio": s.l1_ratio, **({RELAXED_GAMMA: s.gamma} if relaxed else {}), **s.metrics}
                         for s in store])
