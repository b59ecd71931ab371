"""The page in headless Chromium: fill the form, see a colour-coded prediction, score a CSV, download it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def page(server, browser):
    page = browser.new_page(viewport={"width": 900, "height": 1300}, accept_downloads=True)
    page.goto(f"{server.url}/ui/")
    page.wait_for_selector("#f-gender")
    yield page
    page.close()


def test_form_fields_come_from_the_metadata(page):
    options = page.locator("#f-race_ethnicity option").all_inner_texts()
    assert options == ["group A", "group B", "group C", "group D", "group E"]
    assert page.get_attribute("#f-reading_score", "max") == "100"


@pytest.mark.parametrize(("reading", "writing", "band"), [(100, 100, "excellent"), (20, 15, "low")])
def test_prediction_is_colour_coded(page, reading, writing, band):
    page.select_option("#f-gender", "male")
    page.fill("#f-reading_score", str(reading))
    page.fill("#f-writing_score", str(writing))
    page.click("#form button[type=submit]")
    page.wait_for_function(f"document.querySelector('#score').dataset.band === '{band}'")
    assert page.locator("#score").get_attribute("class") == f"score band-{band}"
    assert "90% interval" in page.inner_text("#interval")
    assert page.inner_text("#band").lower() == band  # in words too, not by colour alone
    assert page.locator("#explain .bar-row").count() == 7
    assert "reading score" in page.inner_text("#summary") and "reading score" in page.inner_text("#explain")
    total = page.inner_text("#explain").rsplit("+ these contributions = ", 1)[1]  # base + bars = the prediction
    assert float(total) == pytest.approx(float(page.inner_text("#score")), abs=0.05)


@pytest.mark.parametrize(
    ("gender", "score", "side"), [("female", 0, "below"), ("male", 100, "above"), ("female", 70, None)]
)
def test_a_prediction_outside_the_targets_range_is_called_an_extrapolation(page, gender, score, side):
    page.select_option("#f-gender", gender)
    page.fill("#f-reading_score", str(score))
    page.fill("#f-writing_score", str(score))
    page.evaluate("document.querySelector('#score').textContent = ''")
    page.click("#form button[type=submit]")
    page.wait_for_function("document.querySelector('#score').textContent.length > 0")
    value = float(page.inner_text("#score"))
    note = page.locator("#range-note")
    if side is None:
        assert 0 <= value <= 100 and note.is_hidden()
    else:
        assert (value < 0) if side == "below" else (value > 100)
        assert f"is {side} the range of math score (0–100): the model extrapolates" in note.inner_text()


def test_out_of_range_input_shows_the_server_message(page):
    page.fill("#f-reading_score", "150")
    page.evaluate("document.querySelector('#f-reading_score').removeAttribute('max')")
    page.click("#form button[type=submit]")
    page.wait_for_function("document.querySelector('#form-error').textContent.length > 0")
    assert "reading_score: expected an integer in [0, 100], got 150" in page.inner_text("#form-error")
    assert page.locator("#result").is_hidden()  # no earlier prediction left standing beside the error
    field = page.locator("#f-reading_score")
    assert field.get_attribute("aria-invalid") == "true" and field.get_attribute("aria-describedby") == "form-error"
    assert page.evaluate("document.activeElement.id") == "f-reading_score"
    assert page.locator("#form [aria-invalid]").count() == 1  # only the field the server named
    page.fill("#f-reading_score", "70")
    page.click("#form button[type=submit]")
    page.wait_for_selector("#result:not([hidden])")
    assert field.get_attribute("aria-invalid") is None and field.get_attribute("aria-describedby") is None


def test_csv_upload_and_download(page, tmp_path):
    csv = tmp_path / "batch.csv"
    csv.write_text(
        "gender,race_ethnicity,parental_level_of_education,lunch,test_preparation_course,reading_score,writing_score\n"
        "female,group B,some college,standard,none,72,74\n"
        "male,group Q,some college,standard,none,60,61\n"
    )
    page.set_input_files("#csv-file", str(csv))
    page.click("#csv-form button[type=submit]")
    page.wait_for_selector("#csv-download:not([hidden])")
    assert page.inner_text("#csv-status") == (
        "2 rows: 1 scored, 1 not scored (the reasons are in the file's validation_error column)"
    )
    with page.expect_download() as download:
        page.click("#csv-download")
    scored = Path(download.value.path()).read_text().splitlines()
    assert scored[0].endswith("predicted_math_score_upper,validation_error") and len(scored) == 3
    assert "group Q" in scored[2] and "column race_ethnicity" in scored[2]
    page.set_input_files("#csv-file", {"name": "notes.txt", "mimeType": "text/plain", "buffer": b"just text\n"})
    page.click("#csv-form button[type=submit]")
    page.wait_for_function("document.querySelector('#csv-error').textContent.length > 0")
    assert page.inner_text("#csv-status") == "" and page.locator("#csv-download").is_hidden()  # nothing stale
    page.set_input_files("#csv-file", str(csv))  # the good file again, for the screenshot
    page.click("#csv-form button[type=submit]")
    page.wait_for_selector("#csv-download:not([hidden])")
    page.fill("#f-reading_score", "78")
    page.fill("#f-writing_score", "80")
    page.click("#form button[type=submit]")
    page.wait_for_function("document.querySelector('#score').dataset.band === 'good'")
    # Kept out of git; docs/screenshot.png in the README is a copy of one of these.
    page.screenshot(path=str(ROOT / "tests" / "browser" / "screenshots" / "page.png"), full_page=True)
