"""The pipeline's steps and the edges between them: one DAG for both executors.

``metevo run`` (``metevo.runner``) expands these steps into tasks; ``workflows/metevo.nf``
wires the Nextflow processes of the same names. ``tests/nextflow/test_dag.py`` checks that the
edges below are exactly the process-to-process edges Nextflow's language server extracts from
``main.nf``, so the two executors cannot drift apart.

``scope`` says how many tasks a step has: one per ``sample`` (with the right inputs), one per
``patient``, or one for the ``cohort``. ``after`` lists the steps whose outputs it consumes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    process: str  # Nextflow process name (modules/local/<process lower>/main.nf)
    command: str  # metevo subcommand (bin/<command with underscores>.py)
    scope: str  # "sample" | "patient" | "cohort"
    after: tuple[str, ...]
    description: str

    @property
    def module_dir(self) -> str:
        return f"modules/local/{self.process.lower()}"

    @property
    def bin_script(self) -> str:
        return f"bin/{self.command.replace('-', '_')}.py"


# A tumor's or plasma sample's copy number comes from one of three steps (COPY_NUMBER for
# shallow-WGS BAMs or bin counts, CFDNA for read-count WIGs, IMPORT_SEGMENTS for another
# caller's segments); every step that reads copy number follows all three.
CN_SOURCES = ("COPY_NUMBER", "CFDNA", "IMPORT_SEGMENTS")

STEPS: tuple[Step, ...] = (
    Step("VALIDATE", "validate", "cohort", (), "check samplesheet, clinical table and input files"),
    Step("ENSEMBLE_CALLS", "ensemble-calls", "sample", ("VALIDATE",), "consensus of caller VCFs per tumor"),
    Step("IMPORT_MAF", "import-maf", "sample", ("VALIDATE",), "one sample's mutations from a MAF"),
    Step("GERMLINE", "germline", "patient", ("VALIDATE",), "pathogenic germline variants in HR genes"),
    Step("BIN_ANNOTATION", "bin-annotation", "cohort", ("VALIDATE",), "bin GC/mappability annotation from the FASTA"),
    Step("BIN_COUNTS", "bin-counts", "sample", ("VALIDATE", "BIN_ANNOTATION"), "reads per bin of a shallow-WGS BAM"),
    Step("COPY_NUMBER", "copy-number", "sample", ("VALIDATE", "BIN_ANNOTATION", "BIN_COUNTS"), "QDNAseq copy number, segments and calls"),
    Step("CFDNA", "cfdna", "sample", ("VALIDATE",), "cfDNA tumor fraction, ploidy and copy number (ichorCNA)"),
    Step("IMPORT_SEGMENTS", "import-segments", "sample", ("VALIDATE",), "another caller's segments into the segments table"),
    Step("MERGE_MAFS", "merge-mafs", "cohort", ("ENSEMBLE_CALLS", "IMPORT_MAF"), "cohort MAF with sample annotations"),
    Step("HRD", "hrd", "sample", CN_SOURCES, "HRD-LOH, TAI and LST scar scores (scarHRD)"),
    Step("CLONALITY", "clonality", "sample", ("ENSEMBLE_CALLS", "IMPORT_MAF", *CN_SOURCES), "cancer cell fraction of each mutation"),
    Step("BIALLELIC", "biallelic", "patient", ("GERMLINE", "MERGE_MAFS", *CN_SOURCES), "biallelic inactivation of HR genes"),
    Step("TRACKED_REGIONS", "tracked-regions", "cohort", CN_SOURCES, "tracked regions, their frequency by sample type, cfDNA timelines"),
    Step("PAIR_CONCORDANCE", "pair-concordance", "cohort", ("MERGE_MAFS", *CN_SOURCES, "HRD"), "pairwise concordance, burden, rank tests"),
    Step("ONCOGENIC", "oncogenic", "cohort", ("MERGE_MAFS", "COPY_NUMBER", "CFDNA", "IMPORT_SEGMENTS"), "oncogenic alterations, pathway status and enrichment"),
    Step("ASSOCIATIONS", "associations", "cohort", ("ONCOGENIC", "HRD"), "co-occurrence, exclusivity and clinical associations"),
    Step("ENRICHMENT", "enrichment", "cohort", ("MERGE_MAFS",), "genes gained in metastases: paired, vs all primaries, vs an external cohort"),
    Step("OUTCOME", "outcome", "cohort", ("ONCOGENIC", "ENRICHMENT"), "survival by alteration and pathway status (needs the clinical table)"),
    Step(
        "REPORT", "report", "cohort",
        ("VALIDATE", "MERGE_MAFS", "GERMLINE", "PAIR_CONCORDANCE", *CN_SOURCES, "HRD", "CLONALITY", "BIALLELIC", "TRACKED_REGIONS",
         "ONCOGENIC", "ASSOCIATIONS", "ENRICHMENT", "OUTCOME"),
        "self-contained HTML report",
    ),
)

STEP_BY_PROCESS = {s.process: s for s in STEPS}


def edges() -> set[tuple[str, str]]:
    """(upstream process, downstream process) pairs."""
    return {(up, s.process) for s in STEPS for up in s.after}


def topological_order() -> list[Step]:
    done: list[str] = []
    pending = list(STEPS)
    while pending:
        ready = [s for s in pending if all(u in done for u in s.after)]
        if not ready:
            raise RuntimeError("pipeline steps have a cycle")
        for s in ready:
            done.append(s.process)
            pending.remove(s)
    return [STEP_BY_PROCESS[p] for p in done]
