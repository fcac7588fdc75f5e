process ONCOGENIC {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-stats:0.1.0'

    input:
    // maf: the cohort MAF (MERGE_MAFS); cn_samples[i] is the sample of cn_genes[i], the gene
    // tables of COPY_NUMBER (sorted by sample in the workflow; each file in its own folder;
    // [] without shallow-WGS copy number); seg_samples[i] is the sample of cn_segments[i], the
    // segments of CFDNA and IMPORT_SEGMENTS (sorted by sample; [] without), of build genome;
    // clinical: the clinical table or [] (receptor subtypes).
    tuple val(meta), path(samplesheet), path(maf, stageAs: 'maf/*'), path(clinical, stageAs: 'clinical/*', arity: '0..1'), val(cn_samples), path(cn_genes, stageAs: 'cn_genes/*/*', arity: '0..*'), val(seg_samples), path(cn_segments, stageAs: 'cn_segments/*/*', arity: '0..*'), val(genome)

    output:
    tuple val(meta), path("alterations.tsv"), emit: alterations
    tuple val(meta), path("pathway_status.tsv"), emit: status
    tuple val(meta), path("pathway_enrichment.tsv"), emit: enrichment
    tuple val(meta), path("pathway_coalteration.tsv"), emit: coalteration
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def clinical_arg = clinical ? "--clinical ${clinical}" : ''
    def segment_args = [seg_samples, cn_segments].transpose().collect { sample, table -> "--cn-segments ${sample}=${table}" }.join(' ')
    def genome_arg = seg_samples ? "--genome ${genome}" : ''
    def gene_args = [cn_samples, cn_genes].transpose().collect { sample, table -> "--cn-genes ${sample}=${table}" }.join(' ')
    """
    oncogenic.py \\
        --maf ${maf} \\
        --samplesheet ${samplesheet} \\
        ${clinical_arg} \\
        ${gene_args} \\
        ${segment_args} \\
        ${genome_arg} \\
        ${args} \\
        --outdir .

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    """
    touch alterations.tsv
    touch pathway_status.tsv
    touch pathway_enrichment.tsv
    touch pathway_coalteration.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}
