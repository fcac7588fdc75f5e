"""Derive metevo's shipped hotspot table from a cancerhotspots v2 variant list.

Usage: python scripts/derive_oncogenic_data.py HOTSPOTS.tsv > src/metevo/data/cancer_hotspots.tsv

HOTSPOTS.tsv is maftools' headerless copy of the cancerhotspots.org v2 hotspots (Chang et al.
2018, Cancer Discov 8:174; data ODbL): chrom, pos, ref, alt, gene, class, protein change, SIFT.
The output has protein coordinates only (build-independent): one row per hotspot with gene,
residue range, reference amino acid, type and the protein changes seen there. The parsing is
``metevo.oncogenic.hotspots_from_variant_list``.
"""

import sys

from metevo.io.tables import FLOAT_FORMAT
from metevo.oncogenic import HOTSPOT_COLUMNS, read_hotspots


def main(path: str) -> None:
    table = read_hotspots(path)
    sys.stdout.write("# cancerhotspots.org v2 (Chang et al. 2018, Cancer Discov 8:174), ODbL; derived with scripts/derive_oncogenic_data.py\n")
    table.loc[:, list(HOTSPOT_COLUMNS)].to_csv(sys.stdout, sep="\t", index=False, float_format=FLOAT_FORMAT, lineterminator="\n")


if __name__ == "__main__":
    main(sys.argv[1])
