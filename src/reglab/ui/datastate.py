"""The current dataset and its preparation, shared by every page through session state.

The choice (built-in key, synthetic parameters, or the uploaded bytes) lives in session
state; the expensive work — loading, generating, preprocessing — is cached keyed on a
*content* token (built-in key, generator parameters, or a hash of the uploaded bytes),
never on a file name. The shared cache (:class:`reglab.ui.cache.SharedCache`, bounded by
bytes, thread-safe), not ``st.cache_data``: the results are frozen and never mutated, and
``cache_data`` would hand every rerun (twice: sidebar and page) a fresh copy of the whole
table and design matrix.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from reglab.data import BUILTIN, DEFAULT_DATASET, SYNTHETIC, SYNTHETIC_PARAMS, Dataset, load_builtin, make_synthetic
from reglab.errors import DataError
from reglab.loading import read_table
from reglab.preprocess import Prepared, choose_target, default_features, guess_task, left_out_notes, preprocess

from . import state
from .cache import cached
from .safetext import md


@dataclass(frozen=True)
class DataChoice:
    """What the user chose; ``token`` identifies the data's content."""

    source: str
    token: str
    label: str


def fingerprint_bytes(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def current_choice() -> DataChoice:
    source = st.session_state.get(state.SOURCE, "builtin")
    if source == "upload" and st.session_state.get(state.UPLOAD):
        upload = st.session_state[state.UPLOAD]
        return DataChoice("upload", upload["token"], upload["name"])
    if source == "synthetic":
        kind = st.session_state.get(state.SYNTH_KIND, "sparse")
        params = st.session_state.get(state.SYNTH_PARAMS) or {}
        items = ",".join(f"{k}={params[k]}" for k in sorted(params))
        return DataChoice("synthetic", f"synthetic:{kind}:{items}", kind)
    key = st.session_state.get(state.DATASET, DEFAULT_DATASET)
    return DataChoice("builtin", f"builtin:{key}", key)


@cached()
def _builtin(key: str) -> Dataset:
    return load_builtin(key)


@cached()
def _synthetic(kind: str, params: tuple[tuple[str, float], ...]) -> Dataset:
    return make_synthetic(kind, **dict(params))


@cached(spinner="Reading the file…")
def _uploaded(token: str, name: str, _data: bytes) -> tuple[Dataset, tuple[str, ...]]:
    """Parse uploaded bytes; ``token`` (content hash + extension) is the cache key, ``_data`` is not hashed."""
    loaded = read_table(_data, filename=name)
    frame = loaded.frame
    target, _ = choose_target(frame)
    dataset = Dataset(
        key="upload",
        title=name,
        description=f"Uploaded file ({loaded.file_type}).",
        frame=frame,
        target=target,
        task=guess_task(frame[target]),
        source="upload",
    )
    return dataset, loaded.notes


def load_choice(choice: DataChoice) -> tuple[Dataset, tuple[str, ...]]:
    """The dataset for ``choice`` and the loader's notes (empty except for uploads)."""
    if choice.source == "upload":
        upload = st.session_state[state.UPLOAD]
        return upload["dataset"], upload["notes"]
    if choice.source == "synthetic":
        params = st.session_state.get(state.SYNTH_PARAMS) or {}
        return _synthetic(choice.label, tuple(sorted(params.items()))), ()
    return _builtin(choice.label), ()


def current_dataset() -> tuple[Dataset | None, tuple[str, ...], str | None]:
    """``(dataset, loader notes, error message)``: the error is a DataError's text for the user."""
    try:
        dataset, notes = load_choice(current_choice())
        return dataset, notes, None
    except DataError as exc:
        return None, (), str(exc)
    except (ValueError, KeyError) as exc:  # bad synthetic parameters from a URL
        return None, (), f"Those dataset settings cannot be used: {exc}"


def prep_settings(dataset: Dataset, token: str) -> dict:
    """The preprocessing choices for this dataset (defaults when the dataset changed), with a
    link's choices applied when the link came from outside (:func:`read_prep_query_params`)."""
    saved = st.session_state.get(state.PREP)
    if saved and saved.get("token") == token:
        settings = saved
    else:
        settings = default_prep(dataset, token)
        for field in settings:  # widgets of the previous dataset must not carry its columns over
            st.session_state.pop(state.widget_key(f"{state.PREP}.{field}"), None)
    if url_changed_externally(PREP_URL_KEYS, _PREP_URL_WRITTEN):
        settings = read_prep_query_params(dataset, settings)
        remember_url(PREP_URL_KEYS, _PREP_URL_WRITTEN)
    st.session_state[state.PREP] = settings
    return settings


def default_prep(dataset: Dataset, token: str) -> dict:
    """The preprocessing choices a dataset starts with."""
    return {"token": token, "target": dataset.target, "features": list(_default_features(token, dataset.target, dataset)),
            "task": dataset.task, **_plain_defaults(dataset)}


def _plain_defaults(dataset: Dataset) -> dict:
    """The defaults that do not depend on the columns (cheap: used by every rerun's URL sync)."""
    return {
        "categorical": [],
        "missing": "impute",
        "drop_first": False,
        "max_categories": 20,
        # Tiny tables cannot spare rows for testing; the user can still ask for a split.
        "test_size": 0.25 if len(dataset.frame) >= 40 else 0.0,
        "seed": 0,
        "positive": None,
        "factors": {},  # glmnet's penalty.factor by feature column, only those that are not 1
        "limits": {},  # glmnet's lower.limits / upper.limits by feature column: [lower or None, upper or None]
        "grouped": False,  # penalize a text column's one-hot columns as one group
    }


#: Data-preparation choices carried by links, written only where they differ from the defaults.
PREP_URL_KEYS = {"target", "features", "test", "seed", "task", "missing", "positive", "pf", "lim", "grouped"}
_PREP_URL_WRITTEN = "reglab.url_written.prep"


@cached()
def _default_features(token: str, target: str, _dataset: Dataset) -> tuple[str, ...]:
    """:func:`reglab.preprocess.default_features`, once per dataset and target (it scans every
    column for identifiers, ~5 ms on 20,000 × 30: too much for every rerun's URL sync).
    A tuple: the cached value is shared by every session, so nobody may change it in place."""
    return tuple(default_features(_dataset.frame, target))


@cached()
def _default_task(token: str, target: str, _dataset: Dataset) -> str:
    return guess_task(_dataset.frame[target])


def prep_query(dataset: Dataset, settings: dict) -> dict[str, str]:
    """The URL form of the choices that differ from the dataset's defaults (features as a JSON list)."""
    import json

    token = settings.get("token", "")
    target = settings.get("target", dataset.target)
    out: dict[str, str] = {}
    if settings.get("target") != dataset.target:
        out["target"] = str(settings["target"])
    if tuple(settings.get("features", [])) != _default_features(token, target, dataset):
        out["features"] = json.dumps(list(settings.get("features", [])), ensure_ascii=False)
    default = _plain_defaults(dataset)
    if settings.get("test_size") != default["test_size"]:
        out["test"] = f"{settings['test_size']:g}"
    if settings.get("seed") != default["seed"]:
        out["seed"] = str(int(settings["seed"]))
    if settings.get("task") != _default_task(token, target, dataset):
        out["task"] = str(settings["task"])
    if settings.get("missing") != default["missing"]:
        out["missing"] = str(settings["missing"])
    if settings.get("positive") is not None:
        out["positive"] = str(settings["positive"])
    if settings.get("factors"):
        out["pf"] = json.dumps(settings["factors"], ensure_ascii=False)
    if settings.get("limits"):
        out["lim"] = json.dumps(settings["limits"], ensure_ascii=False)
    if settings.get("grouped"):
        out["grouped"] = "1"
    return out


def read_prep_query_params(dataset: Dataset, settings: dict) -> dict:
    """``settings`` with a link's data-preparation choices applied, each checked against the data;
    an unusable value is named in a warning and the current choice kept."""
    import json

    from .controls import TEST_SHARE, SPLIT_SEED, parse_number

    settings = dict(settings)
    columns = [str(c) for c in dataset.frame.columns]
    problems = []
    target = st.query_params.get("target")
    if target is not None:
        if target in columns:
            settings["target"] = target
            settings["features"] = default_features(dataset.frame, target)
            settings["task"] = guess_task(dataset.frame[target])
        else:
            problems.append(f"The link's target {target[:60]!r} is not a column of this dataset.")
    raw = st.query_params.get("features")
    if raw is not None:
        try:
            features = json.loads(raw)
            assert isinstance(features, list) and all(isinstance(f, str) for f in features) and len(features) <= len(columns)
        except (ValueError, AssertionError, RecursionError):
            features = None
        usable = [f for f in features or [] if f in columns and f != settings["target"]]
        if features is None or len(usable) != len(features) or not usable:
            problems.append("The link's feature list does not match this dataset's columns; kept the default features.")
        else:
            settings["features"] = usable
    for key, control, field in (("test", TEST_SHARE, "test_size"), ("seed", SPLIT_SEED, "seed")):
        value, problem = parse_number(st.query_params.get(key), control, integer=field == "seed")
        if problem:
            problems.append(problem)
        elif value is not None:
            settings[field] = value
    positive = st.query_params.get("positive")
    if positive is not None:  # checked against the target's classes by preprocess (a warning if it is not one)
        settings["positive"] = positive[:200]
    grouped = st.query_params.get("grouped")
    if grouped in ("0", "1"):
        settings["grouped"] = grouped == "1"
    elif grouped is not None:
        problems.append(f"The link's grouped={grouped[:40]} is not 0 or 1. Kept the current choice.")
    for key, parse, field in (("pf", parse_factors, "factors"), ("lim", parse_limits, "limits")):
        raw = st.query_params.get(key)
        if raw is not None:
            value, problem = parse(raw, columns)
            if problem:
                problems.append(problem)
            else:
                settings[field] = value
    for key, allowed in (("task", ("regression", "classification", "counts")), ("missing", ("impute", "drop"))):
        value = st.query_params.get(key)
        if value is not None:
            if value in allowed:
                settings[key] = value
            else:
                problems.append(f"The link's {key}={value[:40]} is not one of {', '.join(allowed)}.")
    for problem in problems:
        link_warning(problem)
    for field in settings:  # widgets show the adopted choices
        st.session_state.pop(state.widget_key(f"{state.PREP}.{field}"), None)
    return settings


@cached(spinner="Preparing the design matrix…")
def _prepared(token: str, settings_key: tuple, _dataset: Dataset) -> Prepared:
    settings = dict(settings_key)
    return preprocess(
        _dataset.frame,
        target=settings["target"],
        features=list(settings["features"]),
        categorical=list(settings["categorical"]),
        missing=settings["missing"],
        drop_first=settings["drop_first"],
        max_categories=settings["max_categories"],
        test_size=settings["test_size"],
        seed=settings["seed"],
        task=settings["task"],
        positive_class=settings.get("positive"),
        penalty_factors=dict(settings.get("factors") or ()),
        group_categories=bool(settings.get("grouped", False)),
        coefficient_limits=dict(settings.get("limits") or ()),
    )


def target_kwargs(dataset: Dataset) -> dict:
    """Target selectbox kwargs: bound like every widget, but a change also keeps the old target as
    a feature, drops the new one from the features, and guesses the task for the new target."""
    from . import bind  # the package imports this module: bind is looked up when called

    kwargs = bind(state.PREP, "target")

    def change_target() -> None:
        settings = dict(st.session_state.get(state.PREP) or {})
        new, old = st.session_state[kwargs["key"]], settings.get("target")
        features = [f for f in settings.get("features", []) if f != new]
        if old is not None and old != new and old not in features and old in dataset.frame.columns:
            features.append(old)
        settings.update(target=new, features=features, task=guess_task(dataset.frame[new]), positive=None)
        settings["categorical"] = [c for c in settings.get("categorical", []) if c in features]
        st.session_state[state.PREP] = settings

    return {**kwargs, "on_change": change_target, "args": ()}


def data_notes(dataset: Dataset, settings: dict) -> list[str]:
    """Why the default target was chosen (uploads) and which columns are left out by default."""
    notes = []
    if dataset.source == "upload":
        target, reason = choose_target(dataset.frame)
        if settings.get("target") == target:
            notes.append(f"Target {target!r} chosen by default: {reason}. Pick another below.")
    return notes + left_out_notes(dataset.frame, settings.get("target", dataset.target))


def settings_key(settings: dict) -> tuple:
    def frozen(value):
        if isinstance(value, dict):
            return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in value.items()))
        return tuple(value) if isinstance(value, list) else value

    return tuple((k, frozen(v)) for k, v in sorted(settings.items()) if k != "token")


