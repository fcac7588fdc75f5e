process MERGE_MAFS {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-variants:0.1.0'

    input:
    // mafs: every sample's MAF (ENSEMBLE_CALLS and IMPORT_MAF), sorted by name in the
    // workflow so that the command line, and so the task's cache key, is stable.
    tuple val(meta), path(samplesheet), path(mafs, stageAs: 'mafs/*', arity: '0..*')

    output:
    tuple val(meta), path("*.maf"), emit: maf
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def maf_args = mafs.collect { maf -> "--maf ${maf}" }.join(' ')
    """
    merge_mafs.py \\
        --samplesheet ${samplesheet} \\
        ${maf_args} \\
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
