process PAIR_CONCORDANCE {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-stats:0.1.0'

    input:
    // maf: the cohort MAF. cn_samples[i] is the sample of segments[i] (every sample with copy
    // number, sorted by sample in the workflow; each file in its own folder); hrd: the HRD
    // tables. Without copy number both are [] and only mutations are compared.
    tuple val(meta), path(samplesheet), path(maf), val(cn_samples), path(segments, stageAs: 'segments/*/*', arity: '0..*'), path(hrd, stageAs: 'hrd/*/*', arity: '0..*')

    output:
    tuple val(meta), path("pairs.tsv"), emit: pairs
    tuple val(meta), path("burden.tsv"), emit: burden
    tuple val(meta), path("tests.tsv"), emit: tests
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def segment_args = [cn_samples, segments].transpose().collect { sample, table -> "--segments ${sample}=${table}" }.join(' ')
    def hrd_args = hrd.collect { table -> "--hrd ${table}" }.join(' ')
    """
    pair_concordance.py \\
        --samplesheet ${samplesheet} \\
        --maf ${maf} \\
        ${segment_args} \\
        ${hrd_args} \\
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
