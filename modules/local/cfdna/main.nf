process CFDNA {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-copynumber:0.1.0'

    input:
    // wig: the sample's read counts (HMMcopy WIG); gc_wig, map_wig: GC and mappability of the
    // same bins (--cfdna_gc, --cfdna_map); pon: the panel of normals (--cfdna_pon) or [].
    // meta.genome: the build of the bins.
    tuple val(meta), path(wig, stageAs: 'wig/*'), path(gc_wig, stageAs: 'reference/gc/*'), path(map_wig, stageAs: 'reference/map/*'), path(pon, stageAs: 'reference/pon/*', arity: '0..1')

    output:
    tuple val(meta), path("*.params.tsv"), emit: cn_params
    tuple val(meta), path("*.restarts.tsv"), emit: restarts
    tuple val(meta), path("*.segments.tsv"), emit: segments
    tuple val(meta), path("*.bins.tsv"), emit: bins
    tuple val(meta), path("*.profile.svg"), emit: profile
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def pon_arg = pon ? "--pon ${pon}" : ''
    // One BLAS thread: the HMM's small matrix products run several times slower with a
    // multithreaded BLAS on a busy node.
    """
    export OPENBLAS_NUM_THREADS=1

    cfdna.py \\
        --wig ${wig} \\
        --gc ${gc_wig} \\
        --map ${map_wig} \\
        ${pon_arg} \\
        --genome ${meta.genome} \\
        --sample ${meta.id} \\
        ${args} \\
        --out-prefix ${prefix}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.params.tsv
    touch ${prefix}.restarts.tsv
    touch ${prefix}.segments.tsv
    touch ${prefix}.bins.tsv
    touch ${prefix}.profile.svg

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
