process HRD {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-copynumber:0.1.0'

    input:
    // segments: the sample's segments table (COPY_NUMBER, CFDNA or IMPORT_SEGMENTS);
    // meta.genome: their build (centromere positions).
    tuple val(meta), path(segments, stageAs: 'segments/*')

    output:
    tuple val(meta), path("*.hrd.tsv"), emit: tsv
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    hrd.py \\
        --segments ${segments} \\
        --genome ${meta.genome} \\
        --sample ${meta.id} \\
        ${args} \\
        --out ${prefix}.hrd.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.hrd.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
