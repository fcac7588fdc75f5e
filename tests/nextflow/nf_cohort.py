"""A two-patient cohort built from the committed multi-caller VCFs, and the upstream steps run
on it, for the process contract tests and the container-requirements tests.

P1: a normal with a germline VCF (a ClinVar-pathogenic BRCA2 frameshift, a benign BRCA1
variant), a primary with seven paired caller VCFs (Strelka2 as an SNV;indel pair; LoFreq's
VCFs are left out: they have no sample columns, which `ensemble-calls --tumor-name` rejects)
and a metastasis with the three tumor-only caller VCFs.
P2: a normal, and a primary and a metastasis whose calls come from one MAF.

Paths in the samplesheet are relative to its folder, as users write them.
"""

from __future__ import annotations

import gzip
import os
import shutil
import subprocess
import sys
from functools import cached_property
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VCFS = REPO / "tests" / "data" / "multicaller_vcfs"

PAIRED = {
    "mutect2": ["MuTect2.vcf.gz"],
    "strelka2": ["Strelka.snv.vcf.gz", "Strelka.indel.vcf.gz"],
    "vardict": ["VarDict.vcf.gz"],
    "muse": ["MuSE.vcf.gz"],
    "somaticsniper": ["SomaticSniper.vcf.gz"],
    "scalpel": ["Scalpel.vcf.gz"],
}
TUMOR_ONLY = {"mutect2": ["MuTect2.vcf.gz"], "strelka2": ["Strelka.vcf.gz"], "vardict": ["VarDict.vcf.gz"]}
CALLERS = ("mutect2", "strelka2", "varscan2", "muse", "vardict", "somaticsniper", "lofreq", "scalpel")

COLUMNS = ["patient", "sample", "sample_type", "collection_time", "site"] + [f"vcf_{c}" for c in CALLERS] + [
    "tumor_vcf_name", "normal_vcf_name", "maf", "maf_sample", "germline_vcf",
]

GERMLINE_VCF = """\
##fileformat=VCFv4.2
##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from Ensembl VEP. Format: Allele|Consequence|IMPACT|SYMBOL|Gene|Feature_type|Feature|BIOTYPE|EXON|INTRON|HGVSc|HGVSp|CANONICAL">
##INFO=<ID=CLNSIG,Number=.,Type=String,Description="ClinVar clinical significance">
##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">
##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allelic depths">
##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">
#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tP1-N
13\t32340300\t.\tGT\tG\t50\tPASS\tCSQ=-|frameshift_variant|HIGH|BRCA2|ENSG00000139618|Transcript|ENST00000380152|protein_coding|11/27||ENST00000380152.8:c.3545del|ENSP00000369497.3:p.Phe1182SerfsTer2|YES;CLNSIG=Pathogenic\tGT:AD:DP\t0/1:20,18:38
17\t43045712\t.\tC\tT\t50\tPASS\tCSQ=T|synonymous_variant|LOW|BRCA1|ENSG00000012048|Transcript|ENST00000357654|protein_coding|10/23||ENST00000357654.9:c.3548A>G|ENSP00000350283.3:p.Lys1183%3D|YES;CLNSIG=Benign\tGT:AD:DP\t0/1:22,19:41
"""

MAF_COLUMNS = [
    "Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Strand", "Variant_Classification",
    "Variant_Type", "Reference_Allele", "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "Tumor_Sample_Barcode",
    "Matched_Norm_Sample_Barcode", "t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count", "n_alt_count",
]


def _snvs_of(vcf: Path, n: int) -> list[tuple[str, int, str, str]]:
    """The first ``n`` PASS SNVs of a VCF: real sites of the tiny reference."""
    found = []
    with gzip.open(vcf, "rt") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            f = line.split("\t")
            if f[6] == "PASS" and len(f[3]) == 1 and len(f[4]) == 1:
                found.append((f[0], int(f[1]), f[3], f[4]))
                if len(found) == n:
                    break
    return found


