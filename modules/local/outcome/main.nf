process OUTCOME {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-stats:0.1.0'

    input:
    // clinical: the clinical table (outcomes); alterations, pathway_status: ONCOGENIC's tables;
    // enriched: ENRICHMENT's genes gained in metastases; external_*: the external primary
    // cohort (--external_maf, ...), each [] when not given.
    tuple val(meta), path(samplesheet), path(clinical, stageAs: 'clinical/*'), path(alterations, stageAs: 'oncogenic/*'), path(pathway_status, stageAs: 'oncogenic/*'), path(enriched, stageAs: 'enrichment/*'), path(external_maf, stageAs: 'external/maf/*', arity: '0..1'), path(external_samples, stageAs: 'external/samples/*', arity: '0..1'), path(external_clinical, stageAs: 'external/clinical/*', arity: '0..1')

    output:
    tuple val(meta), path("outcome.tsv"), emit: outcome
    tuple val(meta), path("ph_test.tsv"), emit: ph_test
    tuple val(meta), path("summary.tsv"), emit: summary
    tuple val(meta), path("external_outcome.tsv"), emit: external, optional: true
    tuple val(meta), path("*.svg"), emit: figures, optional: true
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def external_args = [
        external_maf ? "--external-maf ${external_maf}" : '',
        external_samples ? "--external-samples ${external_samples}" : '',
        external_clinical ? "--external-clinical ${external_clinical}" : '',
    ].join(' ')
    """
    outcome.py \\
        --clinical ${clinical} \\
        --samplesheet ${samplesheet} \\
        --alterations ${alterations} \\
        --pathway-status ${pathway_status} \\
        --enriched ${enriched} \\
        ${external_args} \\
        ${args} \\
        --outdir .

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def external = external_maf ? 'touch external_outcome.tsv' : ''
    """
    touch outcome.tsv
    touch ph_test.tsv
    touch summary.tsv
    ${external}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
