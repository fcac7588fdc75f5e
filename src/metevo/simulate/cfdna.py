"""Simulated ultra-low-pass cfDNA: read counts per bin with a planted tumour fraction, ploidy
and copy-number profile, the matching GC and mappability tracks, and a panel of normals.

The read-count model follows how ichorCNA sees plasma (Adalsteinsson et al. 2017):

* DNA of a bin = ``p * c_tumour + (1 - p) * c_normal`` (p = tumour fraction of cells,
  c_normal = 2, or 1 on a male's chrX/chrY); each bin's share of the reads is its DNA times
  its sequencing bias, over the genome total, so the ratio the model expects,
  ``(p c + 2(1-p)) / (p * ploidy + 2(1-p))``, holds with ploidy = the tumour's mean copy number;
* bias = GC curve x mappability x a per-bin effect shared by every sample of the "lab"
  (fixed seed: the systematic part a panel of normals removes); the GC curve is a random
  quadratic in GC per sample (strength set by ``gc_bias``), mappability acts as ``map**1``;
* counts are gamma-Poisson (negative binomial): Poisson sampling of reads on top of
  bin-to-bin overdispersion with coefficient of variation ``overdispersion``.

GC and mappability tracks are either given (real HMMcopy WIGs) or simulated per build: GC an
AR(1) landscape around 41% (-1 for unsequenced bins at centromeres and chromosome ends, as
HMMcopy's gcCounter writes), mappability mostly 0.9-1 with low-mappability stretches.

Copy-number profiles (:func:`random_profile`) have whole-arm gains and losses, a whole-chromosome
event and focal amplifications on top of a baseline of ``ploidy`` copies; for a triploid
baseline some losses go down to one copy (they make ploidy identifiable from total copy number,
see docs/cfdna.md). Everything is drawn from ``numpy.random.default_rng(seed)``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from metevo.variants import harmonise_chrom

CHROMS = tuple(str(i) for i in range(1, 23)) + ("X", "Y")
AUTOSOMES = CHROMS[:22]
LAB_SEED = 7_000_003  # per-bin effects common to all simulated samples (what a PoN captures)


@dataclass(frozen=True)
class CnEvent:
    """Tumour copy number ``copy_number`` on ``chrom:start-end`` (1-based, inclusive)."""

    chrom: str
    start: int
    end: int
    copy_number: int
    kind: str = ""  # arm | chromosome | focal


@dataclass
class CfdnaSample:
    """A simulated plasma sample and its planted truth."""

    counts: pd.DataFrame  # chrom start end value (reads)
    gc: pd.DataFrame  # chrom start end value (fraction, -1 unknown)
    mappability: pd.DataFrame  # chrom start end value
    truth: pd.DataFrame  # chrom start end copy_number (tumour) normal_cn
    tumor_fraction: float
    ploidy: float  # mean tumour copy number over the autosomes and X (the model's phi)
    baseline_ploidy: int
    sex: str
    events: list[CnEvent]


def _lengths(genome: str) -> dict[str, int]:
    from metevo.genome import CHROM_LENGTHS

    return {c: CHROM_LENGTHS[genome][c] for c in CHROMS}


def bins(genome: str, bin_size: int) -> pd.DataFrame:
    """HMMcopy bins ``chrom start end`` of chromosomes 1..22, X, Y (the last bin of a chromosome
    is a full ``bin_size`` wide, as readCounter writes it)."""
    rows = []
    for chrom, length in _lengths(genome).items():
        start = np.arange(1, length + 1, bin_size, dtype=np.int64)
        rows.append(pd.DataFrame({"chrom": chrom, "start": start, "end": start + bin_size - 1}))
    return pd.concat(rows, ignore_index=True)


def _centromeres(genome: str) -> dict[str, tuple[int, int]]:
    from metevo.cn.reference import centromeres

    table = centromeres(genome)
    return {harmonise_chrom(r.chrom): (int(r.start), int(r.end)) for r in table.itertuples(index=False)}


def _ar1(rng: np.random.Generator, n: int, rho: float) -> np.ndarray:
    eps = rng.standard_normal(n)
    out = np.empty(n)
    acc = rng.standard_normal()
    scale = np.sqrt(1.0 - rho * rho)
    for i in range(n):
        acc = rho * acc + scale * eps[i]
        out[i] = acc
    return out


def simulate_tracks(genome: str, bin_size: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stand-in GC and mappability WIG tables for ``genome`` at ``bin_size`` (module docstring)."""
    rng = np.random.default_rng([seed, bin_size])
    frame = bins(genome, bin_size)
    cen = _centromeres(genome)
    lengths = _lengths(genome)
    gc_parts, map_parts = [], []
    for chrom in CHROMS:
        on = frame["chrom"].to_numpy() == chrom
        start = frame.loc[on, "start"].to_numpy()
        end = frame.loc[on, "end"].to_numpy()
        n = len(start)
        cs, ce = cen.get(chrom, (0, -1))
        gap = (end >= cs) & (start <= ce)
        gap[0] = True  # telomeric N
        gap |= start + bin_size - 1 > lengths[chrom] + bin_size // 2  # mostly past the end
        g = 0.41 + 0.035 * _ar1(rng, n, 0.8) + 0.008 * rng.standard_normal(n)
        g = np.clip(g, 0.32, 0.62)
        g[gap] = -1.0
        m = np.clip(1.0 - np.abs(rng.normal(0.0, 0.04, n)), 0.0, 1.0)
        low = rng.random(n) < 0.06  # segmental duplications, repeats
        m[low] = rng.uniform(0.2, 0.9, low.sum())
        dist = np.minimum(np.abs((start + end) / 2 - cs), np.abs((start + end) / 2 - ce))
        m = np.where(dist < 3 * bin_size, m * 0.7, m)
        m[gap] = 0.0
        if chrom == "Y":
            m = m * 0.4
        gc_parts.append(np.round(g, 6))
        map_parts.append(np.round(m, 6))
    gc = frame.assign(value=np.concatenate(gc_parts))
    mappability = frame.assign(value=np.concatenate(map_parts))
    return gc, mappability


