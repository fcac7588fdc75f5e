"""Read counts of shallow whole-genome sequencing: QDNAseq bins (100 kb) and cfDNA WIGs (1 Mb).

Expected reads in a bin are proportional to its sequenced bases, its mappability, a
library-specific GC bias and the DNA content of the bin at the sample's purity (tumor
fraction) and ploidy, (p*c + 2(1-p)) / (p*phi + 2(1-p)) for total copy number c; observed
counts are Poisson around that (Scheinin et al. 2014, Genome Res 24:2022; QDNAseq corrects
the GC and mappability bias with a 2-D LOESS). sWGS bins use the QDNAseq simulator's model
(``metevo.simulate.swgs``) on the whole-genome stand-in annotation, with blacklisted
stretches collecting spurious reads; plasma bins the cfDNA simulator's
(``metevo.simulate.cfdna``), whose per-bin lab effect the simulated panel of normals captures
(ichorCNA's PoN; Adalsteinsson et al. 2017). chrY of this female cohort is empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from metevo.simulate.genome import CN_CHROMS, LENGTHS, bin_annotation
from metevo.simulate.model import SampleCN

SWGS_BIN = 100_000
WIG_BIN = 1_000_000
WIG_CHROMS = CN_CHROMS + ("Y",)
N_PON_DONORS = 8


def _global_offsets() -> dict[str, int]:
    offsets, acc = {}, 0
    for chrom in WIG_CHROMS:
        offsets[chrom] = acc
        acc += LENGTHS[chrom]
    return offsets


def _midpoints(chrom: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Bin midpoints on one genome-wide axis (chromosomes laid end to end in WIG_CHROMS order)."""
    offsets = _global_offsets()
    return np.array([offsets[c] for c in chrom.tolist()], dtype=np.int64) + (start + end) // 2


def total_cn_per_bin(cn: SampleCN, midpoints: np.ndarray) -> np.ndarray:
    """Total copy number at each genome-wide bin midpoint (:func:`_midpoints`); 0 beyond the
    segmented chromosomes (chrY of this female cohort)."""
    offsets = _global_offsets()
    seg_start = np.array([offsets[c] + s for c, s in zip(cn.chrom, cn.start)], dtype=np.int64)
    seg_end = np.array([offsets[c] + e for c, e in zip(cn.chrom, cn.end)], dtype=np.int64)
    seg_total = np.array([a + b for a, b in zip(cn.a0, cn.a1)], dtype=np.int64)
    idx = np.clip(np.searchsorted(seg_start, midpoints, side="right") - 1, 0, None)
    return np.where(midpoints <= seg_end[idx], seg_total[idx], 0)


@lru_cache(maxsize=None)
def _swgs_midpoints() -> np.ndarray:
    ann = bin_annotation(SWGS_BIN)
    return _midpoints(ann.chrom, ann.start, ann.end)


@lru_cache(maxsize=None)
def annotation_frame() -> pd.DataFrame:
    """The 100 kb stand-in annotation as a QDNAseq bin table (``metevo.simulate.swgs`` reads it)."""
    ann = bin_annotation(SWGS_BIN)
    return pd.DataFrame({"chromosome": ann.chrom, "start": ann.start, "end": ann.end, "bases": ann.bases,
                         "gc": ann.gc, "mappability": ann.mappability, "blacklist": ann.blacklist})


def swgs_counts(rng: np.random.Generator, cn: SampleCN, purity: float, ploidy: float) -> np.ndarray:
    """Read counts per 100 kb bin (``genome.bin_annotation``) of one tumor sample.

    The expectation is the QDNAseq simulator's (``metevo.simulate.swgs.expected_counts``: copy
    ratio x GC bias x mappability x sequenced bases) with a library size of 150-450 reads per
    bin and a GC-bias strength drawn per library; blacklisted stretches collect up to 4x the
    reads (the artefacts QDNAseq's blacklist filter removes); counts are Poisson.
    """
    from metevo.simulate import swgs

    ann = annotation_frame()
    total = total_cn_per_bin(cn, _swgs_midpoints())
    expected = swgs.expected_counts(ann, total, purity=purity, ploidy=ploidy,
                                    reads_per_bin=float(rng.uniform(150, 450)),
                                    gc_strength=float(rng.uniform(0.4, 1.2)))
    expected = expected * (1 + 3 * ann["blacklist"].to_numpy() / 100.0)
    return swgs.simulate_counts(expected, seed=int(rng.integers(2**63)))


