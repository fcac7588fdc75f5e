process CLONALITY {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-copynumber:0.1.0'

    input:
    // maf: the sample's MAF; segments: its segments table. Purity and ploidy: the
    // samplesheet's (meta.purity, meta.ploidy) when it gives a purity, else cn_params, the
    // params table COPY_NUMBER or CFDNA estimated ([] for imported segments: then every
    // mutation is indeterminate).
    tuple val(meta), path(maf, stageAs: 'maf/*'), path(segments, stageAs: 'segments/*'), path(cn_params, stageAs: 'cn_params/*', arity: '0..1')

    output:
    tuple val(meta), path("*.clonality.maf"), emit: maf
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def purity_args = ''
    if (meta.purity != null) {
        purity_args = "--purity ${meta.purity}" + (meta.ploidy != null ? " --ploidy ${meta.ploidy}" : '')
    }
    else if (cn_params) {
        purity_args = "--params ${cn_params}"
    }
    """
    clonality.py \\
        --sample ${meta.id} \\
        --maf ${maf} \\
        --segments ${segments} \\
        ${purity_args} \\
        ${args} \\
        --out ${prefix}.clonality.maf

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.clonality.maf

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
