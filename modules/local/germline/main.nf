process GERMLINE {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-variants:0.1.0'

    input:
    // meta.id is the patient; meta.vcf_sample names the patient's column in the VCF.
    // validated: VALIDATE's summary, taken only so that nothing is read before the whole
    // samplesheet has passed validation.
    tuple val(meta), path(vcf, stageAs: 'source/*'), path(validated)

    output:
    tuple val(meta), path("*.germline.tsv"), emit: tsv
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def sample_arg = meta.vcf_sample ? "--sample-name ${meta.vcf_sample}" : ''
    """
    germline.py \\
        --patient ${meta.id} \\
        --vcf ${vcf} \\
        ${sample_arg} \\
        ${args} \\
        --out ${prefix}.germline.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.germline.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
