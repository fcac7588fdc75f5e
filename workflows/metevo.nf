/*
 * The wiring of metevo's steps. The edges are exactly those of metevo.pipeline.edges()
 * (src/metevo/pipeline.py), which `metevo run` follows too; tests/nextflow/test_dag.py
 * compares the two.
 *
 * Samplesheet routing (the same rules as metevo.runner.plan):
 *   tumor or cfDNA rows with vcf_* cells  -> ENSEMBLE_CALLS (one --vcf caller=path per file)
 *   tumor or cfDNA rows with a maf cell    -> IMPORT_MAF
 *   the first row of a patient naming a germline_vcf -> GERMLINE (one task per patient)
 *   every sample MAF -> MERGE_MAFS -> PAIR_CONCORDANCE; everything -> REPORT
 * Copy number (one source per sample):
 *   a bam cell  -> BIN_COUNTS (bins from --bin_annotation, else BIN_ANNOTATION of --fasta) -> COPY_NUMBER
 *   a bins cell -> COPY_NUMBER;  a wig cell -> CFDNA;  a segments cell -> IMPORT_SEGMENTS
 *   their segments -> HRD (per sample), CLONALITY (samples with a MAF too), BIALLELIC (per
 *   patient), TRACKED_REGIONS, PAIR_CONCORDANCE and REPORT. Cohort lists are sorted by sample.
 */

include { VALIDATE         } from '../modules/local/validate'
include { ENSEMBLE_CALLS   } from '../modules/local/ensemble_calls'
include { IMPORT_MAF       } from '../modules/local/import_maf'
include { GERMLINE         } from '../modules/local/germline'
include { MERGE_MAFS       } from '../modules/local/merge_mafs'
include { BIN_ANNOTATION   } from '../modules/local/bin_annotation'
include { BIN_COUNTS       } from '../modules/local/bin_counts'
include { COPY_NUMBER      } from '../modules/local/copy_number'
include { CFDNA            } from '../modules/local/cfdna'
include { IMPORT_SEGMENTS  } from '../modules/local/import_segments'
include { HRD              } from '../modules/local/hrd'
include { CLONALITY        } from '../modules/local/clonality'
include { BIALLELIC        } from '../modules/local/biallelic'
include { TRACKED_REGIONS  } from '../modules/local/tracked_regions'
include { PAIR_CONCORDANCE } from '../modules/local/pair_concordance'
include { ONCOGENIC        } from '../modules/local/oncogenic'
include { ASSOCIATIONS     } from '../modules/local/associations'
include { ENRICHMENT       } from '../modules/local/enrichment'
include { OUTCOME          } from '../modules/local/outcome'
include { REPORT           } from '../modules/local/report'

