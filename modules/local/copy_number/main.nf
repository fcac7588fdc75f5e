process COPY_NUMBER {
    tag "${meta.id}"
    label 'process_low'
    container 'metevo/metevo-copynumber:0.1.0'

    input:
    // bins: the sample's read counts per bin (BIN_COUNTS of its BAM, or the samplesheet's bins
    // cell). annotation: the bin annotation for a BAM's counts, [] for a bins cell.
    // meta.genome: the build of the bins; meta.purity/meta.ploidy: the samplesheet's, if any
    // (without them the step estimates purity and ploidy).
    tuple val(meta), path(bins, stageAs: 'bins/*'), path(annotation, stageAs: 'annotation/*', arity: '0..1')

    output:
    tuple val(meta), path("*.bins.tsv"), emit: bins
    tuple val(meta), path("*.seg"), emit: seg
    tuple val(meta), path("*.segments.tsv"), emit: segments
    tuple val(meta), path("*.genes.tsv"), emit: genes
    tuple val(meta), path("*.params.tsv"), emit: cn_params
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def annotation_arg = annotation ? "--annotation ${annotation}" : ''
    def purity_args = meta.purity != null ? "--purity ${meta.purity}" + (meta.ploidy != null ? " --ploidy ${meta.ploidy}" : '') : ''
    // numba (CBS) caches compiled code next to its source, read-only in a container: give it a
    // task-local folder, seeded from the image's warmed cache (METEVO_NUMBA_CACHE) if any.
    """
    export NUMBA_CACHE_DIR="\$PWD/.numba-cache"
    mkdir -p "\$NUMBA_CACHE_DIR"
    if [ -d "\${METEVO_NUMBA_CACHE:-}" ]; then cp -R "\$METEVO_NUMBA_CACHE"/. "\$NUMBA_CACHE_DIR"/; fi

    copy_number.py \\
        --sample ${meta.id} \\
        --bins ${bins} \\
        --genome ${meta.genome} \\
        ${annotation_arg} \\
        ${purity_args} \\
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
    touch ${prefix}.bins.tsv
    touch ${prefix}.seg
    touch ${prefix}.segments.tsv
    touch ${prefix}.genes.tsv
    touch ${prefix}.params.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