#: Largest penalty factor the editor and links accept (glmnet has none; 1000× the others already
#: keeps a feature out of any sensible model).
MAX_FACTOR = 1000.0


def _json_object_by_column(raw: str, columns: list[str]) -> dict | None:
    """A link's JSON object with at most one entry per column, or None: its size bounded by the columns
    before it is parsed (by the C parser: linear in its length)."""
    import json

    if len(raw) > 200 * (len(columns) + 1):
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) and len(value) <= len(columns) else None


def parse_factors(raw: str, columns: list[str]) -> tuple[dict[str, float], str | None]:
    """A link's penalty factors (a JSON object of column → number): ``(factors, None)``, or
    ``({}, message)`` when unusable (bounded: at most one entry per column, each in [0, 1000])."""
    import math

    problem = ("The link's penalty factors (pf) are not usable: they must name columns of this dataset, each with a "
               f"number from 0 to {MAX_FACTOR:g}. Kept every factor at 1.")
    factors = _json_object_by_column(raw, columns)
    if factors is None:
        return {}, problem
    usable = {}
    for name, value in factors.items():
        if (name not in columns or isinstance(value, bool) or not isinstance(value, (int, float))
                or not math.isfinite(value) or not 0 <= value <= MAX_FACTOR):
            return {}, problem
        if value != 1:
            usable[name] = float(value)
    return usable, None