workflow METEVO {
    take:
    samplesheet // path: the samplesheet CSV; relative paths in it resolve against its folder
    clinical    // path, or [] without a clinical table
    rows        // channel: samplesheetToList rows, [meta, vcf_mutect2, ..., germline_vcf]
    reference   // list: [] or [fasta, its index files]
    options     // map: genome (or null), the copy-number and external-cohort files (main.nf, runOptions)

    main:
    ch_samples = rows.map { row -> sampleRecord(row, samplesheet.parent) }

    //
    // VALIDATE sees every file the samplesheet names, once each, in a stable order, with the
    // spellings by which the samplesheet refers to it (see modules/local/validate).
    //
    ch_validate_in = ch_samples
        .flatMap { sample -> sample.refs }
        .toList()
        .map { refs -> filesToValidate(refs) }
        .map { keys, files, indexes -> [[id: 'cohort'], samplesheet, clinical, keys, files, indexes] }
    VALIDATE(ch_validate_in)
    // Every step that reads samplesheet files waits for the validated summary.
    ch_validated = VALIDATE.out.summary.map { _meta, summary -> summary }
    // The genome build of the inputs: --genome, else the one build VALIDATE found.
    ch_genome = VALIDATE.out.summary.map { _meta, summary -> options.genome ?: genomeOf(summary) }

    ch_ensemble_in = ch_samples
        .filter { sample -> somaticStep(sample) == 'ENSEMBLE_CALLS' }
        .map { sample -> ensembleInput(sample) }
        .combine(ch_validated)
    ENSEMBLE_CALLS(ch_ensemble_in, reference)

    ch_import_in = ch_samples
        .filter { sample -> somaticStep(sample) == 'IMPORT_MAF' }
        .map { sample -> importInput(sample) }
        .combine(ch_validated)
    IMPORT_MAF(ch_import_in)

    // unique keeps the first row of each patient, in samplesheet order
    ch_germline_in = ch_samples
        .filter { sample -> sample.germline }
        .unique { sample -> sample.meta.patient }
        .map { sample -> germlineInput(sample) }
        .combine(ch_validated)
    GERMLINE(ch_germline_in)

    ch_merge_in = ENSEMBLE_CALLS.out.maf
        .mix(IMPORT_MAF.out.maf)
        .map { _meta, maf -> maf }
        .toSortedList { a, b -> a.name <=> b.name }
        .map { mafs -> [[id: 'cohort'], samplesheet, mafs] }
    MERGE_MAFS(ch_merge_in)

    //
    // Copy number. Each sample's source step gets meta.genome; the steps after them take the
    // build from there.
    //
    ch_cn_rows = ch_samples
        .filter { sample -> copyNumberStep(sample) }
        .combine(ch_genome)
        .map { sample, genome -> sample + [meta: sample.meta + [genome: requireGenome(genome, sample)]] }

    ch_bam_rows = ch_cn_rows.filter { sample -> sample.bam }
    ch_annotation_in = ch_bam_rows
        .filter { _sample -> !options.bin_annotation }
        .first()
        .map { sample -> annotationInput(sample, reference, options) }
    BIN_ANNOTATION(ch_annotation_in)
    ch_annotation = BIN_ANNOTATION.out.annotation
        .map { _meta, annotation -> annotation }
        .mix(ch_bam_rows.filter { _sample -> options.bin_annotation }.first().map { _sample -> options.bin_annotation })
        .first()

    ch_counts_in = ch_bam_rows
        .map { sample -> [sample.meta, sample.bam, sample.bam_index ?: []] }
        .combine(ch_annotation)
        .combine(ch_validated)
    BIN_COUNTS(ch_counts_in)

    ch_copy_number_in = BIN_COUNTS.out.counts
        .combine(ch_annotation)
        .mix(ch_cn_rows.filter { sample -> copyNumberStep(sample) == 'COPY_NUMBER' && !sample.bam }.map { sample -> [sample.meta, sample.bins, []] })
    COPY_NUMBER(ch_copy_number_in)

    ch_cfdna_in = ch_cn_rows
        .filter { sample -> copyNumberStep(sample) == 'CFDNA' }
        .map { sample -> cfdnaInput(sample, options) }
    CFDNA(ch_cfdna_in)

    ch_import_segments_in = ch_cn_rows
        .filter { sample -> copyNumberStep(sample) == 'IMPORT_SEGMENTS' }
        .map { sample -> [sample.meta + [segments_format: sample.segments_format], sample.segments] }
    IMPORT_SEGMENTS(ch_import_segments_in)

    // [meta, segments] of every sample with copy number; [meta, params] of those with estimates
    ch_segments = COPY_NUMBER.out.segments.mix(CFDNA.out.segments, IMPORT_SEGMENTS.out.segments)
    ch_cn_params = COPY_NUMBER.out.cn_params.mix(CFDNA.out.cn_params)

    HRD(ch_segments)

    ch_sample_mafs = ENSEMBLE_CALLS.out.maf.mix(IMPORT_MAF.out.maf)
    ch_clonality_in = ch_segments
        .map { meta, segments -> [meta.id, meta, segments] }
        .join(ch_sample_mafs.map { meta, maf -> [meta.id, maf] })
        .join(ch_cn_params.map { meta, table -> [meta.id, table] }, remainder: true)
        .filter { row -> row[1] != null }
        .map { _id, meta, segments, maf, table -> [meta, maf, segments, table ?: []] }
    CLONALITY(ch_clonality_in)

    ch_biallelic_in = ch_segments
        .map { meta, segments -> [meta.patient, [meta.id, meta.genome, segments]] }
        .groupTuple()
        .join(GERMLINE.out.tsv.map { meta, table -> [meta.id, table] }, remainder: true)
        .filter { row -> row[1] != null }
        .combine(MERGE_MAFS.out.maf.map { _meta, maf -> maf })
        .map { patient, samples, germline, maf -> biallelicInput(patient, samples, germline, maf) }
    BIALLELIC(ch_biallelic_in)

    // Cohort collections, sorted by sample: [[samples], [files]] ([[], []] without copy number)
    ch_segments_all = ch_segments
        .map { meta, segments -> [meta.id, segments, meta.genome] }
        .toSortedList { a, b -> a[0] <=> b[0] }
    ch_params_all = ch_cn_params
        .map { meta, table -> [meta.id, table] }
        .toSortedList { a, b -> a[0] <=> b[0] }
    ch_cfdna_params = CFDNA.out.cn_params
        .map { meta, table -> [meta.id, table] }
        .toSortedList { a, b -> a[0] <=> b[0] }
        .map { entries -> entries.collect { row -> row[1] } }
    ch_hrd_all = HRD.out.tsv
        .map { meta, table -> [meta.id, table] }
        .toSortedList { a, b -> a[0] <=> b[0] }
        .map { entries -> entries.collect { row -> row[1] } }
    ch_clonality_all = CLONALITY.out.maf
        .map { meta, table -> [meta.id, table] }
        .toSortedList { a, b -> a[0] <=> b[0] }
        .map { entries -> entries.collect { row -> row[1] } }
    ch_biallelic_all = BIALLELIC.out.tsv
        .map { meta, table -> [meta.id, table] }
        .toSortedList { a, b -> a[0] <=> b[0] }
        .map { entries -> entries.collect { row -> row[1] } }

    ch_tracked_in = ch_segments_all
        .filter { entries -> entries }
        .combine(ch_cfdna_params.map { tables -> [tables] })
        .map { entries, tables -> [[id: 'cohort', genome: entries[0][2]], samplesheet, entries.collect { row -> row[0] }, entries.collect { row -> row[1] }, tables, options.regions] }
    TRACKED_REGIONS(ch_tracked_in)

    ch_segment_lists = ch_segments_all.map { entries -> [entries.collect { row -> row[0] }, entries.collect { row -> row[1] }] }
    ch_pair_in = MERGE_MAFS.out.maf
        .combine(ch_segment_lists)
        .combine(ch_hrd_all.map { tables -> [tables] })
        .map { meta, maf, samples, segments, hrd -> [meta, samplesheet, maf, samples, segments, hrd] }
    PAIR_CONCORDANCE(ch_pair_in)

    //
    // Cohort comparisons: oncogenic alterations and pathway status (with the gene-level calls
    // of COPY_NUMBER and the segments of CFDNA and IMPORT_SEGMENTS), then co-occurrence and clinical associations (with the HRD scores).
    //
    ch_gene_tables = COPY_NUMBER.out.genes
        .map { meta, table -> [meta.id, table] }
        .toSortedList { a, b -> a[0] <=> b[0] }
        .map { items -> [items.collect { item -> item[0] }, items.collect { item -> item[1] }] }
    ch_segment_tables = CFDNA.out.segments.mix(IMPORT_SEGMENTS.out.segments)
        .map { meta, table -> [meta.id, table, meta.genome] }
        .toSortedList { a, b -> a[0] <=> b[0] }
        .map { items -> [items.collect { item -> item[0] }, items.collect { item -> item[1] }, items ? items[0][2] : ''] }
    ch_oncogenic_in = MERGE_MAFS.out.maf
        .combine(ch_gene_tables)
        .combine(ch_segment_tables)
        .map { meta, maf, samples, tables, seg_samples, segments, genome -> [meta, samplesheet, maf, clinical, samples, tables, seg_samples, segments, genome] }
    ONCOGENIC(ch_oncogenic_in)

    ch_associations_in = ONCOGENIC.out.alterations
        .combine(ch_hrd_all.map { tables -> [tables] })
        .map { meta, alterations, hrd -> [meta, samplesheet, alterations, clinical, hrd] }
    ASSOCIATIONS(ch_associations_in)

    // Genes gained in metastases: paired, against all primaries, against an external cohort
    ch_enrichment_in = MERGE_MAFS.out.maf
        .map { meta, maf -> [meta, samplesheet, maf, clinical, options.external_maf, options.external_samples, options.external_clinical] }
    ENRICHMENT(ch_enrichment_in)

    // Survival by alteration and pathway status: only with a clinical table (the outcomes)
    ch_outcome_in = ONCOGENIC.out.alterations
        .join(ONCOGENIC.out.status)
        .combine(ENRICHMENT.out.enriched.map { _meta, enriched -> enriched })
        .filter { _entry -> clinical }
        .map { meta, alterations, status, enriched -> [meta, samplesheet, clinical, alterations, status, enriched, options.external_maf, options.external_samples, options.external_clinical] }
    OUTCOME(ch_outcome_in)

    // A cohort without germline VCFs gives REPORT an empty list: GERMLINE ran zero times.
    ch_germline_tables = GERMLINE.out.tsv
        .map { _meta, table -> table }
        .toSortedList { a, b -> a.name <=> b.name }
    ch_concordance = PAIR_CONCORDANCE.out.pairs
        .join(PAIR_CONCORDANCE.out.burden)
        .join(PAIR_CONCORDANCE.out.tests)
        .map { _meta, pairs, burden, tests -> [pairs, burden, tests] }
    // TRACKED_REGIONS's three tables, [] when it did not run
    ch_regions = TRACKED_REGIONS.out.status
        .join(TRACKED_REGIONS.out.frequency)
        .join(TRACKED_REGIONS.out.timeline)
        .map { _meta, status, frequency, timeline -> [status, frequency, timeline] }
        .toList()
        .map { found -> found ? found[0] : [] }
    // every file of each cohort step, sorted by name ([] when the step did not run)
    ch_oncogenic_files = ONCOGENIC.out.alterations
        .mix(ONCOGENIC.out.status, ONCOGENIC.out.enrichment, ONCOGENIC.out.coalteration)
        .map { _meta, files -> files }
        .flatten()
        .toSortedList { a, b -> a.name <=> b.name }
    ch_associations_files = ASSOCIATIONS.out.interactions
        .mix(ASSOCIATIONS.out.clinical, ASSOCIATIONS.out.continuous)
        .map { _meta, files -> files }
        .flatten()
        .toSortedList { a, b -> a.name <=> b.name }
    ch_enrichment_files = ENRICHMENT.out.paired
        .mix(ENRICHMENT.out.unpaired, ENRICHMENT.out.enriched, ENRICHMENT.out.summary, ENRICHMENT.out.external)
        .map { _meta, files -> files }
        .flatten()
        .toSortedList { a, b -> a.name <=> b.name }
    ch_outcome_files = OUTCOME.out.outcome
        .mix(OUTCOME.out.ph_test, OUTCOME.out.summary, OUTCOME.out.external, OUTCOME.out.figures)
        .map { _meta, files -> files }
        .flatten()
        .toSortedList { a, b -> a.name <=> b.name }
    ch_report_in = VALIDATE.out.summary
        .map { meta, summary -> [meta, samplesheet, summary] }
        .combine(MERGE_MAFS.out.maf.map { _meta, maf -> maf })
        // wrapped so that combine keeps the tables as one list element
        .combine(ch_germline_tables.map { tables -> [tables] })
        .combine(ch_concordance)
        .combine(ch_segment_lists)
        .combine(ch_params_all.map { entries -> [entries.collect { row -> row[0] }, entries.collect { row -> row[1] }] })
        .combine(ch_hrd_all.map { tables -> [tables] })
        .combine(ch_clonality_all.map { tables -> [tables] })
        .combine(ch_biallelic_all.map { tables -> [tables] })
        .combine(ch_regions.map { tables -> [tables] })
        .combine(ch_oncogenic_files.map { files -> [files] })
        .combine(ch_associations_files.map { files -> [files] })
        .combine(ch_enrichment_files.map { files -> [files] })
        .combine(ch_outcome_files.map { files -> [files] })
    REPORT(ch_report_in)

    emit:
    summary     = VALIDATE.out.summary
    sample_mafs = ENSEMBLE_CALLS.out.maf.mix(IMPORT_MAF.out.maf)
    cohort_maf  = MERGE_MAFS.out.maf
    germline    = GERMLINE.out.tsv
    segments    = ch_segments
    hrd         = HRD.out.tsv
    alterations = ONCOGENIC.out.alterations
    enriched    = ENRICHMENT.out.enriched
    outcome     = OUTCOME.out.outcome
    report      = REPORT.out.html
}

