"""Saved what-if scenarios: a fit's settings, metrics and coefficients, as validated JSON.

Scenario files are plain JSON checked field by field on import — never pickle, never code —
because a file from someone else is untrusted input.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field

import pandas as pd

from .errors import DataError

FORMAT = "reglab-scenarios"
VERSION = 1
MAX_SCENARIOS = 200
MAX_FEATURES = 10_000


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


def to_json(scenarios: list[Scenario]) -> str:
    """Serialize scenarios (with a format tag and version) as pretty JSON."""
    return json.dumps({"format": FORMAT, "version": VERSION, "scenarios": [asdict(s) for s in scenarios]},
                      indent=2, ensure_ascii=False, allow_nan=False, default=_jsonable)


def _jsonable(value):
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON-serializable")


def _number(entry: dict, key: str, where: str, positive: bool = False) -> float:
    value = entry.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise DataError(f"{where}: '{key}' must be a finite number.")
    if positive and value <= 0:
        raise DataError(f"{where}: '{key}' must be greater than 0.")
    return float(value)


def _text(entry: dict, key: str, where: str, limit: int = 500) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or len(value) > limit:
        raise DataError(f"{where}: '{key}' must be text of at most {limit} characters.")
    return value


def from_json(text: str | bytes) -> list[Scenario]:
    """Parse and validate a scenarios file; raises DataError saying what is wrong and where."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError("This scenarios file is not UTF-8 text. Export it again from Regularization Lab.") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"This is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}).") from None
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
            _number(coefficients, key, f"{where}, coefficient {key!r}")
        if not isinstance(metrics, dict):
            raise DataError(f"{where}: 'metrics' must map names to numbers.")
        for key, value in metrics.items():
            if value is not None:
                _number(metrics, key, f"{where}, metric {key!r}")
        if not isinstance(preprocessing, dict):
            raise DataError(f"{where}: 'preprocessing' must be an object.")
        standardize = entry.get("standardize")
        if not isinstance(standardize, bool):
            raise DataError(f"{where}: 'standardize' must be true or false.")
        out.append(Scenario(
            name=_text(entry, "name", where, 200), dataset=_text(entry, "dataset", where), target=_text(entry, "target", where),
            penalty=penalty, lam=_number(entry, "lam", where, positive=penalty != "l2"), l1_ratio=ratio,
            standardize=standardize, preprocessing=preprocessing, metrics=dict(metrics),
            coefficients={str(k): float(v) for k, v in coefficients.items()},
            intercept=_number(entry, "intercept", where) if "intercept" in entry else 0.0,
        ))
    return out


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
    values_a = {"λ": a.lam, "L1 ratio": a.l1_ratio, **a.metrics}
    values_b = {"λ": b.lam, "L1 ratio": b.l1_ratio, **b.metrics}
    names = list(dict.fromkeys([*values_a, *values_b]))
    metrics = pd.DataFrame({"metric": names, col_a: [values_a.get(m) for m in names], col_b: [values_b.get(m) for m in names]})
    metrics["change (B − A)"] = [None if x is None or y is None else y - x for x, y in zip(metrics[col_a], metrics[col_b])]
    return coefs, metrics


def summary(store: list[Scenario]) -> pd.DataFrame:
    """One row per scenario: what it is and its metrics."""
    return pd.DataFrame([{"name": s.name, "dataset": s.dataset, "target": s.target, "penalty": s.penalty, "λ": s.lam,
                          "L1 ratio": s.l1_ratio, **s.metrics} for s in store])
