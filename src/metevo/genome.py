"""Genome builds: primary-assembly chromosome lengths of GRCh37/hg19 and GRCh38/hg38, and how a
file's contigs (or the names it gives its reference) tell which build it is.

Every reader that checks "inputs of one build" (VCF headers, BAM headers, bin tables, WIGs)
uses :func:`detect_build` or :data:`CHROM_LENGTHS`, so the rule is the same everywhere.
"""

from __future__ import annotations

import os
import re
from typing import Iterable, Mapping

from metevo.variants import harmonise_chrom

CHROM_LENGTHS: dict[str, dict[str, int]] = {
    "hg19": {
        "1": 249250621, "2": 243199373, "3": 198022430, "4": 191154276, "5": 180915260, "6": 171115067,
        "7": 159138663, "8": 146364022, "9": 141213431, "10": 135534747, "11": 135006516, "12": 133851895,
        "13": 115169878, "14": 107349540, "15": 102531392, "16": 90354753, "17": 81195210, "18": 78077248,
        "19": 59128983, "20": 63025520, "21": 48129895, "22": 51304566, "X": 155270560, "Y": 59373566,
    },
    "hg38": {
        "1": 248956422, "2": 242193529, "3": 198295559, "4": 190214555, "5": 181538259, "6": 170805979,
        "7": 159345973, "8": 145138636, "9": 138394717, "10": 133797422, "11": 135086622, "12": 133275309,
        "13": 114364328, "14": 107043718, "15": 101991189, "16": 90338345, "17": 83257441, "18": 80373285,
        "19": 58617616, "20": 64444167, "21": 46709983, "22": 50818468, "X": 156040895, "Y": 57227415,
    },
}
_BUILD_NAMES = (
    ("hg38", re.compile(r"hg38|grch38|assembly38|hs38|b38", re.I)),
    ("hg19", re.compile(r"hg19|grch37|b37|hs37|human_g1k_v37|assembly19", re.I)),
)


def detect_build(contigs: Mapping[str, int | None], names: Iterable[str] = ()) -> str | None:
    """'hg19', 'hg38' or None: by the majority of primary chromosomes whose length matches one
    build exactly, else by a build name in ``names`` (a reference path, an assembly tag)."""
    votes = {"hg19": 0, "hg38": 0}
    hg19, hg38 = CHROM_LENGTHS["hg19"], CHROM_LENGTHS["hg38"]
    for name, length in contigs.items():
        core = harmonise_chrom(name)
        if length is None or core not in hg19:
            continue
        if length == hg19[core]:
            votes["hg19"] += 1
        elif length == hg38[core]:
            votes["hg38"] += 1
    if votes["hg19"] != votes["hg38"]:
        return "hg19" if votes["hg19"] > votes["hg38"] else "hg38"
    for text in names:
        if not text:
            continue
        base = os.path.basename(text)
        for build, pattern in _BUILD_NAMES:
            if pattern.search(base):
                return build
    return None


def beyond_build(chrom: str, end: int, genome: str) -> bool:
    """True when a position ``end`` on ``chrom`` lies past that chromosome's end in ``genome``
    (a sign the file was made on the other build). Unknown chromosomes are not judged."""
    length = CHROM_LENGTHS[genome].get(harmonise_chrom(chrom))
    return length is not None and end > length
