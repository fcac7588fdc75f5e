"""``metevo cfdna`` on simulated plasma: planted tumour fractions and ploidies are recovered,
a tumour-free sample stays at the noise floor, outputs are deterministic, and bad inputs give
one line naming the file and line with nothing written.

The recovery grid is the acceptance of the cfDNA slice (docs/cfdna.md, "Validation"): at 1 Mb
bins, ~1,000 reads per bin (0.1x), arm-level, whole-chromosome and focal events, a random GC
bias per sample and overdispersed counts, the median recovered tumour fraction over 5 seeds
is within 0.03 of the planted one for 0.05, 0.1, 0.2 and 0.4, and the ploidy (2 or 3) is
right in every sample.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from metevo.cn import ichor
from metevo.io.wig import write_panel_of_normals, write_wig
from metevo.simulate.cfdna import simulate_cfdna, simulate_normals
from tests.conftest import ROOT, SHARED

# One BLAS thread: the EM's many tiny L-BFGS-B problems only pay for thread hand-offs, which
# on a busy two-core machine costs several times the work itself.
_ENV = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}

_WORKER = (
    "import json, sys\n"
    "from metevo.simulate.cfdna import recovery\n"
    "print(json.dumps([recovery(**case) for case in json.load(sys.stdin)]))\n"
)


def _recover(cases: list[dict]) -> list[dict]:
    """Run :func:`metevo.simulate.cfdna.recovery` on the cases in two processes at once."""
    halves = [cases[0::2], cases[1::2]]
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env=_ENV)
        for _ in halves
    ]
    results = []
    for proc, half in zip(procs, halves):
        out, err = proc.communicate(json.dumps(half), timeout=600)
        assert proc.returncode == 0, err
        results += json.loads(out)
    return results


def _metevo(*args, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "metevo", *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=_ENV)
    if check and proc.returncode != 0:
        raise AssertionError(f"metevo {' '.join(map(str, args))} failed ({proc.returncode}): {proc.stderr}")
    return proc


TUMOR_FRACTIONS = (0.05, 0.1, 0.2, 0.4)
SEEDS = (1, 2, 3, 4, 5)


@pytest.fixture(scope="module")
def recovered() -> pd.DataFrame:
    cases = [{"tumor_fraction": tf, "ploidy": 2, "seed": s} for tf in TUMOR_FRACTIONS for s in SEEDS]
    cases += [{"tumor_fraction": tf, "ploidy": 3, "seed": s} for tf in (0.2, 0.4) for s in SEEDS[:3]]
    cases += [{"tumor_fraction": 0.0, "ploidy": 2, "seed": s} for s in SEEDS]
    cases += [
        {"tumor_fraction": 0.1, "ploidy": 2, "seed": 1, "bin_size": 500_000},
        {"tumor_fraction": 0.2, "ploidy": 3, "seed": 1, "bin_size": 500_000},
    ]
    table = pd.DataFrame(_recover(cases))
    # printed for the record (pytest -s): the numbers docs/cfdna.md quotes
    print(table.to_string())
    return table


@pytest.mark.parametrize("tumor_fraction", TUMOR_FRACTIONS)
def test_tumor_fraction_recovered_diploid(recovered, tumor_fraction):
    rows = recovered[(recovered["tumor_fraction"] == tumor_fraction) & (recovered["ploidy"] == 2) & (recovered["bin_size"] == 1_000_000)]
    assert len(rows) == len(SEEDS)
    # ~0.1x: a few hundred to a few thousand reads per 1 Mb bin
    assert rows["median_reads"].between(300, 3000).all()
    assert abs(rows["recovered_tumor_fraction"].median() - tumor_fraction) <= 0.03
    # ploidy: diploid in every sample, close to the planted mean copy number
    assert (rows["recovered_ploidy"] < 2.5).all()
    assert (rows["recovered_ploidy"] - rows["planted_ploidy"]).abs().median() < 0.15


@pytest.mark.parametrize("tumor_fraction", (0.2, 0.4))
def test_triploid_tumors_are_called_triploid(recovered, tumor_fraction):
    rows = recovered[(recovered["tumor_fraction"] == tumor_fraction) & (recovered["ploidy"] == 3) & (recovered["bin_size"] == 1_000_000)]
    assert len(rows) == 3
    assert (rows["recovered_ploidy"] > 2.5).all() and (rows["recovered_ploidy"] < 3.5).all()
    assert abs(rows["recovered_tumor_fraction"].median() - tumor_fraction) <= 0.03


def test_negative_control_stays_at_the_noise_floor(recovered):
    rows = recovered[recovered["tumor_fraction"] == 0.0]
    assert len(rows) == len(SEEDS)
    # ichorCNA's practical noise floor is 0.04-0.08 in healthy plasma (docs/peers.md)
    assert (rows["recovered_tumor_fraction"] <= 0.05).all()


def test_500kb_bins(recovered):
    rows = recovered[recovered["bin_size"] == 500_000].set_index("ploidy")
    assert rows.loc[2, "recovered_tumor_fraction"] == pytest.approx(0.1, abs=0.03)
    assert rows.loc[2, "recovered_ploidy"] < 2.5
    assert rows.loc[3, "recovered_tumor_fraction"] == pytest.approx(0.2, abs=0.03)
    assert rows.loc[3, "recovered_ploidy"] > 2.5


def test_subclonal_states_run_and_report_a_subclone_fraction():
    sample = simulate_cfdna(tumor_fraction=0.3, ploidy=2, seed=6)
    settings = ichor.Settings(subclonal_states=(1, 3), normal_restarts=(0.6, 0.8), ploidy_restarts=(2.0,))
    bins, sex, info = ichor.prepare_bins(sample.counts, sample.gc, sample.mappability, genome="hg38", settings=settings)
    result = ichor.fit(bins, sex, info, settings)
    assert len(result.solutions) == 2
    assert result.best.tumor_fraction == pytest.approx(0.3, abs=0.05)
    assert result.best.model.subclonal.sum() == 2
    tables = ichor.output_tables(result, sample="s", genome="hg38", settings=settings)
    assert tables["params"]["subclonal_states"].iat[0] == "1,3"


# --------------------------------------------------------------------------- the command


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cfdna")
    sample = simulate_cfdna(tumor_fraction=0.3, ploidy=2, seed=4)
    paths = {"wig": d / "plasma.wig", "gc": d / "gc.wig", "map": d / "map.wig", "pon": d / "pon.tsv"}
    write_wig(sample.counts, paths["wig"])
    write_wig(sample.gc, paths["gc"])
    write_wig(sample.mappability, paths["map"])
    normals = simulate_normals(6, seed=8)
    panel = ichor.panel_of_normals([(f"HD{i + 1}", s.counts) for i, s in enumerate(normals)], sample.gc, sample.mappability, genome="hg38")
    write_panel_of_normals(panel, paths["pon"])
    paths["dir"] = d
    paths["truth_ploidy"] = sample.ploidy
    return paths


def _args(p, prefix):
    return ["cfdna", "--wig", p["wig"], "--gc", p["gc"], "--map", p["map"], "--pon", p["pon"], "--genome", "hg38", "--out-prefix", prefix]


SUFFIXES = (".params.tsv", ".restarts.tsv", ".segments.tsv", ".bins.tsv", ".profile.svg")


@pytest.fixture(scope="module")
def outputs(inputs) -> Path:
    prefix = inputs["dir"] / "run1" / "plasma"
    _metevo(*_args(inputs, prefix))
    return prefix


def test_outputs_and_columns(inputs, outputs):
    params = pd.read_csv(str(outputs) + ".params.tsv", sep="\t")
    assert len(params) == 1
    for column in ("sample", "tumor_fraction", "ploidy", "subclone_fraction", "fraction_genome_subclonal", "gc_map_mad", "loglik", "n_restarts"):
        assert column in params.columns
    row = params.iloc[0]
    assert row["sample"] == "plasma"  # from the WIG's name
    assert row["tumor_fraction"] == pytest.approx(0.3, abs=0.03)
    assert row["ploidy"] == pytest.approx(inputs["truth_ploidy"], abs=0.15)
    assert row["n_restarts"] == 11 and row["bins_pon_matched"] > 2000
    restarts = pd.read_csv(str(outputs) + ".restarts.tsv", sep="\t")
    assert len(restarts) == 11 and restarts["selected"].sum() == 1
    assert restarts.loc[restarts["selected"], "loglik"].iat[0] == pytest.approx(row["loglik"])
    segments = pd.read_csv(str(outputs) + ".segments.tsv", sep="\t", dtype={"chrom": str})
    assert list(segments.columns[:11]) == ["sample", "chrom", "start", "end", "n_bins", "log2", "total_cn", "major_cn", "minor_cn", "ploidy", "call"]
    assert set(segments["call"]) <= {"deletion", "loss", "neutral", "gain", "amplification"}
    assert {"loss", "gain", "neutral"} <= set(segments["call"])
    assert segments["major_cn"].isna().all() and (segments["ploidy"] == row["ploidy"]).all()
    order = segments["chrom"].map({c: i for i, c in enumerate([str(k) for k in range(1, 23)] + ["X"])})
    assert order.is_monotonic_increasing
    bins = pd.read_csv(str(outputs) + ".bins.tsv", sep="\t", dtype={"chromosome": str})
    assert list(bins.columns[:3]) == ["chromosome", "start", "end"]
    assert {"log2", "state", "copy_number"} <= set(bins.columns)
    assert bins["end"].max() <= 248_956_422  # clipped to chromosome 1's end
    svg = Path(str(outputs) + ".profile.svg").read_text()
    assert svg.startswith("<?xml") and "<svg" in svg and "dc:date" not in svg


def test_outputs_are_byte_identical_on_rerun(inputs, outputs):
    again = inputs["dir"] / "run2" / "plasma"
    _metevo(*_args(inputs, again))
    for suffix in SUFFIXES:
        assert Path(str(outputs) + suffix).read_bytes() == Path(str(again) + suffix).read_bytes(), suffix


def _copy_inputs(inputs, tmp_path):
    return {k: (tmp_path / Path(v).name) if isinstance(v, Path) and v.is_file() else v for k, v in inputs.items()} | {
        "_src": inputs
    }


def _bad_value(d, p):
    lines = p["wig"].read_text().splitlines()
    lines[5] = "12x"
    p["wig"].write_text("\n".join(lines) + "\n")
    return p["wig"], "line 6", "expected a number, found '12x'"


def _other_bin_size(d, p):
    sample = simulate_cfdna(tumor_fraction=0.0, seed=1, bin_size=500_000)
    write_wig(sample.gc, p["gc"])
    return p["gc"], "line 1", "expected GC bins of 1000000 bp"


def _other_build(d, p):
    return p["wig"], "line", "past the end of chromosome 5 in hg19"


def _pon_without_median(d, p):
    table = pd.read_csv(p["pon"], sep="\t").drop(columns="Median")
    table.to_csv(p["pon"], sep="\t", index=False)
    return p["pon"], "line 1", "missing required column 'Median'"


@pytest.mark.parametrize("breaker", [_bad_value, _other_bin_size, _other_build, _pon_without_median])
def test_bad_inputs_one_line_nothing_written(inputs, tmp_path, breaker):
    p = {}
    for key in ("wig", "gc", "map", "pon"):
        p[key] = tmp_path / inputs[key].name
        p[key].write_bytes(inputs[key].read_bytes())
    path, where, message = breaker(tmp_path, p)
    args = _args(p, tmp_path / "out" / "plasma")
    if breaker is _other_build:
        args[args.index("hg38")] = "hg19"
    proc = _metevo(*args, check=False)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert str(path) in lines[0] and where in lines[0] and message in lines[0], lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.skipif(not (SHARED / "reference/hg38/ichor_pon_healthy_donors_1000kb.tsv.gz").exists(), reason="shared hg38 references absent")
def test_real_hg38_gc_map_and_panel(tmp_path):
    """A simulated sample on the real hg38 1 Mb bins (HMMcopy GC/map WIGs, 'chr' names, -1
    GC in gaps) normalised by the real healthy-donor panel."""
    ref = SHARED / "reference/hg38"
    from metevo.io.wig import read_wig

    gc = read_wig(ref / "gc_1000kb.wig.gz", genome="hg38")
    mappability = read_wig(ref / "map_1000kb.wig.gz", genome="hg38")
    sample = simulate_cfdna(tumor_fraction=0.2, ploidy=2, seed=3, gc=gc, mappability=mappability)
    write_wig(sample.counts, tmp_path / "real.wig")
    prefix = tmp_path / "real"
    _metevo("cfdna", "--wig", tmp_path / "real.wig", "--gc", ref / "gc_1000kb.wig.gz", "--map", ref / "map_1000kb.wig.gz",
            "--pon", ref / "ichor_pon_healthy_donors_1000kb.tsv.gz", "--genome", "hg38", "--sample", "S1", "--out-prefix", prefix)
    params = pd.read_csv(str(prefix) + ".params.tsv", sep="\t").iloc[0]
    assert params["sample"] == "S1"
    assert params["tumor_fraction"] == pytest.approx(0.2, abs=0.03)
    assert params["ploidy"] < 2.5
    assert params["bins_pon_matched"] > 1000
    assert np.isfinite(params["gc_map_mad"])


def test_a_wig_of_two_bins_is_a_one_line_error(inputs, tmp_path):
    """Too few bins to fit the GC and mappability curves: the input error, not a crash in the fit."""
    wig = tmp_path / "tiny.wig"
    wig.write_text("fixedStep chrom=chr1 start=1 step=1000000 span=1000000\n5\n6\n")
    prefix = tmp_path / "out" / "tiny"
    done = subprocess.run([sys.executable, "-m", "metevo", *map(str, _args({**inputs, "wig": wig}, prefix))],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == f"metevo cfdna: error: {wig}: expected at least 100 bins with reads on chromosomes 1-22, found 2"
    assert not (tmp_path / "out").exists()