def parse_limits(raw: str, columns: list[str]) -> tuple[dict[str, list[float | None]], str | None]:
    """A link's coefficient limits (a JSON object of column → [lower, upper], null for none):
    ``(limits, None)``, or ``({}, message)`` when unusable (at most one entry per column; lower ≤ 0 ≤ upper)."""
    import math

    problem = ("The link's coefficient limits (lim) are not usable: they must name columns of this dataset, each with "
               "[lower, upper], lower ≤ 0 ≤ upper (null for none). Kept every coefficient free.")
    chosen = _json_object_by_column(raw, columns)
    if chosen is None:
        return {}, problem
    usable: dict[str, list[float | None]] = {}
    for name, pair in chosen.items():
        if name not in columns or not isinstance(pair, list) or len(pair) != 2:
            return {}, problem
        low, high = pair
        for value, sign in ((low, -1.0), (high, 1.0)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not math.isfinite(value) or value * sign < 0):
                return {}, problem
        if low is not None or high is not None:
            usable[name] = [None if low is None else float(low), None if high is None else float(high)]
    return usable, None


LIMITS_EDITOR = state.widget_key("coefficient_limits_editor")
LOWER_COLUMN, UPPER_COLUMN = "lower limit", "upper limit"


def limits_table(settings: dict) -> pd.DataFrame:
    """The coefficient-limits editor's rows: every chosen feature column with its limits (blank: none)."""
    chosen = settings.get("limits") or {}
    features = list(settings.get("features", []))
    return pd.DataFrame({"feature": features,
                         LOWER_COLUMN: [(chosen.get(f) or [None, None])[0] for f in features],
                         UPPER_COLUMN: [(chosen.get(f) or [None, None])[1] for f in features]}).astype(
        {LOWER_COLUMN: float, UPPER_COLUMN: float})