def write_maf(path: Path) -> None:
    """A GDC-style MAF holding P2-T (8 SNVs) and P2-M (the last 5 of them and 3 of its own)."""
    sites = _snvs_of(VCFS / "tumor_only" / "MuTect2.vcf.gz", 11)
    rows = [("P2-T", s) for s in sites[:8]] + [("P2-M", s) for s in sites[3:]]
    lines = ["#version 2.4", "\t".join(MAF_COLUMNS)]
    for barcode, (chrom, pos, ref, alt) in rows:
        lines.append("\t".join(map(str, [
            "Unknown", chrom, pos, pos, "+", "Missense_Mutation", "SNP", ref, ref, alt, barcode, "P2-N",
            60, 45, 15, 40, 40, 0,
        ])))
    path.write_text("\n".join(lines) + "\n")


class Cohort:
    """The cohort's files under ``root`` and its upstream results under ``root/results``."""

    def __init__(self, root: Path, task_env=None) -> None:
        """``task_env(task) -> environment`` runs each upstream task in its own environment."""
        self.root = root
        self.results = root / "results"
        self.task_env = task_env
        self._build()

    def _build(self) -> None:
        root = self.root
        for folder in ("paired", "tumor_only"):
            (root / "vcfs" / folder).mkdir(parents=True, exist_ok=True)
            for f in (VCFS / folder).iterdir():
                shutil.copy(f, root / "vcfs" / folder / f.name)
        with gzip.open(VCFS / "tiny.fa.gz", "rb") as src, open(root / "tiny.fa", "wb") as dst:
            shutil.copyfileobj(src, dst)
        (root / "germline").mkdir(exist_ok=True)
        (root / "germline" / "P1.vcf").write_text(GERMLINE_VCF)
        (root / "maf").mkdir(exist_ok=True)
        write_maf(root / "maf" / "P2.maf")

        def vcf_cells(folder: str, callers: dict) -> dict:
            return {f"vcf_{c}": ";".join(f"vcfs/{folder}/{n}" for n in names) for c, names in callers.items()}

        rows = [
            {"patient": "P1", "sample": "P1-N", "sample_type": "normal", "germline_vcf": "germline/P1.vcf"},
            {"patient": "P1", "sample": "P1-T", "sample_type": "primary", "collection_time": "0", "site": "breast",
             "tumor_vcf_name": "TUMOR", "normal_vcf_name": "NORMAL", **vcf_cells("paired", PAIRED)},
            {"patient": "P1", "sample": "P1-M", "sample_type": "metastasis", "collection_time": "730", "site": "liver",
             "tumor_vcf_name": "TUMOR", **vcf_cells("tumor_only", TUMOR_ONLY)},
            {"patient": "P2", "sample": "P2-N", "sample_type": "normal"},
            {"patient": "P2", "sample": "P2-T", "sample_type": "primary", "collection_time": "0", "site": "breast",
             "maf": "maf/P2.maf", "maf_sample": "P2-T"},
            {"patient": "P2", "sample": "P2-M", "sample_type": "metastasis", "collection_time": "400", "site": "bone",
             "maf": "maf/P2.maf", "maf_sample": "P2-M"},
        ]
        lines = [",".join(COLUMNS)] + [",".join(r.get(c, "") for c in COLUMNS) for r in rows]
        self.samplesheet.write_text("\n".join(lines) + "\n")
        self.clinical.write_text(
            "patient,chemotherapy,antiestrogen,os_time,os_event,age_at_diagnosis\n"
            "P1,yes,no,1500,1,52\n"
            "P2,no,yes,2100,0,61\n"
        )

    @property
    def samplesheet(self) -> Path:
        return self.root / "samplesheet.csv"

    @property
    def clinical(self) -> Path:
        return self.root / "clinical.csv"

    @cached_property
    def sheet(self):
        from metevo.io.samplesheet import read_samplesheet

        return read_samplesheet(self.samplesheet)

    @property
    def fasta(self) -> Path:
        return self.root / "tiny.fa"

    def vcfs(self, sample: str) -> list[tuple[str, Path]]:
        folder, callers = ("paired", PAIRED) if sample == "P1-T" else ("tumor_only", TUMOR_ONLY)
        return [(c, self.root / "vcfs" / folder / n) for c in CALLERS for n in callers.get(c, [])]

    def data_files(self) -> list[tuple[list[str], Path]]:
        """Every file the samplesheet names, with the cell texts that name it."""
        named: dict[Path, list[str]] = {}
        for sample in ("P1-T", "P1-M"):
            for _, path in self.vcfs(sample):
                named.setdefault(path, []).append(path.relative_to(self.root).as_posix())
        named.setdefault(self.root / "maf" / "P2.maf", []).append("maf/P2.maf")
        named.setdefault(self.root / "germline" / "P1.vcf", []).append("germline/P1.vcf")
        return sorted(((sorted(set(texts)), path) for path, texts in named.items()), key=lambda item: str(item[1]))

    # ---- upstream results: the same command lines as `metevo run` ----------------------

    @cached_property
    def tasks(self) -> dict:
        from metevo.io.samplesheet import read_samplesheet
        from metevo.runner.plan import RunOptions, plan_tasks

        sheet = read_samplesheet(self.samplesheet)
        return {t.id: t for t in plan_tasks(sheet, self.results, RunOptions(**self.run_options()), genome=self.genome)}

    genome: str | None = None  # the build VALIDATE finds (the cohort's inputs show none)

    def run_options(self) -> dict:
        return {"clinical": str(self.clinical), "fasta": str(self.fasta)}

    def run(self, task_id: str) -> subprocess.CompletedProcess:
        """Run one planned task (its upstream tasks first)."""
        task = self.tasks[task_id]
        for dep in task.deps:
            self.result(dep)
        env = self.task_env(task) if self.task_env else dict(os.environ)
        return subprocess.run(
            [str(Path(sys.executable).with_name("metevo")), *task.argv],
            capture_output=True, text=True, cwd=self.root, env=env, timeout=600,
        )

    def result(self, task_id: str) -> list[Path]:
        """The outputs of a planned task, running it (once) if they are not there yet."""
        task = self.tasks[task_id]
        outputs = [Path(p) for p in task.outputs]
        if not all(p.exists() for p in outputs):
            done = self.run(task_id)
            if done.returncode != 0:
                raise AssertionError(f"upstream task {task_id} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")
        return outputs