def _arms(genome: str) -> list[tuple[str, str, int, int]]:
    cen = _centromeres(genome)
    lengths = _lengths(genome)
    out = []
    for chrom in AUTOSOMES:
        cs, ce = cen[chrom]
        if chrom not in ("13", "14", "15", "21", "22"):  # acrocentric p arms carry nothing
            out.append((chrom, "p", 1, cs - 1))
        out.append((chrom, "q", ce + 1, lengths[chrom]))
    return out


def random_profile(genome: str, ploidy: int, rng: np.random.Generator, *, n_arm: int = 6, n_focal: int = 2) -> list[CnEvent]:
    """Arm-level gains and losses, one whole-chromosome event and focal amplifications.

    Diploid: arm gains to 3-4 and losses to 1. Triploid: gains to 4-5, one loss to 2 and
    three to 1 (loss of heterozygosity before genome doubling). Focal amplifications are 3-8 Mb at baseline + 3 copies. Events never
    overlap; chrX is left at baseline.
    """
    arms = _arms(genome)
    lengths = _lengths(genome)
    picked = rng.choice(len(arms), size=n_arm + 1, replace=False)
    events: list[CnEvent] = []
    used_chroms = set()
    for k, idx in enumerate(picked[:n_arm]):
        chrom, _, start, end = arms[idx]
        if ploidy <= 2:
            cn = [1, 3, 4][k % 3]
        else:
            cn = [1, 4, 1, 2, 5, 1][k % 6]
        events.append(CnEvent(chrom, int(start), int(end), int(cn), "arm"))
        used_chroms.add(chrom)
    free = [c for c in AUTOSOMES if c not in used_chroms]
    whole = str(rng.choice(free))
    events.append(CnEvent(whole, 1, lengths[whole], ploidy + 1, "chromosome"))
    used_chroms.add(whole)
    free = [c for c in AUTOSOMES if c not in used_chroms]
    for chrom in rng.choice(free, size=min(n_focal, len(free)), replace=False):
        chrom = str(chrom)
        width = int(rng.integers(3, 9)) * 1_000_000
        start = int(rng.integers(10_000_000, lengths[chrom] - width - 10_000_000))
        events.append(CnEvent(chrom, start, start + width - 1, ploidy + 3, "focal"))
    return events


