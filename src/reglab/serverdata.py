"""Server-side datasets: Parquet data an operator lists for the app, analysed on a Dask cluster.

A visitor never types a path: the operator names the datasets in a TOML file and points the app at
it with ``REGLAB_DATASETS=/etc/reglab/datasets.toml``; the app offers those datasets by name and
reads only their paths. Each entry::

    [[dataset]]
    name = "Transactions 2025"             # shown on the Data page
    path = "/data/transactions/"           # a Parquet file or a folder of them (relative: to this file)
    target = "amount"                      # the column to predict
    family = "gaussian"                    # optional: gaussian (default), binomial or poisson
    features = ["price", "region"]         # optional: default every other column
    weights = "w"                          # optional: observation weights column
    description = "One row per sale."      # optional

Rows × columns come from the Parquet metadata (no data is read to list them). The analyses run on
the cluster ``REGLAB_DASK_SCHEDULER`` names (else on this machine's threads) by
:mod:`reglab.distributed`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .datafits import datafit_of
from .errors import DataError

CATALOG_ENV = "REGLAB_DATASETS"
#: Entries a catalog may list (the Data page shows them in one select box).
MAX_DATASETS = 100
#: Parquet files whose footers are read to count a dataset's rows.
MAX_FILES = 20_000


@dataclass(frozen=True)
class ServerDataset:
    """One operator-listed dataset (see the module docstring)."""

    name: str
    path: str
    target: str
    family: str = "gaussian"
    features: tuple[str, ...] | None = None
    weights: str | None = None
    offset: str | None = None
    description: str = ""

    def table(self):
        """The dataset as a lazy table (:func:`reglab.read_parquet`): nothing is read yet."""
        from .distributed import read_parquet

        return read_parquet(self.path, self.target, features=self.features, weights=self.weights, offset=self.offset)

    def shape(self) -> tuple[int, int]:
        """(rows, columns) from the Parquet metadata."""
        import pyarrow.dataset as ds

        try:
            data = ds.dataset(self.path, format="parquet")
            if len(data.files) > MAX_FILES:
                raise DataError(f"{self.name!r} has more than {MAX_FILES:,} Parquet files.")
            return int(data.count_rows()), len(data.schema.names)
        except (OSError, ValueError) as exc:
            raise DataError(f"The server dataset {self.name!r} cannot be read: {exc}") from None


def _entry(raw: dict, where: str, base: Path) -> ServerDataset:
    if not isinstance(raw, dict):
        raise DataError(f"{where}: each [[dataset]] must be a table of keys.")
    known = {"name", "path", "target", "family", "features", "weights", "offset", "description"}
    unknown = set(raw) - known
    if unknown:
        raise DataError(f"{where}: unknown key(s) {sorted(unknown)}; the keys are {sorted(known)}.")
    for key in ("name", "path", "target"):
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise DataError(f"{where}: '{key}' must be a non-empty string.")
    family = raw.get("family", "gaussian")
    datafit = datafit_of(family)
    if datafit.classifier and datafit.per_class:
        raise DataError(f"{where}: family {family!r} is not offered on a cluster (gaussian, binomial or poisson).")
    features = raw.get("features")
    if features is not None and (not isinstance(features, list) or not all(isinstance(f, str) for f in features)):
        raise DataError(f"{where}: 'features' must be a list of column names.")
    return ServerDataset(raw["name"].strip(), str(base / Path(raw["path"]).expanduser()), raw["target"], family,
                         None if features is None else tuple(features), raw.get("weights"), raw.get("offset"),
                         str(raw.get("description", "")))


def read_catalog(path: str | os.PathLike) -> tuple[ServerDataset, ...]:
    """The datasets a catalog file lists (a DataError naming the problem when the file is wrong)."""
    try:
        with open(path, "rb") as handle:
            raw = tomllib.load(handle)
    except FileNotFoundError:
        raise DataError(f"The dataset catalog {str(path)!r} ({CATALOG_ENV}) does not exist.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DataError(f"The dataset catalog {str(path)!r} is not valid TOML: {exc}") from None
    entries = raw.get("dataset", [])
    if not isinstance(entries, list) or len(entries) > MAX_DATASETS:
        raise DataError(f"The catalog must list up to {MAX_DATASETS} [[dataset]] tables.")
    base = Path(path).resolve().parent  # a relative path is the catalog file's neighbour
    datasets = tuple(_entry(entry, f"{path}, dataset {i + 1}", base) for i, entry in enumerate(entries))
    names = [d.name for d in datasets]
    if len(set(names)) != len(names):
        raise DataError(f"The catalog {str(path)!r} names a dataset twice.")
    return datasets


def catalog_path() -> str | None:
    """The operator's catalog file (``REGLAB_DATASETS``), None when it is not set: :func:`read_catalog` reads it."""
    return os.environ.get(CATALOG_ENV, "").strip() or None