@dataclass(frozen=True)
class WigGrid:
    chrom: np.ndarray
    start: np.ndarray
    end: np.ndarray  # full-width last bins, as readCounter writes them
    gc: np.ndarray  # fraction, -1 where unsequenced (as HMMcopy's gcCounter writes)
    mappability: np.ndarray  # fraction


@lru_cache(maxsize=None)
def wig_grid() -> WigGrid:
    """1 Mb bins over chr1-22, X, Y with GC and mappability averaged from the 100 kb stand-in."""
    ann = bin_annotation(SWGS_BIN)
    chroms, starts, gcs, maps = [], [], [], []
    for chrom in WIG_CHROMS:
        start = np.arange(1, LENGTHS[chrom] + 1, WIG_BIN, dtype=np.int64)
        if chrom == "Y":
            gc = np.where(start > 2_800_000, 0.39, -1.0)
            mp = np.where(start > 2_800_000, 0.4, 0.0)
        else:
            mine = ann.chrom == chrom
            k = (ann.start[mine] - 1) // WIG_BIN
            bases = ann.bases[mine]
            gc_bp = np.bincount(k, weights=np.nan_to_num(ann.gc[mine]) * bases, minlength=start.size)
            map_bp = np.bincount(k, weights=ann.mappability[mine] * bases, minlength=start.size)
            n_bp = np.bincount(k, weights=bases, minlength=start.size)
            with np.errstate(invalid="ignore", divide="ignore"):
                gc = np.where(n_bp > 0, gc_bp / n_bp / 100.0, -1.0)
                mp = np.where(n_bp > 0, map_bp / n_bp / 100.0 * np.minimum(n_bp / (100.0 * 10), 1.0), 0.0)
        chroms.append(np.full(start.size, chrom, dtype=object))
        starts.append(start)
        gcs.append(np.round(gc, 6))
        maps.append(np.round(mp, 6))
    start = np.concatenate(starts)
    return WigGrid(np.concatenate(chroms), start, start + WIG_BIN - 1, np.concatenate(gcs), np.concatenate(maps))


def tracks() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The 1 Mb GC and mappability tracks as WIG bin tables (chrom start end value)."""
    grid = wig_grid()
    base = pd.DataFrame({"chrom": grid.chrom, "start": grid.start, "end": grid.end})
    return base.assign(value=grid.gc), base.assign(value=grid.mappability)


def plasma_counts(rng: np.random.Generator, cn: SampleCN, tumor_fraction: float) -> pd.DataFrame:
    """Read counts per 1 Mb bin (chrom start end value) of one plasma sample: the cfDNA
    engineer's model (``metevo.simulate.cfdna.simulate_cfdna``: DNA of a bin p c + 2 (1 - p),
    a per-library GC curve, mappability, the per-bin lab effect a panel of normals removes,
    gamma-Poisson counts) for the planted segments, 600-1500 reads per Mb (about 0.1x)."""
    from metevo.simulate import cfdna

    events = [cfdna.CnEvent(c, s, e, a + b) for c, s, e, a, b in zip(cn.chrom, cn.start, cn.end, cn.a0, cn.a1)]
    gc, mappability = tracks()
    sample = cfdna.simulate_cfdna(genome="hg38", bin_size=WIG_BIN, tumor_fraction=tumor_fraction, ploidy=2,
                                  events=events, sex="female", reads_per_mb=float(rng.uniform(600, 1500)),
                                  gc=gc, mappability=mappability, seed=int(rng.integers(2**63)))
    return sample.counts


def panel_of_normals(rng: np.random.Generator) -> pd.DataFrame:
    """An ichorCNA panel of normals (``metevo.cn.ichor.panel_of_normals``) from simulated
    healthy-donor plasma (``metevo.simulate.cfdna.simulate_normals``) on the same tracks."""
    from metevo.cn import ichor
    from metevo.simulate import cfdna

    gc, mappability = tracks()
    normals = cfdna.simulate_normals(N_PON_DONORS, seed=int(rng.integers(2**40)), genome="hg38", bin_size=WIG_BIN,
                                     gc=gc, mappability=mappability)
    return ichor.panel_of_normals([(f"HD{k:02d}", n.counts) for k, n in enumerate(normals, start=1)], gc, mappability,
                                  genome="hg38")
