"""The simulator's whole-genome layout: chromosomes, arms, a stand-in bin annotation.

Copy-number events are placed on hg38 autosomes and X (the cohort is female). Arms are cut
at the centromeres of scarHRD's GRCh38 table (``sysdata.rda``; algorithms.md 4.5), so that the
arm-level events the simulator plants are whole arms in the sense scarHRD's LST count uses.
The p arms of the acrocentric chromosomes (13, 14, 15, 21, 22) hold no events.

Bin annotation (GC, mappability, bases) is a stand-in for a reference: the simulator has no
FASTA at run time, as for the reference bases (``reference.reference_base``). GC per 100 kb bin
is the chromosome's real mean GC content (hg38) plus a smooth, fixed pseudo-random landscape;
mappability is high except next to centromeres and telomeres; centromeres and the acrocentric
p arms are unsequenced (0 bases), as in QDNAseq's bin annotations. The annotation is the same
for every cohort and seed (drawn from a fixed generator, like the gene table).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from metevo.simulate.reference import HG38_CONTIGS

CN_CHROMS: tuple[str, ...] = tuple(c for c, _ in HG38_CONTIGS if c not in ("Y", "MT"))
AUTOSOMES: tuple[str, ...] = tuple(c for c in CN_CHROMS if c != "X")
LENGTHS: dict[str, int] = dict(HG38_CONTIGS)

# scarHRD GRCh38 centromeres (algorithms.md 4.5), 1-based start..end of the gap.
CENTROMERES: dict[str, tuple[int, int]] = {
    "1": (121_700_000, 125_100_000), "2": (91_800_000, 96_000_000), "3": (87_800_000, 94_000_000),
    "4": (48_200_000, 51_800_000), "5": (46_100_000, 51_400_000), "6": (58_500_000, 62_600_000),
    "7": (58_100_000, 62_100_000), "8": (43_200_000, 47_200_000), "9": (42_200_000, 45_500_000),
    "10": (38_000_000, 41_600_000), "11": (51_000_000, 55_800_000), "12": (33_200_000, 37_800_000),
    "13": (16_500_000, 18_900_000), "14": (16_100_000, 18_200_000), "15": (17_500_000, 20_500_000),
    "16": (35_300_000, 38_400_000), "17": (22_700_000, 27_400_000), "18": (15_400_000, 21_500_000),
    "19": (24_200_000, 28_100_000), "20": (25_700_000, 30_400_000), "21": (10_900_000, 13_000_000),
    "22": (13_700_000, 17_400_000), "X": (58_100_000, 63_800_000),
}
ACROCENTRIC = frozenset({"13", "14", "15", "21", "22"})

# Mean GC content of each hg38 chromosome (percent; from the assembly, rounded).
CHROM_GC: dict[str, float] = {
    "1": 41.7, "2": 40.2, "3": 39.7, "4": 38.2, "5": 39.5, "6": 39.6, "7": 40.7, "8": 40.1, "9": 41.3,
    "10": 41.6, "11": 41.6, "12": 40.8, "13": 38.5, "14": 40.9, "15": 42.2, "16": 44.8, "17": 45.5,
    "18": 39.8, "19": 48.4, "20": 44.1, "21": 40.9, "22": 47.9, "X": 39.5,
}
ANNOTATION_SEED = 20240612  # fixed: the stand-in annotation is a constant, like the gene table


@dataclass(frozen=True)
class Arm:
    chrom: str
    arm: str  # p | q
    start: int
    end: int

    @property
    def name(self) -> str:
        return f"{self.chrom}{self.arm}"

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def arm(chrom: str, which: str) -> Arm:
    """The p arm is 1..centromere start, the q arm centromere end + 1..chromosome end."""
    cs, ce = CENTROMERES[chrom]
    return Arm(chrom, which, 1, cs) if which == "p" else Arm(chrom, which, ce + 1, LENGTHS[chrom])


@lru_cache(maxsize=None)
def arms() -> tuple[Arm, ...]:
    """Every arm that can carry events (not the acrocentric p arms), in genome order."""
    return tuple(arm(c, a) for c in CN_CHROMS for a in ("p", "q") if not (a == "p" and c in ACROCENTRIC))


@dataclass(frozen=True)
class BinAnnotation:
    """Fixed-width bins over the autosomes and X (1-based closed intervals)."""

    chrom: np.ndarray  # str
    start: np.ndarray  # int64
    end: np.ndarray
    bases: np.ndarray  # percent of the bin that is sequenced (not N)
    gc: np.ndarray  # percent; NaN where bases == 0
    mappability: np.ndarray  # percent
    blacklist: np.ndarray  # percent of the bin in blacklisted regions

    def __len__(self) -> int:
        return int(self.start.size)


def _smooth_noise(rng: np.random.Generator, n: int, rho: float) -> np.ndarray:
    """A stationary AR(1) series with unit variance (neighbouring bins have similar GC)."""
    eps = rng.standard_normal(n)
    out = np.empty(n)
    acc = 0.0
    scale = np.sqrt(1 - rho * rho)
    for i in range(n):
        acc = rho * acc + scale * eps[i]
        out[i] = acc
    return out


@lru_cache(maxsize=None)
def bin_annotation(bin_size: int) -> BinAnnotation:
    """The stand-in annotation of ``bin_size`` bins (autosomes and X; see module docstring)."""
    rng = np.random.default_rng([ANNOTATION_SEED, bin_size])
    chroms, starts, ends, bases, gc, mapp, black = [], [], [], [], [], [], []
    for chrom in CN_CHROMS:
        length = LENGTHS[chrom]
        start = np.arange(1, length + 1, bin_size, dtype=np.int64)
        end = np.minimum(start + bin_size - 1, length)
        n = start.size
        width = (end - start + 1) / bin_size
        cs, ce = CENTROMERES[chrom]
        mid = (start + end) / 2
        gap = (end >= cs) & (start <= ce)
        if chrom in ACROCENTRIC:
            gap |= start <= cs
        b = np.where(gap, 0.0, 100.0 * width)
        b[0] = min(b[0], 90.0)  # telomeric N
        b[-1] = min(b[-1], 90.0 * width[-1])
        g = CHROM_GC[chrom] + 3.0 * _smooth_noise(rng, n, 0.9) + 1.0 * rng.standard_normal(n)
        g = np.clip(g, 30.0, 65.0)
        g = np.where(b > 0, g, np.nan)
        # mappability drops next to centromeres and telomeres (segmental duplications)
        dist = np.minimum(np.abs(mid - cs), np.abs(mid - ce))
        dist = np.minimum(dist, np.minimum(mid, length - mid))
        m = 97.0 - 35.0 * np.exp(-dist / 2.0e6) - np.abs(4.0 * rng.standard_normal(n))
        m = np.where(b > 0, np.clip(m, 5.0, 100.0), 0.0)
        bl = np.where((rng.random(n) < 0.01) & (b > 0), np.round(rng.uniform(5, 100, n), 3), 0.0)
        chroms.append(np.full(n, chrom, dtype=object))
        starts.append(start)
        ends.append(end)
        bases.append(np.round(b, 3))
        gc.append(np.round(g, 4))
        mapp.append(np.round(m, 4))
        black.append(bl)
    return BinAnnotation(
        np.concatenate(chroms), np.concatenate(starts), np.concatenate(ends), np.concatenate(bases),
        np.concatenate(gc), np.concatenate(mapp), np.concatenate(black),
    )
