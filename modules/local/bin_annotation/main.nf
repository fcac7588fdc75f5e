process BIN_ANNOTATION {
    tag "${meta.id}"
    label 'process_low'
    container 'metevo/metevo-copynumber:0.1.0'

    input:
    // meta.genome: the build the FASTA must be (--genome, else the one VALIDATE found).
    // reference: the FASTA followed by the index files found beside it (.fai, .gzi).
    // mappability, blacklist: [] unless --mappability / --blacklist are given.
    tuple val(meta), path(reference, stageAs: 'reference/*', arity: '1..*'), path(mappability, stageAs: 'mappability/*', arity: '0..1'), path(blacklist, stageAs: 'blacklist/*', arity: '0..1')

    output:
    tuple val(meta), path("*.annotation.tsv"), emit: annotation
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: 'bins'
    def mappability_arg = mappability ? "--mappability ${mappability}" : ''
    def blacklist_arg = blacklist ? "--blacklist ${blacklist}" : ''
    """
    bin_annotation.py \\
        --fasta ${reference[0]} \\
        ${args} \\
        --genome ${meta.genome} \\
        ${mappability_arg} \\
        ${blacklist_arg} \\
        --out ${prefix}.annotation.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: 'bins'
    """
    touch ${prefix}.annotation.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
