"""The explorer app in a real headless Chromium against a real Voila server on 127.0.0.1.

Drives the sliders with the keyboard as a user would, and watches the page's own bokeh
documents (``Bokeh.documents``) for data-source changes. Prints the slider → predicted
data-source latency (issue 5: ≤ 50 ms median over 20 moves); checks that the readout and
the measured trace change when they should and stay put when they should not. Every
request that is not to 127.0.0.1 is refused, so the page also proves it renders offline.
"""

from __future__ import annotations

import os
import statistics
import time

import pytest
from test_browser_harness import SOURCE_LENGTH_JS, WATCH_JS, chromium_page, voila_app

pytestmark = [pytest.mark.browser, pytest.mark.slow]

APP = "widgets/app/explorer.ipynb"
PAUSE_S = 0.15  # between key presses: a brisk human, slower than key auto-repeat


@pytest.fixture(scope="module")
def app_page():
    with voila_app(APP) as (url, log), chromium_page() as page:
        page.goto(url, timeout=180_000)
        try:
            page.wait_for_function(f"() => ({SOURCE_LENGTH_JS})('predicted') > 0", timeout=180_000, polling=250)
        except Exception as exc:
            raise AssertionError(f"explorer did not render ({exc}); Voila log:\n{log.read_text()[-3000:]}") from None
        assert page.evaluate(WATCH_JS, ["predicted", "measured"]) == 2
        yield page


def count(page, name: str) -> int:
    return page.evaluate(f"window.__qdkit.changes['{name}'].length")


def readout(page) -> str:
    return page.inner_text(".qdkit-readout")


def move(page, control: str, n: int, key: str = "ArrowRight") -> list[float]:
    """Press ``key`` n times on the slider ``control``; return key → data-change ms each."""
    handle = page.locator(f".qdkit-{control} .noUi-handle").first
    handle.focus()
    latencies = []
    for _ in range(n):
        before = count(page, "predicted")
        page.keyboard.press(key)
        page.wait_for_function(f"window.__qdkit.changes['predicted'].length > {before}", timeout=15_000)
        key_t, change_t = page.evaluate("[window.__qdkit.keys.at(-1), window.__qdkit.changes['predicted'].at(-1)]")
        latencies.append(change_t - key_t)
        time.sleep(PAUSE_S)
    return latencies


def test_explorer_renders_offline_with_inline_bokeh(app_page):
    assert app_page.evaluate(f"({SOURCE_LENGTH_JS})('predicted')") == 4096
    assert "DNP enhancement" in readout(app_page)
    assert app_page.locator(".qdkit-message").inner_text().strip() == ""
    # BokehJS came from the page itself; nothing from a CDN was needed to draw the plot
    assert not [u for u in app_page.blocked_urls if "bokeh" in u]


def choose_series(page, text: str) -> None:
    """Pick the measured series whose name contains ``text``; wait for its trace."""
    before = count(page, "measured")
    select = page.locator(".qdkit-series select")
    options = select.locator("option").evaluate_all("os => os.map(o => o.textContent.replace(/\\u00a0/g, ' '))")
    label = next((o for o in options if text in o), None)
    assert label, f"no measured series with {text!r} among {options}"
    select.select_option(label=label)
    page.wait_for_function(f"window.__qdkit.changes['measured'].length > {before}", timeout=30_000)


def sample_rows(rows: dict[str, str], *also: str) -> dict[str, str]:
    """Readout rows that describe the sample, without the experiment-time estimate (which
    follows the predicted peak height) and without ``also``."""
    return {k: v for k, v in rows.items() if not k.startswith(("time to S/N", "… without")) and k not in also}


def readout_rows(page) -> dict[str, str]:
    rows = {}
    for line in readout(page).splitlines():
        label, _, value = line.partition("\t")
        if value:
            rows[label.strip()] = value.strip()
    return rows


def test_contact_time_moves_prediction_and_only_the_cp_share_in_readout(app_page):
    choose_series(app_page, "contact time")  # SI Fig. S3: 1.5 and 5 ms
    rows, measured = readout_rows(app_page), count(app_page, "measured")
    latencies = move(app_page, "contact_ms", 20)  # 1.5 → 3.5 ms
    med = statistics.median(latencies)
    print(
        f"\ncontact time: slider key → predicted data source changed, median {med:.1f} ms, "
        f"min {min(latencies):.1f}, max {max(latencies):.1f} ms over {len(latencies)} moves"
    )
    assert len(latencies) == 20 and all(x > 0 for x in latencies)
    after = readout_rows(app_page)
    share = "surface share of the CP signal"
    assert len(rows) >= 7 and after.keys() == rows.keys()
    assert after[share] != rows[share]  # CP reaches deeper: the share moves
    # ε, dilution, gain: untouched; the S/N row is that of the measured dataset, which swaps
    measured_snr = "S/N of the measured spectrum"
    assert sample_rows(after, share, measured_snr) == sample_rows(rows, share, measured_snr)
    # nearest measured contact time switches from 1.5 to 5 ms once, at 3.25 ms
    assert count(app_page, "measured") == measured + 1


