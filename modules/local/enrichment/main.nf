process ENRICHMENT {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-stats:0.1.0'

    input:
    // maf: the cohort MAF (MERGE_MAFS); clinical: the clinical table or []; external_maf,
    // external_samples, external_clinical: an external primary cohort (--external_maf, ...),
    // each [] when not given.
    tuple val(meta), path(samplesheet), path(maf, stageAs: 'maf/*'), path(clinical, stageAs: 'clinical/*', arity: '0..1'), path(external_maf, stageAs: 'external/maf/*', arity: '0..1'), path(external_samples, stageAs: 'external/samples/*', arity: '0..1'), path(external_clinical, stageAs: 'external/clinical/*', arity: '0..1')

    output:
    tuple val(meta), path("paired.tsv"), emit: paired
    tuple val(meta), path("unpaired.tsv"), emit: unpaired
    tuple val(meta), path("enriched.tsv"), emit: enriched
    tuple val(meta), path("summary.tsv"), emit: summary
    tuple val(meta), path("external*.tsv"), emit: external, optional: true
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def clinical_arg = clinical ? "--clinical ${clinical}" : ''
    def external_args = [
        external_maf ? "--external-maf ${external_maf}" : '',
        external_samples ? "--external-samples ${external_samples}" : '',
        external_clinical ? "--external-clinical ${external_clinical}" : '',
    ].join(' ')
    """
    enrichment.py \\
        --maf ${maf} \\
        --samplesheet ${samplesheet} \\
        ${clinical_arg} \\
        ${external_args} \\
        ${args} \\
        --outdir .

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def external = external_maf ? 'touch external.tsv external_by_subtype.tsv' : ''
    """
    touch paired.tsv
    touch unpaired.tsv
    touch enriched.tsv
    touch summary.tsv
    ${external}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