# ---- a copy-number cohort ---------------------------------------------------------------

CHR21 = 46_709_983  # hg38


class CnCohort(Cohort):
    """One simulated patient (``metevo simulate --seed 5 --patients 1``, hg38) with every kind
    of copy-number input: the primary has a shallow-WGS BAM of chr21 (reads simulated over
    QDNAseq-style bins with a planted gain; BIN_ANNOTATION builds the bins from a chr21 FASTA
    of hg38's length), the metastasis allele-specific segments (IMPORT_SEGMENTS), a plasma
    sample a read-count WIG (CFDNA, with the simulated GC/mappability WIGs and panel of
    normals). Both tumors have MAFs (ensemble-calls of their simulated caller VCFs, made here,
    since the FASTA holds chr21 only), so CLONALITY runs on both; the normal's germline VCF
    gives GERMLINE and BIALLELIC its germline table.
    """

    genome = "hg38"

    def _build(self) -> None:
        import numpy as np

        from metevo.simulate import swgs

        root = self.root
        sim = root / "sim"
        metevo = str(Path(sys.executable).with_name("metevo"))
        subprocess.run([metevo, "simulate", "--outdir", str(sim), "--seed", "5", "--patients", "1"], check=True, capture_output=True)
        import csv

        with open(sim / "samplesheet.csv", newline="") as fh:
            rows = list(csv.DictReader(fh))
        first = {kind: next(r for r in rows if r["sample_type"] in kinds) for kind, kinds in
                 (("normal", ("normal",)), ("primary", ("primary",)), ("metastasis", ("metastasis", "recurrence")), ("cfdna", ("cfdna",)))}
        primary, metastasis, plasma = first["primary"], first["metastasis"], first["cfdna"]
        self.names = {kind: row["sample"] for kind, row in first.items()}
        self.patient = primary["patient"]

        (root / "maf").mkdir()
        for row in (primary, metastasis):
            argv = [metevo, "ensemble-calls", "--sample", row["sample"]]
            for caller in ("mutect2", "strelka2", "varscan2"):
                for cell in row[f"vcf_{caller}"].split(";"):
                    argv += ["--vcf", f"{caller}={sim / cell}"]
            argv += ["--out", str(root / "maf" / f"{row['sample']}.maf")]
            subprocess.run(argv, check=True, capture_output=True)

        # chr21 of hg38's length: random bases, the first 5 Mb N (a p-arm gap)
        rng = np.random.default_rng(21)
        seq = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, CHR21)]
        seq[:5_000_000] = ord("N")
        with open(self.fasta, "wb") as fh:
            fh.write(b">chr21\n")
            data = seq.tobytes()
            for i in range(0, CHR21, 60):
                fh.write(data[i:i + 60] + b"\n")
        ann = swgs.synthetic_annotation({"21": CHR21}, 100_000, seed=3)
        copies = swgs.planted_copies(ann, [swgs.PlantedSegment("21", 20_000_000, 30_000_000, 3)])
        counts = swgs.simulate_counts(swgs.expected_counts(ann, copies, purity=float(primary["purity"]), reads_per_bin=80), seed=4)
        reads = swgs.simulate_reads(ann, counts, [("chr21", CHR21)], seed=5)
        (root / "bam").mkdir()
        swgs.write_bam(root / "bam" / f"{primary['sample']}.bam", reads, [("chr21", CHR21)], seed=6)

        for sub in ("cn", "cfdna", "germline"):
            (root / sub).mkdir()
        shutil.copy(sim / metastasis["segments"], root / "cn" / Path(metastasis["segments"]).name)
        shutil.copy(sim / plasma["wig"], root / "cfdna" / Path(plasma["wig"]).name)
        for name in ("gc_1000kb.wig", "map_1000kb.wig", "pon_1000kb.tsv"):
            shutil.copy(sim / "cfdna" / name, root / "cfdna" / name)
        germline = first["normal"]["germline_vcf"]
        shutil.copy(sim / germline, root / "germline" / Path(germline).name)

        columns = ["patient", "sample", "sample_type", "collection_time", "site", "er_status", "pr_status", "her2_status",
                   "purity", "ploidy", "maf", "bam", "wig", "segments", "germline_vcf"]
        none = {"maf": "", "bam": "", "bins": "", "wig": "", "segments": "", "germline_vcf": ""}
        cells = [
            {**first["normal"], **none, "germline_vcf": f"germline/{Path(germline).name}"},
            {**primary, **none, "maf": f"maf/{primary['sample']}.maf", "bam": f"bam/{primary['sample']}.bam"},
            # no purity: CLONALITY takes the metastasis's from nowhere (imported segments) -> indeterminate
            {**metastasis, **none, "purity": "", "ploidy": "", "maf": f"maf/{metastasis['sample']}.maf",
             "segments": f"cn/{Path(metastasis['segments']).name}"},
            {**plasma, **none, "wig": f"cfdna/{Path(plasma['wig']).name}"},
        ]
        lines = [",".join(columns)] + [",".join(row.get(c, "") or "" for c in columns) for row in cells]
        self.samplesheet.write_text("\n".join(lines) + "\n")
        with open(sim / "clinical.csv", newline="") as fh:
            clinical = [r for r in csv.reader(fh)]
        self.clinical.write_text("\n".join(",".join(r) for r in clinical if r[0] in ("patient", self.patient)) + "\n")

    @property
    def fasta(self) -> Path:
        return self.root / "chr21.fa"

    def run_options(self) -> dict:
        cfdna = self.root / "cfdna"
        external = self.root / "sim" / "external"  # the simulated external primary cohort
        return {"clinical": str(self.clinical), "fasta": str(self.fasta), "cfdna_gc": str(cfdna / "gc_1000kb.wig"),
                "cfdna_map": str(cfdna / "map_1000kb.wig"), "cfdna_pon": str(cfdna / "pon_1000kb.tsv"),
                "external_maf": str(external / "primary.maf"), "external_samples": str(external / "samples.txt"),
                "external_clinical": str(external / "clinical.tsv")}