def store_limit_edits() -> None:
    """The limits editor's on_change: edited cells become the stored limits (a blank cell or a value on
    the wrong side of 0 means no limit on that side), then the editor redraws from them."""
    import math

    edits = (st.session_state.get(LIMITS_EDITOR) or {}).get("edited_rows", {})
    settings = dict(st.session_state.get(state.PREP) or {})
    features = list(settings.get("features", []))
    chosen = {name: list(pair) for name, pair in (settings.get("limits") or {}).items()}
    for row, change in edits.items():
        if not 0 <= int(row) < len(features):
            continue
        pair = chosen.get(features[int(row)], [None, None])
        for side, column, sign in ((0, LOWER_COLUMN, -1.0), (1, UPPER_COLUMN, 1.0)):
            if column in change:
                value = change[column]
                number = None if value is None else float(value)
                pair[side] = number if number is not None and math.isfinite(number) and number * sign >= 0 else None
        chosen[features[int(row)]] = pair
    settings["limits"] = {name: pair for name, pair in chosen.items() if pair != [None, None]}
    st.session_state[state.PREP] = settings
    st.session_state.pop(LIMITS_EDITOR, None)


FACTOR_EDITOR = state.widget_key("penalty_factor_editor")
FACTOR_COLUMN = "penalty factor"


