"""Hostile input: thousands of corrupted copies of real datasets.

For every mutated input, ``qdkit.read`` followed by ``qdkit.process`` either works or raises
a :class:`qdkit.QdkitError` (never another exception), and the files on disk are byte-for-
byte what they were before qdkit looked at them (no file written, changed or added).
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import snapshot, writable_copy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutator import DATA_MUTATIONS, TEXT_MUTATIONS

import qdkit
from qdkit.errors import QdkitError

# (dataset below shared/data/real, {file: "data" | "text"})
BASES = [
    (
        "brukerconverter_1H_zg30_liquid_with_pdata/1",
        {"fid": "data", "acqus": "text", "pdata/1/procs": "text", "pdata/1/1r": "data"},
    ),
    (
        "dnplab_odnp_topspin_1H_0.35T/1",
        {"fid": "data", "acqus": "text", "pdata/1/procs": "text", "pulseprogram": "text"},
    ),
    ("dnplab_odnp_topspin_1H_0.35T/28", {"ser": "data", "acqus": "text", "acqu2s": "text", "vdlist": "text"}),
    ("cpmg_195Pt_Reiset_WCPMG_static_AV300/7", {"fid": "data", "acqus": "text", "pulseprogram": "text"}),
    ("ssnake_87Rb_satrec2D_varian/satrec2D.fid", {"fid": "data", "procpar": "text"}),
    ("dnplab_odnp_vnmrj_tempol_mw_onoff/10mM_tempol_in_water_mw_off.fid", {"fid": "data", "procpar": "text"}),
    ("jcamp_dx_bruker_fid_and_spectrum_liquid/aspirin/1h.fid.dx", {".": "text"}),
]
SEEDS = 9


def _plan():
    for base, targets in BASES:
        for target, kind in targets.items():
            for mutation in DATA_MUTATIONS if kind == "data" else TEXT_MUTATIONS:
                for seed in range(SEEDS):
                    yield base, target, mutation, seed


def _read_and_process(path: Path) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            qdkit.process(qdkit.read(path))
            return "ok"
        except QdkitError:
            return "refused"


def test_the_mutation_plan_covers_at_least_2000_inputs():
    assert sum(1 for _ in _plan()) >= 2000


@pytest.mark.slow
@pytest.mark.parametrize("base", [b for b, _ in BASES])
def test_mutated_real_datasets_give_qdkit_errors_and_stay_untouched(base, real_data, tmp_path):
    work = writable_copy(real_data / base, tmp_path / Path(base).name)
    outcomes = {"ok": 0, "refused": 0}
    crashes, modified = [], []
    for b, target, mutation, seed in _plan():
        if b != base:
            continue
        victim = work if target == "." else work / target
        original = victim.read_bytes()
        rng = np.random.default_rng([seed, len(mutation.__name__), sum(map(ord, target))])
        mutated = mutation(original, rng)
        if mutated is None:
            victim.unlink()
        else:
            victim.write_bytes(mutated)
        before = snapshot(work)
        try:
            outcomes[_read_and_process(work)] += 1
        except Exception as exc:
            crashes.append(f"{target} {mutation.__name__} seed {seed}: {type(exc).__name__}: {exc}"[:300])
        if snapshot(work) != before:
            modified.append(f"{target} {mutation.__name__} seed {seed}")
        victim.write_bytes(original)
    print(f"{base}: {outcomes}")
    assert not modified, f"qdkit changed files while reading: {modified[:5]}"
    assert not crashes, f"{len(crashes)} non-QdkitError exceptions, e.g.:\n" + "\n".join(crashes[:8])
    # the original must still read: the mutator restored it and qdkit cached nothing stale
    assert _read_and_process(work) == "ok"


def test_non_ascii_paths_and_symlinks_read_like_the_original(real_data, tmp_path):
    src = real_data / "dnplab_odnp_topspin_1H_0.35T/1"
    odd = writable_copy(src, tmp_path / "données β" / "Probe 1 (Cd²⁺)" / "1")
    link = tmp_path / "link-to-expno"
    os.symlink(odd, link)
    ref = qdkit.read(src)
    for path in (odd, link):
        ds = qdkit.read(path)
        np.testing.assert_array_equal(ds.data, ref.data)
        assert ds.meta.nucleus == ref.meta.nucleus


def test_a_dangling_symlink_for_the_fid_is_a_read_error_naming_the_file(real_data, tmp_path):
    work = writable_copy(real_data / "dnplab_odnp_topspin_1H_0.35T/1", tmp_path / "1")
    (work / "fid").unlink()
    os.symlink(tmp_path / "nowhere" / "fid", work / "fid")
    with pytest.raises(QdkitError, match="fid"):
        qdkit.read(work)


_ACQUS_KEYS = [
    "TD",
    "SW_h",
    "SFO1",
    "BF1",
    "O1",
    "NS",
    "DTYPA",
    "BYTORDA",
    "DECIM",
    "DSPFVS",
    "GRPDLY",
    "MASR",
    "TE",
    "NUC1",
    "PULPROG",
    "DATE",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=st.sampled_from(_ACQUS_KEYS), value=st.text(max_size=12))
def test_any_text_in_any_acqus_parameter_is_read_or_refused_cleanly(key, value, real_data, tmp_path_factory):
    work = writable_copy(real_data / "dnplab_odnp_topspin_1H_0.35T/1", tmp_path_factory.mktemp("h") / "1")
    acqus = work / "acqus"
    text = acqus.read_bytes()
    needle = f"##${key}=".encode()
    start = text.find(needle)
    if start < 0:
        text += needle + b" " + value.encode("utf-8", "surrogatepass") + b"\n"
    else:
        end = text.find(b"\n", start)
        text = text[: start + len(needle)] + b" " + value.encode("utf-8", "surrogatepass") + text[end:]
    acqus.write_bytes(text)
    before = snapshot(work)
    _read_and_process(work)  # must not raise anything but QdkitError
    assert snapshot(work) == before
