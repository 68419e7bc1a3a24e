"""Classification in Chromium: breast cancer's logistic lasso (λ typed → fewer features and another
AUC, the ROC curve drawn), a yes/no target and a three-class text target uploaded as CSVs, wine's
paths per class; no exception box anywhere."""

import re

import pytest

from test_browser import assert_no_exception, drawn_chart, follow_link, wait_for_app
from test_browser_data import pick_option, upload

pytestmark = pytest.mark.browser


def metric_text(page, label: str) -> str:
    return page.locator('[data-testid="stMetric"]').filter(has_text=label).first.inner_text()


def nonzero_count(page) -> int:
    return int(re.search(r"(\d+) of \d+", metric_text(page, "Non-zero coefficients")).group(1))


def test_breast_cancer_lambda_moves_sparsity_and_auc_and_the_roc_curve_is_drawn(app_url, page):
    page.goto(app_url + "/explore?dataset=breast_cancer&penalty=l1")
    wait_for_app(page)
    page.get_by_text("Logistic regression").first.wait_for(timeout=60_000)
    before_count, before_auc = nonzero_count(page), metric_text(page, "Test ROC AUC")
    exact = page.get_by_role("spinbutton", name="λ (exact)")
    exact.fill("0.08")
    exact.press("Enter")
    page.wait_for_function(
        "n => [...document.querySelectorAll('[data-testid=stMetric]')]"
        ".some(e => e.innerText.includes('Non-zero') && !e.innerText.includes(n + ' of'))",
        arg=str(before_count), timeout=30_000,
    )
    wait_for_app(page)
    assert nonzero_count(page) < before_count
    page.wait_for_function("a => [...document.querySelectorAll('[data-testid=stMetric]')].some(e => "
                           "e.innerText.includes('Test ROC AUC') && !e.innerText.includes(a))",
                           arg=before_auc.split("\n")[-1].strip(), timeout=30_000)
    page.get_by_role("tab", name=re.compile("Classification")).click()
    wait_for_app(page)
    # the three charts, each waited for by its own axis title (they render one after another)
    for title in ("false positive rate", "mean predicted probability", "predicted class"):
        drawn_chart(page, title)
    assert_no_exception(page)
    assert "lam=0.08" in page.url


def test_a_yes_no_csv_is_classified_with_its_positive_class(app_url, page):
    upload(page, app_url, "churn_yes_no.csv")
    page.get_by_text("(coded 1, the positive class").wait_for(timeout=30_000)
    assert "'no' (coded 0) and 'yes' (coded 1" in page.locator("[data-testid='stMain']").first.inner_text()
    follow_link(page, re.compile("Explore this dataset"), "/explore")  # same session: the upload stays
    page.get_by_text("probability that churned is").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stMetric"]').filter(has_text="Test accuracy").first.wait_for(timeout=60_000)
    assert re.search(r"\d+\.\d%", metric_text(page, "Test accuracy"))
    assert_no_exception(page)


def test_wine_multinomial_paths_switch_class(app_url, page):
    page.goto(app_url + "/explore?dataset=wine")
    wait_for_app(page)
    page.get_by_text("Multinomial logistic regression").first.wait_for(timeout=60_000)
    drawn_chart(page)
    page.locator('[data-testid="stButtonGroup"] button', has_text="2").first.click()
    wait_for_app(page)
    page.locator('[data-testid="stVegaLiteChart"]:visible canvas, '
                 '[data-testid="stVegaLiteChart"]:visible svg').first.wait_for(timeout=30_000)
    page.get_by_role("tab", name=re.compile("Classification")).click()
    wait_for_app(page)
    page.locator('[data-testid="stVegaLiteChart"]:visible').filter(has_text="predicted class").first.wait_for(timeout=30_000)
    assert_no_exception(page)


def test_a_csv_with_three_text_classes_is_a_multinomial_model_on_every_tab(app_url, page):
    upload(page, app_url, "iris_species.csv")
    page.get_by_text("Preview · 150 rows × 4 features").wait_for(timeout=30_000)
    wait_for_app(page)
    pick_option(page, "Target", "species")  # a text column is never the default target: the person picks it
    page.get_by_text("target 'species' (classification)").wait_for(timeout=30_000)
    follow_link(page, re.compile("Explore this dataset"), "/explore")  # same session: the upload stays
    page.get_by_text("Multinomial logistic regression").first.wait_for(timeout=60_000)
    # the class picker offers the file's own labels; another class redraws the paths
    page.locator('[data-testid="stButtonGroup"] button', has_text="virginica").first.click()
    wait_for_app(page)
    page.locator('[data-testid="stVegaLiteChart"]:visible canvas, '
                 '[data-testid="stVegaLiteChart"]:visible svg').first.wait_for(timeout=30_000)
    page.get_by_role("tab", name=re.compile("Classification")).click()
    wait_for_app(page)
    for title in ("false positive rate", "observed share of the class", "predicted class"):
        drawn_chart(page, title)
    page.get_by_role("tab", name=re.compile("Bias")).click()
    wait_for_app(page)
    page.get_by_text("summed over the classes").first.wait_for(timeout=60_000)
    assert_no_exception(page)