def factor_table(settings: dict) -> pd.DataFrame:
    """The penalty-factor editor's rows: every chosen feature column with its factor (1 unless set)."""
    factors = settings.get("factors") or {}
    features = list(settings.get("features", []))
    return pd.DataFrame({"feature": features, FACTOR_COLUMN: [float(factors.get(f, 1.0)) for f in features]})


def store_factor_edits() -> None:
    """The editor's on_change: its edited cells become the stored factors (the one source of truth),
    then the editor is reset so it redraws from them (a blank cell means 1)."""
    import math

    edits = (st.session_state.get(FACTOR_EDITOR) or {}).get("edited_rows", {})
    settings = dict(st.session_state.get(state.PREP) or {})
    features = list(settings.get("features", []))
    factors = dict(settings.get("factors") or {})
    for row, change in edits.items():
        if FACTOR_COLUMN not in change or not 0 <= int(row) < len(features):
            continue
        value = change[FACTOR_COLUMN]
        number = 1.0 if value is None else float(value)
        factors[features[int(row)]] = min(max(number, 0.0), MAX_FACTOR) if math.isfinite(number) else 1.0
    settings["factors"] = {name: value for name, value in factors.items() if value != 1.0}
    st.session_state[state.PREP] = settings
    st.session_state.pop(FACTOR_EDITOR, None)


def current_prepared() -> tuple[Dataset | None, Prepared | None, str | None]:
    """The current dataset prepared with the current settings, or the message saying why not."""
    dataset, _, error = current_dataset()
    if dataset is None:
        return None, None, error
    token = current_choice().token
    settings = prep_settings(dataset, token)
    try:
        return dataset, _prepared(token, settings_key(settings), dataset), None
    except DataError as exc:
        return dataset, None, str(exc)


DATA_URL_KEYS = {"dataset"} | {k for spec in SYNTHETIC_PARAMS.values() for k in spec}
_URL_WRITTEN = "reglab.url_written.data"


def _url_subset(keys: set[str]) -> dict[str, str]:
    return {k: st.query_params[k] for k in keys if k in st.query_params}


def url_changed_externally(keys: set[str], marker: str) -> bool:
    """True when the URL's ``keys`` differ from what this session last wrote there.

    That happens on a session's first run and when a link or a hand-edited URL brings
    new parameters; then the URL wins. Otherwise session state wins (a widget that just
    changed must not be reverted by the URL it has not yet updated).
    """
    return st.session_state.get(marker) != _url_subset(keys)


def remember_url(keys: set[str], marker: str) -> None:
    st.session_state[marker] = _url_subset(keys)


def write_query_params(keys: set[str], wanted: dict[str, str]) -> None:
    """Make the URL's ``keys`` exactly ``wanted`` (others of them removed, only changes written)."""
    for key in keys - set(wanted):
        if key in st.query_params:
            del st.query_params[key]
    for key, value in wanted.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def link_warning(message: str) -> None:
    """Say that a value from a link was not used (the value is the link's text: shown literally)."""
    st.warning(md(message), icon=":material/link_off:")


def sync_query_params() -> None:
    """Write the shareable part of the data choice (built-in or synthetic) into the URL."""
    choice = current_choice()
    wanted: dict[str, str] = {}
    if choice.source in ("builtin", "synthetic"):
        wanted["dataset"] = choice.label
        dataset, _, _ = current_dataset()
        settings = st.session_state.get(state.PREP)
        if dataset is not None and settings and settings.get("token") == choice.token:
            wanted.update(prep_query(dataset, settings))
    else:
        wanted["dataset"] = "upload"  # a link cannot carry the file: the marker lets the recipient be told
    if choice.source == "synthetic":
        for k, v in (st.session_state.get(state.SYNTH_PARAMS) or {}).items():
            wanted[k] = str(v)
    write_query_params(DATA_URL_KEYS | PREP_URL_KEYS, wanted)
    remember_url(DATA_URL_KEYS, _URL_WRITTEN)
    remember_url(PREP_URL_KEYS, _PREP_URL_WRITTEN)


