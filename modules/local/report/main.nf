process REPORT {
    tag "${meta.id}"
    label 'process_low'
    container 'metevo/metevo-report:0.1.0'

    input:
    // germline: the patients' GERMLINE tables, [] when no patient has a germline VCF.
    tuple val(meta), path(samplesheet), path(summary), path(maf), path(germline, stageAs: 'germline/*', arity: '0..*'), path(pairs), path(burden), path(tests)

    output:
    tuple val(meta), path("*.html"), emit: html
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def prefix = task.ext.prefix ?: 'report'
    def germline_args = germline.collect { table -> "--germline ${table}" }.join(' ')
    """
    report.py \\
        --samplesheet ${samplesheet} \\
        --inputs ${summary} \\
        --maf ${maf} \\
        ${germline_args} \\
        --pairs ${pairs} \\
        --burden ${burden} \\
        --tests ${tests} \\
        ${args} \\
        --out ${prefix}.html

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    def prefix = task.ext.prefix ?: 'report'
    """
    touch ${prefix}.html

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
