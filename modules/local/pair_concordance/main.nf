process PAIR_CONCORDANCE {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-stats:0.1.0'

    input:
    tuple val(meta), path(samplesheet), path(maf)

    output:
    tuple val(meta), path("pairs.tsv"), emit: pairs
    tuple val(meta), path("burden.tsv"), emit: burden
    tuple val(meta), path("tests.tsv"), emit: tests
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    """
    pair_concordance.py \\
        --samplesheet ${samplesheet} \\
        --maf ${maf} \\
        ${args} \\
        --outdir .

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    """
    touch pairs.tsv
    touch burden.tsv
    touch tests.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
