"""TCGA-BRCA in ../shared (Firehose MAF of 977 samples and its clinical table) for the tests that
check metevo's counts against counts made here with the csv module."""

from __future__ import annotations

import csv
import gzip
import os

import pytest

from tests.conftest import SHARED

TCGA = SHARED / "dev" / "tcga_brca"
MAF = TCGA / "tcga_brca_firehose.maf.gz"
CLINICAL = TCGA / "tcga_brca_clinical.tsv.gz"
# maftools' non-synonymous classes, written out here rather than imported from metevo
NONSYN = {"Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site", "Nonsense_Mutation",
          "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins", "Missense_Mutation"}


def load_tcga() -> tuple[list[dict], list[dict]]:
    """The MAF's and the clinical table's rows (csv dicts). Skips when ../shared is absent, and
    fails instead with METEVO_REQUIRE_SHARED=1."""
    if not MAF.is_file() or not CLINICAL.is_file():
        if os.environ.get("METEVO_REQUIRE_SHARED") == "1":
            pytest.fail(f"{MAF} is missing but METEVO_REQUIRE_SHARED=1")
        pytest.skip("../shared/data/dev/tcga_brca is absent (set METEVO_REQUIRE_SHARED=1 to make this a failure)")
    with gzip.open(MAF, "rt", newline="") as fh:
        rows = list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))
    with gzip.open(CLINICAL, "rt", newline="") as fh:
        clinical = list(csv.DictReader(fh, delimiter="\t"))
    return rows, clinical
