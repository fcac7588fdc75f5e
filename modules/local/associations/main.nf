process ASSOCIATIONS {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-stats:0.1.0'

    input:
    // alterations: ONCOGENIC's table; clinical: the clinical table or []; features: the HRD
    // tables (per-sample numeric features; sorted by sample in the workflow, [] without).
    tuple val(meta), path(samplesheet), path(alterations, stageAs: 'oncogenic/*'), path(clinical, stageAs: 'clinical/*', arity: '0..1'), path(features, stageAs: 'features/*/*', arity: '0..*')

    output:
    tuple val(meta), path("interactions.tsv"), emit: interactions
    tuple val(meta), path("clinical_associations.tsv"), emit: clinical
    tuple val(meta), path("continuous_by_group.tsv"), emit: continuous
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def clinical_arg = clinical ? "--clinical ${clinical}" : ''
    def feature_args = features.collect { table -> "--features ${table}" }.join(' ')
    """
    associations.py \\
        --alterations ${alterations} \\
        --samplesheet ${samplesheet} \\
        ${clinical_arg} \\
        ${feature_args} \\
        ${args} \\
        --outdir .

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    """
    touch interactions.tsv
    touch clinical_associations.tsv
    touch continuous_by_group.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
