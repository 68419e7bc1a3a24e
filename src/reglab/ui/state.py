"""Session-state keys: every page reads and writes session state through these names only."""

from __future__ import annotations

#: Key of the chosen built-in dataset (see reglab.data.BUILTIN).
DATASET = "reglab.dataset"
#: Penalty name, λ and L1 ratio of the current view (round-trip through the URL).
PENALTY = "reglab.penalty"
LAMBDA = "reglab.lambda"
L1_RATIO = "reglab.l1_ratio"

DEFAULTS: dict[str, object] = {
    PENALTY: "l1",
    L1_RATIO: 0.5,
}