def tumour_copy_number(frame: pd.DataFrame, events: list[CnEvent], ploidy: int, sex: str) -> np.ndarray:
    """Integer tumour copy number per bin (by bin midpoint)."""
    chrom = frame["chrom"].to_numpy()
    mid = (frame["start"].to_numpy() + frame["end"].to_numpy()) // 2
    cn = np.full(len(frame), ploidy, dtype=np.int64)
    if sex == "male":
        cn[(chrom == "X") | (chrom == "Y")] = max(1, ploidy // 2)
    else:
        cn[chrom == "Y"] = 0
    for ev in events:
        on = (chrom == ev.chrom) & (mid >= ev.start) & (mid <= ev.end)
        cn[on] = ev.copy_number
    return cn


def _lab_effect(frame: pd.DataFrame, sd: float) -> np.ndarray:
    """Per-bin multiplicative effect common to every simulated sample: drawn per chromosome from
    a fixed seed, indexed by the bin's position, so any file with the same bins agrees."""
    out = np.ones(len(frame))
    if sd <= 0:
        return out
    chrom = frame["chrom"].to_numpy()
    width = int((frame["end"] - frame["start"]).iat[0]) + 1 if len(frame) else 1
    for i, c in enumerate(CHROMS):
        on = np.flatnonzero(chrom == c)
        if len(on) == 0:
            continue
        index = (frame["start"].to_numpy()[on] - 1) // width
        draws = np.random.default_rng([LAB_SEED, i, width]).standard_normal(int(index.max()) + 1)
        out[on] = np.exp(sd * draws[index])
    return out


def simulate_cfdna(
    *,
    genome: str = "hg38",
    bin_size: int = 1_000_000,
    tumor_fraction: float = 0.1,
    ploidy: int = 2,
    events: list[CnEvent] | None = None,
    sex: str = "female",
    reads_per_mb: float = 1000.0,
    gc_bias: float = 1.0,
    overdispersion: float = 0.03,
    lab_effect_sd: float = 0.03,
    gc: pd.DataFrame | None = None,
    mappability: pd.DataFrame | None = None,
    seed: int = 0,
) -> CfdnaSample:
    """One plasma sample (module docstring). ``reads_per_mb`` is the mean read count of a
    mappable 1 Mb bin (~0.1x WGS with 150 bp reads gives ~700). With ``gc``/``mappability``
    (e.g. real HMMcopy WIGs read by :func:`metevo.io.wig.read_wig`) their bins are used."""
    rng = np.random.default_rng(seed)
    if gc is None or mappability is None:
        sim_gc, sim_map = simulate_tracks(genome, bin_size)
        gc = sim_gc if gc is None else gc
        mappability = sim_map if mappability is None else mappability
    keys = ["chrom", "start", "end"]
    frame = gc.loc[:, keys + ["value"]].rename(columns={"value": "gc"}).merge(
        mappability.loc[:, keys + ["value"]].rename(columns={"value": "map"}), on=keys, how="inner"
    )
    frame = frame[frame["chrom"].isin(CHROMS)].reset_index(drop=True)
    if events is None:
        events = random_profile(genome, ploidy, rng)
    tumour = tumour_copy_number(frame, events, ploidy, sex)
    chrom = frame["chrom"].to_numpy()
    normal = np.full(len(frame), 2, dtype=np.int64)
    if sex == "male":
        normal[(chrom == "X") | (chrom == "Y")] = 1
    else:
        normal[chrom == "Y"] = 0
    p = float(tumor_fraction)
    dna = p * tumour + (1.0 - p) * normal
    g = frame["gc"].to_numpy(dtype=float)
    m = frame["map"].to_numpy(dtype=float)
    known = g >= 0
    # a random GC curve: a tilt and a curvature around 42% GC, strength scaled by gc_bias
    tilt = rng.uniform(-2.0, 2.0) * gc_bias
    bend = rng.uniform(8.0, 25.0) * gc_bias
    gx = np.where(known, g, 0.42) - 0.42
    gc_curve = np.exp(tilt * gx - bend * gx * gx)
    bias = gc_curve * np.clip(m, 0.0, 1.0) * _lab_effect(frame, lab_effect_sd)
    bias[~known] = 0.0
    width = (frame["end"] - frame["start"] + 1).to_numpy() / 1e6
    sequenced = np.isin(chrom, CHROMS[:23]) & known & (m > 0)
    # each bin's share of the reads is DNA x bias over the genome: the ratio to the genome
    # average is (p c + 2(1-p)) / (p * ploidy + 2(1-p)), ploidy the tumour's mean copy number
    mean_bias = np.average(bias[sequenced], weights=width[sequenced])
    mean_dna = np.average(dna[sequenced], weights=(width * bias)[sequenced])
    expected = reads_per_mb * width * (bias / mean_bias) * (dna / mean_dna)
    if overdispersion > 0:
        shape = 1.0 / overdispersion**2
        rate_noise = rng.gamma(shape, 1.0 / shape, size=len(frame))
    else:
        rate_noise = np.ones(len(frame))
    counts = rng.poisson(expected * rate_noise).astype(np.int64)
    on_cn = np.isin(chrom, CHROMS[:23])
    mean_ploidy = float(np.average(tumour[on_cn], weights=width[on_cn]))
    truth = frame.loc[:, keys].assign(copy_number=tumour, normal_cn=normal)
    return CfdnaSample(
        counts=frame.loc[:, keys].assign(value=counts),
        gc=frame.loc[:, keys + ["gc"]].rename(columns={"gc": "value"}),
        mappability=frame.loc[:, keys + ["map"]].rename(columns={"map": "value"}),
        truth=truth,
        tumor_fraction=p,
        ploidy=mean_ploidy,
        baseline_ploidy=int(ploidy),
        sex=sex,
        events=list(events),
    )


def simulate_normals(n: int, *, seed: int = 0, **kwargs) -> list[CfdnaSample]:
    """``n`` healthy-donor plasma samples (tumour fraction 0) for a panel of normals; each has
    its own GC bias and noise, all share the lab's per-bin effects."""
    kwargs = {k: v for k, v in kwargs.items() if k not in ("tumor_fraction", "events")}
    return [simulate_cfdna(tumor_fraction=0.0, events=[], seed=seed * 1000 + i + 1, **kwargs) for i in range(n)]


def recovery(
    *,
    tumor_fraction: float,
    ploidy: int = 2,
    seed: int = 0,
    bin_size: int = 1_000_000,
    genome: str = "hg38",
    reads_per_mb: float = 1000.0,
    gc_path: str | None = None,
    map_path: str | None = None,
    pon_path: str | None = None,
) -> dict:
    """Simulate one plasma sample and run :func:`metevo.cn.ichor.fit` on it with default
    settings: the planted and the recovered tumour fraction and ploidy (the validation of
    docs/cfdna.md). ``gc_path``/``map_path``/``pon_path`` use real HMMcopy WIGs and a panel."""
    from metevo.cn import ichor
    from metevo.io.wig import read_panel_of_normals, read_wig

    gc = read_wig(gc_path, genome=genome) if gc_path else None
    mappability = read_wig(map_path, genome=genome) if map_path else None
    sample = simulate_cfdna(
        genome=genome, bin_size=bin_size, tumor_fraction=tumor_fraction, ploidy=ploidy, seed=seed,
        reads_per_mb=reads_per_mb, gc=gc, mappability=mappability,
    )
    panel = read_panel_of_normals(pon_path, genome=genome) if pon_path else None
    settings = ichor.Settings()
    bins, sex, info = ichor.prepare_bins(sample.counts, sample.gc, sample.mappability, genome=genome, panel=panel, settings=settings, seed=seed)
    result = ichor.fit(bins, sex, info, settings)
    return {
        "tumor_fraction": tumor_fraction,
        "ploidy": ploidy,
        "seed": seed,
        "bin_size": bin_size,
        "planted_ploidy": sample.ploidy,
        "recovered_tumor_fraction": float(result.best.tumor_fraction),
        "recovered_ploidy": float(result.best.em.phi),
        "median_reads": float(np.median(sample.counts["value"][sample.counts["chrom"].isin(AUTOSOMES)])),
        "bins_pon_matched": int(info["bins_pon_matched"]),
    }
