process IMPORT_MAF {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-variants:0.1.0'

    input:
    // validated: VALIDATE's summary, taken only so that nothing is read before the whole
    // samplesheet has passed validation.
    tuple val(meta), path(maf, stageAs: 'source/*'), path(validated)

    output:
    tuple val(meta), path("*.maf"), emit: maf
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def maf_sample_arg = meta.maf_sample ? "--maf-sample ${meta.maf_sample}" : ''
    """
    import_maf.py \\
        --sample ${meta.id} \\
        --maf ${maf} \\
        ${maf_sample_arg} \\
        ${args} \\
        --out ${prefix}.maf

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.maf

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
