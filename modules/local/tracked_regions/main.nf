process TRACKED_REGIONS {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-copynumber:0.1.0'

    input:
    // samples[i] is the sample of segments[i] (every sample with copy number, sorted by sample
    // in the workflow; each file in its own folder); cfdna_params: CFDNA's params tables
    // (tumor fraction and ploidy of the plasma samples); regions: --regions or [] (metevo's
    // list). meta.genome: the build of the segments.
    tuple val(meta), path(samplesheet), val(samples), path(segments, stageAs: 'segments/*/*', arity: '1..*'), path(cfdna_params, stageAs: 'cfdna_params/*/*', arity: '0..*'), path(regions, stageAs: 'regions/*', arity: '0..1')

    output:
    tuple val(meta), path("region_status.tsv"), emit: status
    tuple val(meta), path("region_frequency.tsv"), emit: frequency
    tuple val(meta), path("cfdna_timeline.tsv"), emit: timeline
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def segment_args = [samples, segments].transpose().collect { sample, table -> "--segments ${sample}=${table}" }.join(' ')
    def params_args = cfdna_params.collect { table -> "--cfdna-params ${table}" }.join(' ')
    def regions_arg = regions ? "--regions ${regions}" : ''
    """
    tracked_regions.py \\
        --samplesheet ${samplesheet} \\
        ${segment_args} \\
        ${params_args} \\
        ${regions_arg} \\
        --genome ${meta.genome} \\
        ${args} \\
        --outdir .

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    """
    touch region_status.tsv
    touch region_frequency.tsv
    touch cfdna_timeline.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
