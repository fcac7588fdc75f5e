process ENSEMBLE_CALLS {
    tag "${meta.id}"
    label 'process_low'
    container 'metevo/metevo-variants:0.1.0'

    input:
    // callers[i] is the caller of vcfs[i]; each VCF gets its own folder (vcf/1/, vcf/2/, ...)
    // because callers' files often share a name (somatic.snvs.vcf.gz from two runs).
    // validated: VALIDATE's summary, taken only so that no caller VCF is read before the
    // whole samplesheet has passed validation.
    tuple val(meta), val(callers), path(vcfs, stageAs: 'vcf/*/*', arity: '1..*'), path(validated)
    // reference: [] or the FASTA followed by the index files found beside it (.fai, .gzi)
    path(reference, stageAs: 'reference/*', arity: '0..*')

    output:
    tuple val(meta), path("*.maf"), emit: maf
    tuple val(meta), path("*.callers.tsv"), emit: summary
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def vcf_args = [callers, vcfs].transpose().collect { caller, vcf -> "--vcf ${caller}=${vcf}" }.join(' ')
    def fasta_arg = reference ? "--fasta ${reference[0]}" : ''
    def tumor_arg = meta.tumor_vcf_name ? "--tumor-name ${meta.tumor_vcf_name}" : ''
    def normal_arg = meta.normal_vcf_name ? "--normal-name ${meta.normal_vcf_name}" : ''
    """
    ensemble_calls.py \\
        --sample ${meta.id} \\
        ${vcf_args} \\
        ${fasta_arg} \\
        ${tumor_arg} \\
        ${normal_arg} \\
        ${args} \\
        --out ${prefix}.maf \\
        --summary ${prefix}.callers.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.maf
    touch ${prefix}.callers.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
