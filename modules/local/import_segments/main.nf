process IMPORT_SEGMENTS {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-copynumber:0.1.0'

    input:
    // segments: another caller's segment file (in its own folder: it may be named like the
    // output). meta.segments_format: the samplesheet's segments_format, if any;
    // meta.genome: the build of the segments.
    tuple val(meta), path(segments, stageAs: 'source/*')

    output:
    tuple val(meta), path("*.segments.tsv"), emit: segments
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def format_arg = meta.segments_format && meta.segments_format != 'auto' ? "--format ${meta.segments_format}" : ''
    """
    import_segments.py \\
        --sample ${meta.id} \\
        --segments ${segments} \\
        ${format_arg} \\
        --genome ${meta.genome} \\
        ${args} \\
        --out ${prefix}.segments.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.segments.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
