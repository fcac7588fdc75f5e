process BIN_COUNTS {
    tag "${meta.id}"
    label 'process_low'
    container 'metevo/metevo-copynumber:0.1.0'

    input:
    // bam_index: the BAM's index found beside it (.bai, .csi; .crai for a CRAM), staged into
    // the same folder so that htslib finds it. annotation: --bin_annotation, else
    // BIN_ANNOTATION's table. validated: VALIDATE's summary, taken only so that no BAM is
    // read before the whole samplesheet has passed validation.
    tuple val(meta), path(bam, stageAs: 'bam/*'), path(bam_index, stageAs: 'bam/*', arity: '0..1'), path(annotation, stageAs: 'annotation/*'), path(validated)

    output:
    tuple val(meta), path("*.counts.tsv"), emit: counts
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    bin_counts.py \\
        --bam ${bam} \\
        --sample ${meta.id} \\
        --annotation ${annotation} \\
        ${args} \\
        --out ${prefix}.counts.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.counts.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