def read_query_params() -> None:
    """Adopt a data choice from the URL when it came from outside (a shared link, a page link)."""
    if not url_changed_externally(DATA_URL_KEYS, _URL_WRITTEN):
        return
    chosen = st.query_params.get("dataset")
    if chosen in BUILTIN:
        st.session_state[state.SOURCE] = "builtin"
        st.session_state[state.DATASET] = chosen
    elif chosen in SYNTHETIC:
        # Each value checked against its Data-page widget's range: the same bound a person
        # has, so a link cannot ask for more rows or features than the page offers.
        from .controls import SYNTHETIC_CONTROLS, parse_number, synthetic_bounds

        params = {}
        for control in SYNTHETIC_CONTROLS[chosen]:
            integer = SYNTHETIC_PARAMS[chosen][control.short][1] is int
            value, problem = parse_number(st.query_params.get(control.short), control, integer)
            if problem:
                link_warning(problem)
            elif value is not None:
                params[control.short] = value
        st.session_state[state.SOURCE] = "synthetic"
        st.session_state[state.SYNTH_KIND] = chosen
        st.session_state[state.SYNTH_PARAMS] = synthetic_bounds(chosen, params)[1]
    elif chosen == "upload":
        if not st.session_state.get(state.UPLOAD):
            st.info("This link was made with an uploaded file, which a link cannot carry. Upload the file on the "
                    "Data page to see the same view; until then the built-in diabetes data is shown.",
                    icon=":material/link_off:")
        return
    else:
        return
    for name in (state.SOURCE, state.DATASET, state.SYNTH_KIND):  # widgets must show the adopted choice
        st.session_state.pop(state.widget_key(name), None)
    for short in SYNTHETIC_PARAMS.get(chosen, {}):
        st.session_state.pop(state.widget_key(f"{state.SYNTH_PARAMS}.{short}"), None)


def describe_builtin(key: str) -> tuple[str, str]:
    """Title and one-line description of a built-in dataset."""
    dataset = _builtin(key)
    return dataset.title, dataset.description


UPLOADER_KEY = state.widget_key("uploader")


def _store_upload() -> None:
    """on_change of the uploader: read the file now, and keep it only if it is usable.

    Runs before the script, so the frame, sidebar and URL already see the new file. The
    session keeps the parsed table (shared with the cache while it is cached), not the
    bytes: a session holds one copy of its data at most. A file that cannot be used
    leaves the previous one in place, and its message is shown once on the Data page.
    """
    uploaded = st.session_state.get(UPLOADER_KEY)
    if uploaded is None:
        return
    data = uploaded.getvalue()
    token = f"upload:{fingerprint_bytes(data)}:{uploaded.name.rsplit('.', 1)[-1].lower() if '.' in uploaded.name else ''}"
    try:
        dataset, notes = _uploaded(token, uploaded.name, data)
    except DataError as exc:
        st.session_state[state.UPLOAD_ERROR] = (uploaded.name, str(exc))
        return
    st.session_state.pop(state.UPLOAD_ERROR, None)
    st.session_state[state.UPLOAD] = {"name": uploaded.name, "token": token, "size": len(data), "dataset": dataset,
                                      "notes": notes}
    st.session_state[state.SOURCE] = "upload"


def uploader_kwargs() -> dict:
    return {"key": UPLOADER_KEY, "on_change": _store_upload}


def current_upload_caption() -> str | None:
    upload = st.session_state.get(state.UPLOAD)
    if not upload:
        return None
    return f"Current file: {upload['name']} ({upload['size'] / 1000:,.0f} KB). Upload another to replace it."


def upload_error() -> str | None:
    """The message of the last upload that could not be used (shown once), naming what is kept instead."""
    failed = st.session_state.pop(state.UPLOAD_ERROR, None)
    if failed is None:
        return None
    name, message = failed
    upload = st.session_state.get(state.UPLOAD)
    kept = f" Still using {upload['name']}." if upload else ""
    return f"{name} could not be used: {message}{kept}"
