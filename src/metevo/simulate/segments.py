"""Allele-specific segments as an allele-specific caller (ASCAT, FACETS, Sequenza) reports them.

The planted segments are merged where neighbours have the same (major, minor) state (a caller
sees states, not the events behind them), and each breakpoint between two segments is moved by
up to 1% of the shorter of the two (at most 20 kb): a caller's breakpoints are placed to within
its probe or SNP spacing, not to the base. Integer states, purity and ploidy are the planted
ones. The file format is scarHRD's text input (``SampleID Chromosome Start_position
End_position total_cn A_cn B_cn ploidy``; A_cn the major, B_cn the minor copy number), which
``metevo.io.segments`` reads and ``metevo hrd`` scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metevo.simulate.model import SampleCN

MAX_SHIFT = 20_000
SCARHRD_COLUMNS = ("SampleID", "Chromosome", "Start_position", "End_position", "total_cn", "A_cn", "B_cn", "ploidy")


@dataclass
class CalledSegments:
    chrom: list[str]
    start: list[int]
    end: list[int]
    major: list[int]
    minor: list[int]


def merged_states(cn: SampleCN) -> CalledSegments:
    """Planted segments with neighbours of equal (major, minor) merged."""
    out = CalledSegments([], [], [], [], [])
    for chrom, start, end, a0, a1 in zip(cn.chrom, cn.start, cn.end, cn.a0, cn.a1):
        major, minor = max(a0, a1), min(a0, a1)
        if out.chrom and out.chrom[-1] == chrom and out.major[-1] == major and out.minor[-1] == minor:
            out.end[-1] = end
            continue
        out.chrom.append(chrom)
        out.start.append(start)
        out.end.append(end)
        out.major.append(major)
        out.minor.append(minor)
    return out


def called_segments(rng: np.random.Generator, cn: SampleCN) -> CalledSegments:
    """The segments a caller would report for planted copy number ``cn`` (module docstring)."""
    out = merged_states(cn)
    n = len(out.start)
    shifts = rng.uniform(-1.0, 1.0, size=max(n - 1, 0))
    for i in range(n - 1):
        if out.chrom[i] != out.chrom[i + 1]:
            continue
        shorter = min(out.end[i] - out.start[i] + 1, out.end[i + 1] - out.start[i + 1] + 1)
        shift = int(round(shifts[i] * min(MAX_SHIFT, 0.01 * shorter)))
        out.end[i] += shift
        out.start[i + 1] += shift
    return out


def scarhrd_text(sample: str, segments: CalledSegments, ploidy: float) -> str:
    """scarHRD's text input for one sample (hg38 ``chr`` names, as the simulator's VCFs)."""
    lines = ["\t".join(SCARHRD_COLUMNS)]
    for chrom, start, end, major, minor in zip(segments.chrom, segments.start, segments.end, segments.major,
                                               segments.minor):
        lines.append(f"{sample}\tchr{chrom}\t{start}\t{end}\t{major + minor}\t{major}\t{minor}\t{ploidy:.2f}")
    return "\n".join(lines) + "\n"