/*
 * Non-meta samplesheet columns in the order samplesheetToList returns them: the order of the
 * non-meta properties of assets/schema_input.json (tests/nextflow/test_config.py checks it).
 */
def samplesheetFields() {
    return [
        'vcf_mutect2', 'vcf_strelka2', 'vcf_varscan2', 'vcf_muse', 'vcf_vardict',
        'vcf_somaticsniper', 'vcf_lofreq', 'vcf_scalpel',
        'tumor_vcf_name', 'normal_vcf_name', 'maf', 'maf_sample',
        'bam', 'bins', 'wig', 'segments', 'segments_format', 'germline_vcf',
    ]
}

/*
 * One path cell -> [[cell text, resolved path], ...]. Several files of one caller are separated
 * by ';'. Relative paths resolve against the samplesheet's folder, as in `metevo run`
 * (metevo.io.samplesheet.Samplesheet.resolve); absolute paths and URIs are taken as they are.
 */
def resolveCell(cell, base) {
    return cell.tokenize(';')
        .collect { text -> text.trim() }
        .findAll { text -> text }
        .collect { text -> [text, text.contains('://') || text.startsWith('/') ? file(text) : base.resolve(text).normalize()] }
}

/*
 * A samplesheet row as a map: the meta map (without empty cells), the caller VCFs as
 * [caller, path] pairs, the MAF and germline VCF, and refs: every path cell as [text, path].
 */
