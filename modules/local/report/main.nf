process REPORT {
    tag "${meta.id}"
    label 'process_low'
    container 'metevo/metevo-report:0.1.0'

    input:
    // germline: the patients' GERMLINE tables, [] when no patient has a germline VCF.
    // Copy number, all [] without it: cn_samples[i] is the sample of segments[i] (every sample
    // with copy number, sorted by sample), param_samples[i] the sample of cn_params[i] (the
    // COPY_NUMBER and CFDNA estimates); the HRD, CLONALITY and BIALLELIC tables; regions: the
    // three TRACKED_REGIONS tables. Cohort collections stage each file in its own folder.
    // oncogenic, associations, enrichment, outcome: every file of those steps ([] when not run).
    tuple val(meta), path(samplesheet), path(summary), path(maf), path(germline, stageAs: 'germline/*', arity: '0..*'), path(pairs), path(burden), path(tests), val(cn_samples), path(segments, stageAs: 'segments/*/*', arity: '0..*'), val(param_samples), path(cn_params, stageAs: 'cn_params/*/*', arity: '0..*'), path(hrd, stageAs: 'hrd/*/*', arity: '0..*'), path(clonality, stageAs: 'clonality/*/*', arity: '0..*'), path(biallelic, stageAs: 'biallelic/*/*', arity: '0..*'), path(regions, stageAs: 'regions/*', arity: '0..*'), path(oncogenic, stageAs: 'oncogenic/*', arity: '0..*'), path(associations, stageAs: 'associations/*', arity: '0..*'), path(enrichment, stageAs: 'enrichment/*', arity: '0..*'), path(outcome, stageAs: 'outcome/*', arity: '0..*')

    output:
    tuple val(meta), path("*.html"), emit: html
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: 'report'
    def germline_args = germline.collect { table -> "--germline ${table}" }.join(' ')
    def segment_args = [cn_samples, segments].transpose().collect { sample, table -> "--segments ${sample}=${table}" }.join(' ')
    def params_args = [param_samples, cn_params].transpose().collect { sample, table -> "--cn-params ${sample}=${table}" }.join(' ')
    def hrd_args = hrd.collect { table -> "--hrd ${table}" }.join(' ')
    def clonality_args = clonality.collect { table -> "--clonality ${table}" }.join(' ')
    def biallelic_args = biallelic.collect { table -> "--biallelic ${table}" }.join(' ')
    def regions_arg = regions ? '--regions-dir regions' : ''
    // the cohort steps' folders: ONCOGENIC, ASSOCIATIONS, ENRICHMENT and OUTCOME ([] when it did not run)
    def cohort_args = [
        oncogenic ? '--oncogenic oncogenic' : '',
        associations ? '--associations associations' : '',
        enrichment ? '--enrichment enrichment' : '',
        outcome ? '--outcome outcome' : '',
    ].join(' ')
    """
    report.py \\
        --samplesheet ${samplesheet} \\
        --inputs ${summary} \\
        --maf ${maf} \\
        ${germline_args} \\
        --pairs ${pairs} \\
        --burden ${burden} \\
        --tests ${tests} \\
        ${segment_args} \\
        ${params_args} \\
        ${hrd_args} \\
        ${clonality_args} \\
        ${biallelic_args} \\
        ${regions_arg} \\
        ${cohort_args} \\
        ${args} \\
        --out ${prefix}.html

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: 'report'
    """
    touch ${prefix}.html

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
