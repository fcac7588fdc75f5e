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
 */

include { VALIDATE         } from '../modules/local/validate'
include { ENSEMBLE_CALLS   } from '../modules/local/ensemble_calls'
include { IMPORT_MAF       } from '../modules/local/import_maf'
include { GERMLINE         } from '../modules/local/germline'
include { MERGE_MAFS       } from '../modules/local/merge_mafs'
include { PAIR_CONCORDANCE } from '../modules/local/pair_concordance'
include { REPORT           } from '../modules/local/report'

workflow METEVO {
    take:
    samplesheet // path: the samplesheet CSV; relative paths in it resolve against its folder
    clinical    // path, or [] without a clinical table
    rows        // channel: samplesheetToList rows, [meta, vcf_mutect2, ..., germline_vcf]
    reference   // list: [] or [fasta, its index files]

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
        .map { keys, files -> [[id: 'cohort'], samplesheet, clinical, keys, files] }
    VALIDATE(ch_validate_in)
    // Every step that reads samplesheet files waits for the validated summary.
    ch_validated = VALIDATE.out.summary.map { _meta, summary -> summary }

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

    PAIR_CONCORDANCE(MERGE_MAFS.out.maf.map { meta, maf -> [meta, samplesheet, maf] })

    // A cohort without germline VCFs gives REPORT an empty list: GERMLINE ran zero times.
    ch_germline_tables = GERMLINE.out.tsv
        .map { _meta, table -> table }
        .toSortedList { a, b -> a.name <=> b.name }
    ch_concordance = PAIR_CONCORDANCE.out.pairs
        .join(PAIR_CONCORDANCE.out.burden)
        .join(PAIR_CONCORDANCE.out.tests)
        .map { _meta, pairs, burden, tests -> [pairs, burden, tests] }
    ch_report_in = VALIDATE.out.summary
        .map { meta, summary -> [meta, samplesheet, summary] }
        .combine(MERGE_MAFS.out.maf.map { _meta, maf -> maf })
        // wrapped so that combine keeps the tables as one list element
        .combine(ch_germline_tables.map { tables -> [tables] })
        .combine(ch_concordance)
    REPORT(ch_report_in)

    emit:
    summary     = VALIDATE.out.summary
    sample_mafs = ENSEMBLE_CALLS.out.maf.mix(IMPORT_MAF.out.maf)
    cohort_maf  = MERGE_MAFS.out.maf
    germline    = GERMLINE.out.tsv
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
    refs.addAll(maf)
    refs.addAll(germline)
    return [
        meta           : meta,
        vcfs           : vcfs,
        maf            : maf ? maf[0][1] : null,
        maf_sample     : cells.maf_sample,
        germline       : germline ? germline[0][1] : null,
        tumor_vcf_name : cells.tumor_vcf_name,
        normal_vcf_name: cells.normal_vcf_name,
        refs           : refs,
    ]
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
 * [[cell text, path], ...] -> [keys, files]: each file once, sorted by its resolved path;
 * keys[i] = the resolved path of files[i] and every cell text that names it.
 */
def filesToValidate(refs) {
    def byPath = refs.groupBy { ref -> ref[1].toUriString() }
    def ordered = byPath.keySet().sort()
    def keys = ordered.collect { resolved -> ([resolved] + byPath[resolved].collect { ref -> ref[0] }).unique() }
    def files = ordered.collect { resolved -> byPath[resolved][0][1] }
    return [keys, files]
}
