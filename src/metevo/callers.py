"""The somatic callers metevo reads, by the names used on the command line, in samplesheet
columns (``vcf_<caller>``) and in the MAF's ``callers`` column."""

CALLERS = ("mutect2", "strelka2", "varscan2", "muse", "vardict", "somaticsniper", "lofreq", "scalpel")