def test_pore_size_changes_readout_but_not_measured(app_page):
    rows = readout_rows(app_page)
    measured = count(app_page, "measured")
    latencies = move(app_page, "pore_nm", 20)
    med = statistics.median(latencies)
    print(f"\npore size: slider key → predicted data source changed, median {med:.1f} ms")
    after = readout_rows(app_page)
    assert float(after["QDs per pore"]) > 5 * float(rows["QDs per pore"])  # ∝ pore³, 7 → 17 nm
    assert after["surface share of the CP signal"] == rows["surface share of the CP signal"]
    assert count(app_page, "measured") == measured  # the contact-time series ignores pores


def test_pore_series_measured_trace_follows_the_nearest_pore(app_page):
    choose_series(app_page, "pore size")  # Fig. 2f: 3.3 ... 250 nm
    measured = count(app_page, "measured")
    move(app_page, "pore_nm", 25, key="ArrowLeft")  # ~17 nm → ~5 nm: passes 15, 7 and 4 nm
    changes = count(app_page, "measured") - measured
    assert 1 <= changes <= 3  # one swap per nearest dataset passed, never one per move


#: Readout rows that follow the spin rate: faster spinning depolarizes the microwave-off
#: reference more (Thurber & Tycko 2014), so less signal is kept and the absolute gain falls.
DEPOLARIZATION_ROWS = (
    "signal kept with the radical (MAS depolarization × quenching)",
    "absolute sensitivity gain (full rotor / same QD mass)",
    "time saving (gain²)",
)


def test_spin_rate_moves_prediction_and_only_the_depolarization_rows(app_page):
    rows = readout_rows(app_page)
    latencies = move(app_page, "mas_hz", 20)
    med = statistics.median(latencies)
    print(f"\nspin rate: slider key → predicted data source changed, median {med:.1f} ms")
    after = readout_rows(app_page)
    assert sample_rows(after, *DEPOLARIZATION_ROWS) == sample_rows(rows, *DEPOLARIZATION_ROWS)
    assert after[DEPOLARIZATION_ROWS[0]] != rows[DEPOLARIZATION_ROWS[0]]


def test_every_move_reaches_the_page_and_the_median_latency_is_printed(app_page):
    latencies = move(app_page, "contact_ms", 20, key="ArrowLeft")
    med = statistics.median(latencies)
    print(f"\nslider input → predicted data source changed: median {med:.1f} ms over 20 moves (target ≤ 50 ms)")
    assert med < 1000  # a sanity bound on this busy 2-core machine; the target is printed


def test_switching_to_cdse_redraws_the_axis_and_readout(app_page):
    """Material picker: 113Cd of CdSe (Fig. 3a) replaces 31P of InP on the same figure."""
    rows = readout_rows(app_page)
    before = count(app_page, "predicted")
    app_page.select_option(".qdkit-material select", label="CdSe")
    app_page.wait_for_function("window.__qdkit.changes['predicted'].length > " + str(before), timeout=30_000)
    app_page.wait_for_function(
        "document.querySelector('.qdkit-readout').innerText.includes('Cd atoms')", timeout=30_000
    )
    after = readout_rows(app_page)
    assert "surface fraction of Cd atoms" in after and "surface fraction of P atoms" in rows
    assert app_page.locator(".qdkit-message").inner_text().strip() == ""
    app_page.locator(".qdkit-components input").check()
    time.sleep(1.0)
    shot = os.environ.get("QDKIT_SCREENSHOT")
    if shot:  # docs/explorer.png is made this way (see docs/README.md)
        app_page.locator(".qdkit-spectrum-explorer").screenshot(path=shot)


def test_typed_in_nonsense_in_a_slider_box_never_breaks_the_app(app_page):
    """Issue 7: text typed into a slider's number box is refused or clamped, never raised."""
    box = app_page.locator(".qdkit-contact_ms .widget-readout").first
    before_value = box.inner_text()
    for typed, expect_change in (("abc", False), ("-5", True), ("1e9", True)):
        changes = count(app_page, "predicted")
        box.click()
        app_page.keyboard.press("Control+A")
        app_page.keyboard.type(typed)
        app_page.keyboard.press("Enter")
        if expect_change:  # clamped to the slider's end and drawn
            app_page.wait_for_function(f"window.__qdkit.changes['predicted'].length > {changes}", timeout=15_000)
        else:
            time.sleep(1.0)
            assert count(app_page, "predicted") == changes
            assert box.inner_text() == before_value
        assert app_page.locator(".qdkit-message").inner_text().strip() == ""
    assert float(box.inner_text()) == pytest.approx(20.0)  # the slider's maximum
