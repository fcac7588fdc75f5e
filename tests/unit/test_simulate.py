"""metevo simulate: determinism, structure, and the planted properties measured from its files.

Each test reads the written files (samplesheet, VCFs through pysam and bcftools, truth
tables) and checks them against what the simulator plants, so a bug in a writer or in the
model shows up as a wrong measured value, not as a matching copy of our own output.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from collections import defaultdict
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest

from metevo.cli import main
from metevo.io.samplesheet import read_clinical, read_samplesheet
from metevo.simulate.reference import CODON_TABLE, gene_by_name, reference_base
from metevo.simulate.variants import NON_SYNONYMOUS

CALLERS = ("mutect2", "strelka2", "varscan2")
VEP_TO_CLASS = {
    "missense_variant": "Missense_Mutation", "stop_gained": "Nonsense_Mutation", "synonymous_variant": "Silent",
    "inframe_deletion": "In_Frame_Del", "inframe_insertion": "In_Frame_Ins", "splice_donor_variant": "Splice_Site",
    "splice_acceptor_variant": "Splice_Site", "5_prime_UTR_variant": "5'UTR", "3_prime_UTR_variant": "3'UTR",
    "intron_variant": "Intron",
}


def _digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def cohort_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim") / "cohort"
    assert main(["simulate", "--outdir", str(out), "--seed", "11"]) == 0
    return out


@pytest.fixture(scope="module")
def sheet(cohort_dir):
    return read_samplesheet(cohort_dir / "samplesheet.csv")


@pytest.fixture(scope="module")
def truth(cohort_dir):
    read = lambda name: pd.read_csv(cohort_dir / "truth" / name, sep="\t", dtype={"chrom": str}, keep_default_na=False)  # noqa: E731
    return {name: read(f"{name}.tsv") for name in ("somatic", "germline", "samples", "drivers", "artefacts")}


def _records(path: Path, tumor: str):
    """(key, is_pass, t_depth, t_alt, n_depth, n_alt, annotation) per ALT allele, caller dialect-aware."""
    caller = path.name.split(".")[1]
    with pysam.VariantFile(str(path)) as vf:
        for rec in vf:
            chrom = rec.chrom.removeprefix("chr")
            for i, alt in enumerate(rec.alts):
                if caller == "mutect2":
                    t, n = rec.samples[tumor], rec.samples[vf.header.samples[0] if vf.header.samples[1] == tumor else vf.header.samples[1]]
                    t_alt, t_depth = t["AD"][i + 1], sum(t["AD"])
                    n_alt, n_depth = n["AD"][i + 1], sum(n["AD"])
                    ok = list(rec.filter.keys()) == ["PASS"]
                    ann = rec.info["CSQ"]
                elif caller == "strelka2":
                    t, n = rec.samples["TUMOR"], rec.samples["NORMAL"]
                    if "TIR" in rec.format:
                        t_alt, t_depth = t["TIR"][0], t["TIR"][0] + t["TAR"][0]
                        n_alt, n_depth = n["TIR"][0], n["TIR"][0] + n["TAR"][0]
                    else:
                        t_alt, t_depth = t[f"{alt}U"][0], sum(t[f"{b}U"][0] for b in "ACGT")
                        n_alt, n_depth = n[f"{alt}U"][0], sum(n[f"{b}U"][0] for b in "ACGT")
                    ok = list(rec.filter.keys()) == ["PASS"]
                    ann = rec.info["ANN"]
                else:
                    t, n = rec.samples["TUMOR"], rec.samples["NORMAL"]
                    t_alt, t_depth = t["AD"], t["AD"] + t["RD"]
                    n_alt, n_depth = n["AD"], n["AD"] + n["RD"]
                    ok = list(rec.filter.keys()) == ["PASS"] and rec.info["SS"] == "2"
                    ann = rec.info["CSQ"]
                yield (chrom, rec.pos, rec.ref, alt), ok, t_depth, t_alt, n_depth, n_alt, ann, i


@pytest.fixture(scope="module")
def calls(cohort_dir, sheet):
    """sample -> caller -> key -> (is_pass, t_depth, t_alt, n_depth, n_alt, annotation, allele index)."""
    out: dict = defaultdict(lambda: defaultdict(dict))
    for _, row in sheet.table.iterrows():
        if row["sample_type"] == "normal":
            continue
        for caller in CALLERS:
            for path in sheet.paths(row, f"vcf_{caller}"):
                for key, *values in _records(Path(path), row["sample"]):
                    out[row["sample"]][caller][key] = tuple(values)
    return out


def _passing(calls, sample):
    support = defaultdict(set)
    for caller in CALLERS:
        for key, values in calls[sample][caller].items():
            if values[0]:
                support[key].add(caller)
    return support


def _truth_keys(somatic: pd.DataFrame, sample: str) -> set:
    rows = somatic[somatic["sample"] == sample]
    return set(zip(rows["chrom"], rows["pos"], rows["ref"], rows["alt"]))


# ------------------------------------------------------------------ determinism and the step


def test_same_seed_gives_identical_bytes_and_another_seed_does_not(tmp_path):
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        assert main(["simulate", "--outdir", str(tmp_path / name), "--seed", str(seed), "--patients", "7"]) == 0
    a, b, c = _digest(tmp_path / "a"), _digest(tmp_path / "b"), _digest(tmp_path / "c")
    assert len(a) > 60 and any(k.endswith(".tbi") for k in a)
    assert a == b
    assert a["truth/somatic.tsv"] != c["truth/somatic.tsv"]


def test_refuses_a_non_empty_outdir_unless_forced(tmp_path, capsys):
    out = tmp_path / "cohort"
    out.mkdir()
    (out / "keep.txt").write_text("x")
    assert main(["simulate", "--outdir", str(out), "--seed", "1", "--patients", "2"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not empty" in err and "--force" in err
    assert main(["simulate", "--outdir", str(out), "--seed", "1", "--patients", "2", "--force"]) == 0
    assert not (out / "keep.txt").exists() and (out / "samplesheet.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort"]  # no staging folder left behind


def test_a_failed_run_leaves_no_folder(tmp_path, monkeypatch, capsys):
    import metevo.simulate.write as write

    def broken(cohort, outdir):
        (Path(outdir) / "samplesheet.csv").write_text("half")
        raise OSError("disk full")

    monkeypatch.setattr(write, "write_cohort", broken)
    assert main(["simulate", "--outdir", str(tmp_path / "cohort"), "--seed", "1", "--patients", "2"]) == 1
    assert list(tmp_path.iterdir()) == []
    # missing parent folders are made (like mkdir -p), and removed again when writing fails
    assert main(["simulate", "--outdir", str(tmp_path / "new" / "deeper" / "cohort"), "--seed", "1", "--patients", "2"]) == 1
    assert list(tmp_path.iterdir()) == []
    assert main(["simulate", "--outdir", str(tmp_path / "c"), "--seed", "1", "--patients", "0"]) == 2
    assert "--patients" in capsys.readouterr().err


# ------------------------------------------------------------------ structure


def test_samplesheet_and_clinical_table_validate(cohort_dir, sheet):
    clinical = read_clinical(cohort_dir / "clinical.csv")
    table = sheet.table
    assert len(clinical) == 24 and set(clinical["patient"]) == set(table["patient"])
    for _, row in table.iterrows():
        for column in ("vcf_mutect2", "vcf_strelka2", "vcf_varscan2", "germline_vcf"):
            for path in sheet.paths(row, column):
                assert Path(path).is_file(), path
                assert Path(path + ".tbi").is_file()
    tumors = table[~table["sample_type"].isin(["normal", "cfdna"])]
    assert (tumors["vcf_strelka2"].str.count(";") == 1).all() and (tumors["vcf_varscan2"].str.count(";") == 1).all()
    assert (tumors["tumor_vcf_name"] == "").all()
    assert not any(c.startswith("/") for c in table[["vcf_mutect2", "germline_vcf"]].to_numpy().ravel())


def test_every_patient_has_one_normal_carrying_the_germline_vcf(sheet):
    table = sheet.table
    for patient, rows in table.groupby("patient"):
        normals = rows[rows["sample_type"] == "normal"]
        assert len(normals) == 1, patient
        assert normals["germline_vcf"].iloc[0] == f"germline/{patient}.germline.vcf.gz"
        assert (rows["sample_type"] != "normal").any()


def test_every_kind_of_patient_is_present(sheet):
    table = sheet.table
    kinds = set()
    for _, rows in table.groupby("patient"):
        types = rows["sample_type"].tolist()
        if "primary" in types and "metastasis" in types:
            kinds.add("primary-metastasis")
        if types.count("metastasis") >= 2:
            kinds.add("two metastases")
        if "primary" in types and "recurrence" in types:
            kinds.add("primary-recurrence")
        if "metastasis" in types and "primary" not in types and "recurrence" not in types:
            kinds.add("unpaired metastasis")
        if (rows["region_group"] != "").sum() >= 2 and rows["region_group"].replace("", np.nan).dropna().nunique() == 1:
            kinds.add("multi-region")
        if (rows["replicate_group"] != "").sum() == 2:
            kinds.add("replicate")
    assert kinds == {"primary-metastasis", "two metastases", "primary-recurrence", "unpaired metastasis",
                     "multi-region", "replicate"}


def test_clinical_course_is_consistent_with_the_samples(cohort_dir, sheet):
    clinical = read_clinical(cohort_dir / "clinical.csv").set_index("patient")
    table = sheet.table
    primaries = table[~table["sample_type"].isin(["normal", "cfdna"])].groupby("patient").first()
    hr_pos = (primaries["er_status"] == "positive") | (primaries["pr_status"] == "positive")
    her2_pos = primaries["her2_status"] == "positive"
    assert 0.55 <= hr_pos.mean() <= 0.85 and 0.08 <= her2_pos.mean() <= 0.35
    assert (clinical.loc[clinical["antiestrogen"] == "yes"].index.isin(hr_pos[hr_pos].index)).all()
    assert (clinical.loc[clinical["anti_her2"] == "yes"].index.isin(her2_pos[her2_pos].index)).all()
    # PFS and OS count from the first metastasis or recurrence; every later sample (tumor or
    # plasma) is taken within follow-up
    later = table[table["sample_type"].isin(["metastasis", "recurrence"])]
    first = later.groupby("patient")["collection_time"].min().reindex(clinical.index)
    last = table.groupby("patient")["collection_time"].max().reindex(clinical.index)
    assert (last - first <= clinical["os_time"]).all()
    assert (clinical["pfs_time"] <= clinical["os_time"]).all()
    # every tumor keeps the patient's subtype (PR may be lost; ER and HER2 do not convert)
    subtype = clinical["subtype"].reindex(table["patient"]).to_numpy()
    tumors = ~table["sample_type"].isin(["normal", "cfdna"]).to_numpy()
    her2 = pd.Series(subtype).str.contains("HER2\\+").to_numpy()
    hr = pd.Series(subtype).str.startswith("HR+").to_numpy()
    assert ((table["her2_status"] == "positive").to_numpy() == her2)[tumors].all()
    assert ((table["er_status"] == "positive").to_numpy() == hr)[tumors].all()
    assert (later["collection_time"] > 0).mean() > 0.8
    assert set(table.loc[table["sample_type"] == "metastasis", "site"]) <= {"liver", "bone", "lung", "brain", "lymph_node", "skin"}


def test_samples_truth_matches_the_samplesheet(sheet, truth):
    samples = truth["samples"].set_index("sample")
    table = sheet.table.set_index("sample")
    tumors = table[~table["sample_type"].isin(["normal", "cfdna"])]
    assert np.allclose(samples.loc[tumors.index, "purity"].astype(float), tumors["purity"])
    assert np.allclose(samples.loc[tumors.index, "ploidy"].astype(float), tumors["ploidy"])
    assert (samples.loc[table.index, "sample_type"] == table["sample_type"]).all()
    # plasma: tumor fraction and ploidy are for metevo cfdna to estimate, so the samplesheet leaves them empty
    plasma = table[table["sample_type"] == "cfdna"]
    assert len(plasma) >= 2 and plasma["purity"].isna().all() and (plasma["wig"] != "").all()


# ------------------------------------------------------------------ planted biology, measured


def test_metastases_carry_more_coding_mutations_than_primaries(sheet, calls, truth):
    somatic = truth["somatic"]
    coding = somatic[somatic["variant_classification"].isin(NON_SYNONYMOUS)]
    per_sample = coding.groupby("sample").size()
    types = sheet.table.set_index("sample")["sample_type"]
    primary = per_sample[types.reindex(per_sample.index) == "primary"]
    metastasis = per_sample[types.reindex(per_sample.index) == "metastasis"]
    assert 25 <= primary.min() and primary.max() <= 150 and 45 <= primary.mean() <= 90
    assert metastasis.mean() > 1.4 * primary.mean()
    # The same holds for what the callers report: consensus (>= 2 callers) non-synonymous calls.
    burden = {}
    for sample in per_sample.index:
        support = _passing(calls, sample)
        consensus = [k for k, c in support.items() if len(c) >= 2]
        csq = calls[sample]["mutect2"]
        burden[sample] = sum(
            1 for k in consensus if k in csq and VEP_TO_CLASS.get(csq[k][5][0].split("|")[1], "Frame_Shift") in NON_SYNONYMOUS
        )
    burden = pd.Series(burden)
    assert burden[metastasis.index].mean() > 1.3 * burden[primary.index].mean()


def test_trunk_mutations_are_in_every_tumor_of_the_patient(sheet, calls, truth):
    somatic = truth["somatic"]
    table = sheet.table
    detected = total = 0
    for patient, rows in table[~table["sample_type"].isin(["normal", "cfdna"])].groupby("patient"):
        trunk_sets = []
        for sample in rows["sample"]:
            s = somatic[(somatic["sample"] == sample) & (somatic["origin"] == "trunk")]
            trunk_sets.append(set(zip(s["chrom"], s["pos"], s["ref"], s["alt"])))
            support = _passing(calls, sample)
            well_covered = s[s["t_alt_count"] >= 10]
            total += len(well_covered)
            detected += sum(len(support.get(k, ())) >= 2 for k in zip(well_covered["chrom"], well_covered["pos"],
                                                                        well_covered["ref"], well_covered["alt"]))
        assert len(trunk_sets[0]) >= 10 and all(t == trunk_sets[0] for t in trunk_sets), patient
    assert detected / total > 0.93


def test_vaf_and_reads_follow_purity_ccf_and_copy_number(truth):
    # VAF = p CCF m / (p N + 2 (1 - p)) (algorithms.md 8.1): copy number and multiplicity planted
    somatic, samples = truth["somatic"], truth["samples"].set_index("sample")
    purity = samples.loc[somatic["sample"], "purity"].astype(float).to_numpy()
    n, m = somatic["total_cn"].to_numpy(), somatic["multiplicity"].to_numpy()
    assert np.allclose(somatic["vaf"], purity * somatic["ccf"] * m / (purity * n + 2 * (1 - purity)), atol=1e-6)
    assert ((m >= 1) & (m <= somatic["major_cn"]) & (somatic["major_cn"] >= somatic["minor_cn"])).all()
    assert (somatic["major_cn"] + somatic["minor_cn"] == n).all()
    observed = somatic["t_alt_count"] / somatic["t_depth"]
    assert abs((observed - somatic["vaf"]).mean()) < 0.005
    assert 55 <= somatic["t_depth"].median() <= 210 and somatic["n_depth"].between(5, 250).all()
    assert (somatic.loc[somatic["origin"] == "trunk", "ccf"] == 1).all()
    assert ((somatic["ccf"] == 1) == (somatic["clonal"] == "yes")).all()
    # some clonal mutations sit on gained alleles (m > 1), some in LOH regions, subclonal ones have m = 1
    clonal = somatic[somatic["clonal"] == "yes"]
    assert (clonal["multiplicity"] > 1).mean() > 0.05 and (clonal["minor_cn"] == 0).mean() > 0.03
    assert (somatic.loc[somatic["clonal"] == "no", "multiplicity"] == 1).all()
    # depth follows the local DNA content: gained loci are read more deeply
    ratio = somatic["t_depth"] / samples.loc[somatic["sample"], "mean_depth"].astype(float).to_numpy()
    relative = n / samples.loc[somatic["sample"], "ploidy"].astype(float).to_numpy()
    assert ratio[relative >= 1.6].median() > 1.15 * ratio[np.abs(relative - 1) < 0.15].median()


def test_replicates_share_everything_and_regions_share_most(sheet, calls, truth):
    somatic = truth["somatic"]
    table = sheet.table
    for group, rows in table[table["replicate_group"] != ""].groupby("replicate_group"):
        a, b = rows["sample"].tolist()
        assert _truth_keys(somatic, a) == _truth_keys(somatic, b)
        pa, pb = ({k for k, c in _passing(calls, s).items() if len(c) >= 2} & _truth_keys(somatic, s) for s in (a, b))
        vaf = somatic[somatic["sample"] == a].set_index(["chrom", "pos", "ref", "alt"])["vaf"]
        # Replicates differ by read sampling: discordant consensus calls are low-VAF ones (SNVs;
        # indels are also missed at random by Strelka2 and VarScan2, whatever their VAF).
        discordant = [vaf.loc[k] for k in pa ^ pb]
        snv = [vaf.loc[k] for k in pa ^ pb if len(k[2]) == len(k[3])]
        assert sum(v >= 0.2 for v in snv) <= 2 and len(discordant) < 0.15 * len(pa | pb), group
    for group, rows in table[table["region_group"] != ""].groupby("region_group"):
        keys = [_truth_keys(somatic, s) for s in rows["sample"]]
        for i in range(len(keys)):
            for j in range(i + 1, len(keys)):
                jaccard = len(keys[i] & keys[j]) / len(keys[i] | keys[j])
                # at most about 0.93: a trunk of 75% and a seed of 12% leave regions 13% of their own
                assert 0.4 < jaccard < 0.95, group


def test_esr1_hotspots_of_hr_positive_patients_mostly_in_treated_metastases(cohort_dir, sheet, truth):
    # ESR1 hotspots are planted in 2% of HR+ primaries (truncal) and 35% of the metastases of
    # antiestrogen-treated HR+ patients (a cohort effect: truth/enrichment.tsv); seed 11 has
    # none in a primary.
    somatic = truth["somatic"]
    clinical = read_clinical(cohort_dir / "clinical.csv").set_index("patient")
    types = sheet.table.set_index("sample")
    esr1 = somatic[somatic["driver"] == "ESR1 hotspot"]
    assert len(esr1) >= 1
    assert set(types.loc[esr1["sample"], "sample_type"]) <= {"metastasis", "recurrence"}
    assert clinical.loc[esr1["patient"], "subtype"].str.startswith("HR+").all()
    assert (clinical.loc[esr1["patient"], "antiestrogen"] == "yes").all()
    assert set(esr1["hgvsp_short"]) <= {"p.D538G", "p.Y537S", "p.Y537N", "p.Y537C", "p.L536H", "p.E380Q"}
    # every non-synonymous ESR1 mutation is a planted hotspot (passengers avoid the effect genes)
    coding = somatic[(somatic["gene"] == "ESR1") & somatic["variant_classification"].isin(NON_SYNONYMOUS)]
    assert (coding["driver"] == "ESR1 hotspot").all()
    # PIK3CA hotspots are truncal: in the primary and in its metastases alike.
    pik3ca = somatic[somatic["driver"] == "PIK3CA hotspot"]
    assert (pik3ca["origin"] == "trunk").all() and len(pik3ca) > 0


def test_real_hotspot_bases_are_at_their_hg38_positions(calls):
    # ESR1 D538G: chr6:152098791 A>G, PIK3CA H1047R: chr3:179234297 A>G (cancerhotspots v2).
    assert reference_base("6", 152098791) == "A" and reference_base("3", 179234297) == "A"
    seen = {k for s in calls for c in CALLERS for k in calls[s][c]}
    hotspot_sites = {k[:2] for k in seen} & {("6", 152098791), ("3", 179234297), ("6", 152098788), ("3", 179218303)}
    assert hotspot_sites


# ------------------------------------------------------------------ the callers' dialects


def test_vcfs_are_valid_for_bcftools_and_pysam(cohort_dir, sheet):
    if shutil.which("bcftools") is None:
        pytest.skip("bcftools not installed")
    paths = sorted(cohort_dir.rglob("*.vcf.gz"))
    for path in paths[:: max(1, len(paths) // 25)] + sorted((cohort_dir / "germline").glob("*.vcf.gz"))[:2]:
        result = subprocess.run(["bcftools", "view", "-H", str(path)], capture_output=True, text=True)
        assert result.returncode == 0 and result.stderr == "", (path, result.stderr)
        with pysam.VariantFile(str(path)) as vf:
            assert vf.header.contigs["chr1"].length == 248956422
            assert vf.header.contigs["chrX"].length == 156040895
            last = (-1, 0)
            order = {name: i for i, name in enumerate(vf.header.contigs)}
            for rec in vf:
                here = (order[rec.chrom], rec.pos)
                assert here >= last, path
                last = here


def test_sample_columns_follow_each_callers_convention(cohort_dir, sheet):
    row = sheet.table[sheet.table["sample_type"] == "metastasis"].iloc[0]
    normal = f"{row['patient']}-N"
    with pysam.VariantFile(sheet.paths(row, "vcf_mutect2")[0]) as vf:
        assert set(vf.header.samples) == {row["sample"], normal}
        meta = {r.key: r.value for r in vf.header.records if r.type == "GENERIC"}
        assert meta["tumor_sample"] == row["sample"] and meta["normal_sample"] == normal
    for caller in ("strelka2", "varscan2"):
        for path in sheet.paths(row, f"vcf_{caller}"):
            with pysam.VariantFile(path) as vf:
                assert list(vf.header.samples) == ["NORMAL", "TUMOR"]
    with pysam.VariantFile(str(cohort_dir / "germline" / f"{row['patient']}.germline.vcf.gz")) as vf:
        assert list(vf.header.samples) == [normal]


def test_every_planted_allele_has_the_stand_in_reference_base(calls):
    refs: dict[tuple[str, int], str] = {}
    for sample in calls:
        for caller in CALLERS:
            for chrom, pos, ref, alt in calls[sample][caller]:
                assert ref[0] == reference_base(chrom, pos)
                assert refs.setdefault((chrom, pos), ref[0]) == ref[0]
                if len(ref) > 1 or len(alt) > 1:  # indels keep one anchor base and are left-aligned
                    assert ref[0] == alt[0] and (len(ref) == 1 or len(alt) == 1)
                    changed = ref[1:] or alt[1:]
                    assert changed[-1] != ref[0]


def test_false_positives_are_mostly_specific_to_one_caller(calls, truth):
    somatic = truth["somatic"]
    per_caller = {c: 0 for c in CALLERS}
    shared = total = 0
    for sample in calls:
        true_keys = _truth_keys(somatic, sample)
        for key, callers in _passing(calls, sample).items():
            if key in true_keys:
                continue
            total += 1
            shared += len(callers) >= 2
            for c in callers:
                per_caller[c] += 1
    assert all(n > 0 for n in per_caller.values())
    assert per_caller["varscan2"] > per_caller["mutect2"]
    assert 0 < shared / total < 0.25


def test_germline_leakage_is_removed_by_a_normal_vaf_filter(calls, truth):
    artefacts = truth["artefacts"]
    leaks = artefacts[artefacts["kind"] == "germline_leakage"]
    assert len(leaks) > 5
    for _, a in leaks.iterrows():
        key = (a["chrom"], a["pos"], a["ref"], a["alt"])
        for caller in a["callers"].split(","):
            _, _, _, n_depth, n_alt, _, _ = calls[a["sample"]][caller][key]
            assert n_alt / n_depth > 0.2
    # ...while no planted somatic mutation has a normal VAF anywhere near that.
    somatic = truth["somatic"]
    assert (somatic["n_alt_count"] / somatic["n_depth"]).max() < 0.1


def test_callers_count_reads_slightly_differently(calls, truth):
    somatic = truth["somatic"].set_index(["sample", "chrom", "pos", "ref", "alt"])
    differ = same = 0
    for sample in calls:
        common = set.intersection(*(set(calls[sample][c]) for c in CALLERS))
        for key in common:
            if (sample, *key) not in somatic.index:
                continue
            depths = [calls[sample][c][key][1] for c in CALLERS]
            planted = int(somatic.loc[(sample, *key), "t_depth"])
            # -2: thinning a handful of reads (depth 6 after a loss) may take two; +3: a second ALT's reads
            assert all(0.75 * planted - 2 <= d <= planted + 3 for d in depths)
            differ += len(set(depths)) > 1
            same += len(set(depths)) == 1
    assert differ > 5 * same


def test_varscan_misses_low_vaf_and_strelka_misses_indels(truth):
    somatic = truth["somatic"]
    found = {c: somatic["callers_pass"].str.contains(c) for c in CALLERS}
    low = (somatic["t_alt_count"] / somatic["t_depth"]) < 0.08
    indel = somatic["variant_type"] != "SNP"
    assert found["varscan2"][low].mean() < found["mutect2"][low].mean() - 0.15
    assert found["strelka2"][indel].mean() < found["mutect2"][indel].mean() - 0.05
    high = (somatic["t_alt_count"] >= 15) & ~indel
    assert all(found[c][high].mean() > 0.93 for c in CALLERS)


def test_mutect2_writes_some_multiallelic_records(calls, truth):
    second = truth["artefacts"][truth["artefacts"]["kind"] == "second_allele"]
    assert len(second) >= 1
    for _, a in second.iterrows():
        record = calls[a["sample"]]["mutect2"][(a["chrom"], a["pos"], a["ref"], a["alt"])]
        assert record[6] == 1  # the artefact is the second ALT of its record


def test_annotations_agree_with_the_planted_consequence(calls, truth):
    somatic = truth["somatic"]
    checked = 0
    for _, m in somatic.drop_duplicates(["chrom", "pos", "ref", "alt"]).iterrows():
        key = (m["chrom"], m["pos"], m["ref"], m["alt"])
        record = calls[m["sample"]]["mutect2"].get(key) or calls[m["sample"]]["varscan2"].get(key)
        if record is None:
            continue
        ref, alt = m["ref"], m["alt"]
        vep_allele = alt if len(ref) == len(alt) else (alt[1:] or "-")  # VEP trims the anchor base
        canonical = [e.split("|") for e in record[5] if e.split("|")[15] == "YES" and e.split("|")[0] == vep_allele]
        assert len(canonical) == 1, (key, record[5])
        fields = canonical[0]
        assert fields[3] == m["gene"]
        consequence = fields[1]
        expected = VEP_TO_CLASS.get(consequence) or ("Frame_Shift_Del" if len(m["ref"]) > len(m["alt"]) else "Frame_Shift_Ins")
        assert expected == m["variant_classification"], (key, consequence)
        if len(m["ref"]) == len(m["alt"]) and "/" in fields[14]:
            ref_codon, alt_codon = (c.upper() for c in fields[14].split("/"))
            aas = fields[13].split("/")
            assert CODON_TABLE[ref_codon] == aas[0] and CODON_TABLE[alt_codon] == aas[-1]
            # VEP capitalises the changed base: REF/ALT on the transcript's strand.
            minus = gene_by_name()[m["gene"]].strand == "-"
            to_tx = (lambda b: b.translate(str.maketrans("ACGT", "TGCA"))) if minus else (lambda b: b)  # noqa: E731
            assert [b for b in fields[14].split("/")[0] if b.isupper()] == [to_tx(ref)]
            assert [b for b in fields[14].split("/")[1] if b.isupper()] == [to_tx(alt)]
        checked += 1
    assert checked > 1000


def test_strelka_files_carry_snpeff_annotations(cohort_dir):
    path = next((cohort_dir / "vcf").glob("*.strelka2.snv.vcf.gz"))
    with pysam.VariantFile(str(path)) as vf:
        assert "ANN" in vf.header.info and "CSQ" not in vf.header.info
        rec = next(iter(vf))
        fields = rec.info["ANN"][0].split("|")
        assert fields[0] == rec.alts[0] and fields[2] in ("HIGH", "MODERATE", "LOW", "MODIFIER")


# ------------------------------------------------------------------ germline


def test_germline_carriers_and_clinvar_labels(cohort_dir, truth):
    germline = truth["germline"]
    pathogenic = germline[germline["pathogenic"] == "yes"]
    assert 1 <= pathogenic["patient"].nunique() <= 3  # 5-10% of 24 patients
    assert set(pathogenic["gene"]) <= {"BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2"}
    assert (pathogenic["clinvar"].isin(["Pathogenic", "Likely_pathogenic"])).any()
    unlabelled = pathogenic[pathogenic["clinvar"] == ""]
    assert len(unlabelled) >= 1
    assert unlabelled["classification"].isin(["Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site"]).all()
    hr = germline[germline["gene"].isin(["BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2"]) & (germline["pathogenic"] == "no")]
    assert {"Benign", "Likely_benign", "Uncertain_significance", "Conflicting_interpretations_of_pathogenicity"} <= set(hr["clinvar"])
    assert not (hr["clinvar"].isin(["Pathogenic", "Likely_pathogenic"])).any()
    # A truncating HR-gene variant that is not pathogenic is one ClinVar calls benign (BRCA2
    # K3326*-like; population AF 3%, so about one cohort of 24 patients in four has no carrier,
    # as this one: the pool itself is checked below).
    truncating = hr[hr["classification"].isin(["Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site"])]
    assert (truncating["clinvar"] == "Benign").all() and set(truncating["gene"]) <= {"BRCA2"}
    from metevo.simulate.evolution import Occupancy
    from metevo.simulate.germline import population_pool

    pool = population_pool(np.random.default_rng(11), Occupancy())
    benign = [g for g in pool if g.variant.gene in ("BRCA1", "BRCA2", "PALB2", "ATM", "CHEK2")
              and g.variant.variant_classification in ("Nonsense_Mutation", "Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site")]
    assert len(benign) == 1 and benign[0].clinvar == "Benign" and benign[0].variant.gene == "BRCA2"
    # Common polymorphisms recur across patients (one population of sites).
    assert germline.groupby(["chrom", "pos", "alt"])["patient"].nunique().max() >= 12
    # The VCF says what the truth says.
    for _, g in pathogenic.iterrows():
        with pysam.VariantFile(str(cohort_dir / "germline" / f"{g['patient']}.germline.vcf.gz")) as vf:
            rec = next(r for r in vf.fetch(f"chr{g['chrom']}", g["pos"] - 1, g["pos"]) if r.pos == g["pos"])
            assert rec.samples[0]["GT"] == (0, 1)
            assert (rec.info.get("CLNSIG", ("",))[0]) == g["clinvar"]
