"""Cached work is keyed on content: same file name and shape, different values → different results."""

import numpy as np

from conftest import open_page


def table(seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    rows = ["a,b,c,y"] + [",".join(f"{v:.6f}" for v in rng.normal(size=4)) for _ in range(60)]
    return ("\n".join(rows) + "\n").encode()


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_two_uploads_with_the_same_name_and_shape_never_share_a_cache_entry():
    results = []
    at = open_page("pages/1_data.py")
    at.segmented_control[0].set_value("upload").run()
    for seed in (1, 2):
        at.switch_page("pages/1_data.py").run()
        at.file_uploader[0].upload("data.csv", table(seed), "text/csv").run()
        at.switch_page("pages/2_explore.py").run()
        assert not at.exception
        results.append(metric(at, "Training RMSE"))
    assert results[0] != results[1]


def test_fingerprints_cover_settings_and_values():
    from reglab.preprocess import preprocess
    import pandas as pd

    frame = pd.read_csv(__import__("io").BytesIO(table(1)))
    base = preprocess(frame, "y", test_size=0.25, seed=0)
    assert base.fingerprint() != preprocess(frame, "y", test_size=0.25, seed=1).fingerprint()  # other split
    assert base.fingerprint() != preprocess(frame, "y", features=["a", "b"], test_size=0.25).fingerprint()
    other = frame.copy()
    other.iloc[0, 0] += 1e-9
    assert base.fingerprint() != preprocess(other, "y", test_size=0.25, seed=0).fingerprint()