def sampleRecord(row, base) {
    def meta = row[0].findAll { _key, value -> value != null && value != [] && value != '' }
    def cells = [samplesheetFields(), row.drop(1)].transpose().collectEntries { name, value -> [(name): value instanceof CharSequence ? value.toString() : ''] }
    def refs = []
    def vcfs = []
    samplesheetFields().findAll { name -> name.startsWith('vcf_') }.each { name ->
        resolveCell(cells[name], base).each { ref ->
            vcfs << [name.substring(4), ref[1]]
            refs << ref
        }
    }
    def maf = resolveCell(cells.maf, base)
    def germline = resolveCell(cells.germline_vcf, base)
    def cn = ['bam', 'bins', 'wig', 'segments'].collectEntries { name -> [(name): resolveCell(cells[name], base)] }
    refs.addAll(maf)
    refs.addAll(cn.bam)
    refs.addAll(cn.bins)
    refs.addAll(cn.wig)
    refs.addAll(cn.segments)
    refs.addAll(germline)
    def bam = cn.bam ? cn.bam[0][1] : null
    return [
        meta           : meta,
        vcfs           : vcfs,
        maf            : maf ? maf[0][1] : null,
        maf_sample     : cells.maf_sample,
        germline       : germline ? germline[0][1] : null,
        tumor_vcf_name : cells.tumor_vcf_name,
        normal_vcf_name: cells.normal_vcf_name,
        bam            : bam,
        bam_index      : bam ? bamIndex(bam) : null,
        bins           : cn.bins ? cn.bins[0][1] : null,
        wig            : cn.wig ? cn.wig[0][1] : null,
        segments       : cn.segments ? cn.segments[0][1] : null,
        segments_format: cells.segments_format,
        refs           : refs,
    ]
}

