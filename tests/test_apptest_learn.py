"""Learn page through AppTest: the seed's numbers on first view; editing λ changes them."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

from conftest import open_page

ROOT = Path(__file__).resolve().parents[1]
SEED_NUMBERS = ["1.269", "2.515", "−0.8084", "0.1048", "1.234", "2.519", "−0.809", "0.104", "0.103"]


def learn_page() -> AppTest:
    return open_page("pages/4_learn.py")


def shown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_default_page_shows_the_seed_003_numbers():
    at = learn_page()
    assert not at.exception, [e.value for e in at.exception]
    text = shown(at)
    for number in SEED_NUMBERS:
        assert number in text, number
    assert "Loss: **1.269**" in text and "Loss: **1.234**" in text and "Penalty: **0.103**" in text
    assert "New w: **[2.515, −0.8084, 0.1048]**" in text and "New w: **[2.519, −0.809, 0.104]**" in text
    assert at.latex, "formulas are rendered next to the numbers"


def test_editing_lambda_changes_the_numbers():
    at = learn_page()
    next(n for n in at.number_input if n.label == "λ (L1 and L2)").set_value(0.1).run()
    text = shown(at)
    assert "Loss: **1.89**" in text  # 1.2 + 0.1 × 6.9
    assert "Loss: **1.54**" in text  # 1.2 + 0.1 × 3.4
    assert "1.269" not in text and "2.515" not in text
    assert "Penalty: **0.103**" in text  # elastic net has its own λ₁, λ₂


def test_proximal_step_reaches_exact_zero_on_the_page():
    at = learn_page()
    assert "L1 proximal: **0 (exactly)**" in shown(at)
