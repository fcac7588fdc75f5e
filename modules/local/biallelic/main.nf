process BIALLELIC {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-copynumber:0.1.0'

    input:
    // meta.id: the patient; meta.genome: the build of the gene coordinates. maf: the cohort MAF
    // (MERGE_MAFS); segments: the segments tables of the patient's samples with copy number,
    // sorted by sample in the workflow, each in its own folder; germline: the patient's
    // GERMLINE table, [] without a germline VCF.
    tuple val(meta), path(maf, stageAs: 'maf/*'), path(segments, stageAs: 'segments/*/*', arity: '1..*'), path(germline, stageAs: 'germline/*', arity: '0..1')

    output:
    tuple val(meta), path("*.biallelic.tsv"), emit: tsv
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: "${meta.id}"
    def segment_paths = segments.collect { table -> "${table}" }.join(' ')
    def germline_arg = germline ? "--germline ${germline}" : ''
    """
    biallelic.py \\
        --patient ${meta.id} \\
        --maf ${maf} \\
        --segments ${segment_paths} \\
        ${germline_arg} \\
        ${args} \\
        --genome ${meta.genome} \\
        --out ${prefix}.biallelic.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.biallelic.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