/*
 * The index htslib finds for a BAM or CRAM: <file>.bai, <file>.csi, <file>.crai, or the name
 * with its extension replaced (sample.bai); null when there is none (VALIDATE then says so).
 */
def bamIndex(bam) {
    def name = bam.toUriString()
    def stem = name.replaceFirst(/\.(bam|cram)$/, '')
    def candidates = ["${name}.bai", "${name}.csi", "${name}.crai", "${stem}.bai", "${stem}.crai"]
    return candidates.collect { candidate -> file(candidate.toString()) }.find { index -> index.exists() }
}

/*
 * The step that reads a sample's copy number (metevo.runner.plan's rules): a BAM or bin counts
 * go to COPY_NUMBER (a BAM through BIN_COUNTS), a read-count WIG to CFDNA, another caller's
 * segments to IMPORT_SEGMENTS; null without copy-number input.
 */
def copyNumberStep(sample) {
    if (sample.bam || sample.bins) {
        return 'COPY_NUMBER'
    }
    if (sample.wig) {
        return 'CFDNA'
    }
    return sample.segments ? 'IMPORT_SEGMENTS' : null
}

// The genome build copy number needs; an error naming the sample when no input shows it.
def requireGenome(genome, sample) {
    if (!genome) {
        error("sample '${sample.meta.id}' has copy-number input and no input shows the genome build: give --genome hg19 or hg38")
    }
    return genome
}

/*
 * VALIDATE's summary (inputs.tsv) -> the one genome build found across the inputs, or null
 * (metevo.runner.plan.genome_of).
 */
def genomeOf(summary) {
    def lines = summary.readLines()
    def column = lines[0].split('\t', -1).toList().indexOf('genome_build')
    def builds = lines.drop(1)
        .collect { line -> line.split('\t', -1)[column] }
        .findAll { build -> build && build != 'unknown' }
        .unique()
    return builds.size() == 1 ? builds[0] : null
}

// [meta, reference, mappability, blacklist] of the cohort's one BIN_ANNOTATION task
def annotationInput(sample, reference, options) {
    if (!reference) {
        error("sample '${sample.meta.id}' has a BAM: give a bin annotation (--bin_annotation, QDNAseq columns) or a reference FASTA (--fasta) to build one")
    }
    return [[id: 'bins', genome: sample.meta.genome], reference, options.mappability, options.blacklist]
}

// [meta, wig, gc wig, map wig, pon]: the GC and mappability WIGs of the bins are required
def cfdnaInput(sample, options) {
    if (!options.cfdna_gc || !options.cfdna_map) {
        error("sample '${sample.meta.id}' has a read-count WIG: give the GC and mappability WIGs of its bins (--cfdna_gc, --cfdna_map; HMMcopy/ichorCNA format)")
    }
    return [sample.meta, sample.wig, options.cfdna_gc, options.cfdna_map, options.cfdna_pon]
}

// [meta, cohort MAF, the patient's segments sorted by sample, germline table or []]
def biallelicInput(patient, samples, germline, maf) {
    def sorted = samples.sort(false) { a, b -> a[0] <=> b[0] }
    return [[id: patient, genome: sorted[0][1]], maf, sorted.collect { row -> row[2] }, germline ?: []]
}

/*
 * The step that reads a sample's somatic calls: its caller VCFs go to ENSEMBLE_CALLS, else its
 * MAF to IMPORT_MAF; normals (and rows with neither) have none.
 */
def somaticStep(sample) {
    if (sample.meta.sample_type == 'normal') {
        return null
    }
    if (sample.vcfs) {
        return 'ENSEMBLE_CALLS'
    }
    return sample.maf ? 'IMPORT_MAF' : null
}

// [meta, callers, vcfs]: callers[i] made vcfs[i]
def ensembleInput(sample) {
    def meta = sample.meta + [tumor_vcf_name: sample.tumor_vcf_name, normal_vcf_name: sample.normal_vcf_name]
    return [meta, sample.vcfs.collect { vcf -> vcf[0] }, sample.vcfs.collect { vcf -> vcf[1] }]
}

// [meta, maf]
def importInput(sample) {
    return [sample.meta + [maf_sample: sample.maf_sample], sample.maf]
}

// [meta, germline VCF]: one task per patient; vcf_sample is the VCF's column of the patient
def germlineInput(sample) {
    return [[id: sample.meta.patient, vcf_sample: sample.normal_vcf_name ?: sample.meta.id], sample.germline]
}

/*
 * [[cell text, path], ...] -> [keys, files, indexes]: each file once, the BAMs and CRAMs that
 * have an index first, then the rest, each group sorted by resolved path; keys[i] = the
 * resolved path of files[i] and every cell text that names it; indexes[i] = the index of
 * files[i] (so VALIDATE stages each beside its BAM).
 */
def filesToValidate(refs) {
    def byPath = refs.groupBy { ref -> ref[1].toUriString() }
    def indexOf = byPath.collectEntries { resolved, found -> [(resolved): resolved =~ /\.(bam|cram)$/ ? bamIndex(found[0][1]) : null] }
    def sorted = byPath.keySet().sort()
    def ordered = sorted.findAll { resolved -> indexOf[resolved] } + sorted.findAll { resolved -> !indexOf[resolved] }
    def keys = ordered.collect { resolved -> ([resolved] + byPath[resolved].collect { ref -> ref[0] }).unique() }
    def files = ordered.collect { resolved -> byPath[resolved][0][1] }
    def indexes = ordered.findAll { resolved -> indexOf[resolved] }.collect { resolved -> indexOf[resolved] }
    return [keys, files, indexes]
}
