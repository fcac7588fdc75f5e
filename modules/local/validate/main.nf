process VALIDATE {
    tag "${meta.id}"
    label 'process_single'
    container 'metevo/metevo-variants:0.1.0'

    input:
    // inputs: every file the samplesheet names, each in its own folder so that equal file
    // names from different folders cannot collide (the clinical table too); file_keys[i] lists
    // the samplesheet spellings (resolved path and cell texts) of inputs[i], in the same order.
    // indexes[i] is the index of the BAM inputs[i] (the workflow puts indexed BAMs first): the
    // same folder number, so that it lands beside its BAM, where htslib looks for it.
    tuple val(meta), path(samplesheet), path(clinical, stageAs: 'clinical/*'), val(file_keys), path(inputs, stageAs: 'inputs/f*/*', arity: '0..*'), path(indexes, stageAs: 'inputs/f*/*', arity: '0..*')

    output:
    tuple val(meta), path("inputs.tsv"), emit: summary
    path "versions.yml", topic: versions

    script:
    def args = task.ext.args ?: ''
    def clinical_arg = clinical ? "--clinical ${clinical}" : ''
    // validate reads the staged copies through this map: a task sees the samplesheet in its
    // work folder, so its relative paths no longer lead to the files.
    def file_map = [file_keys, inputs].transpose().collectMany { keys, staged -> keys.collect { key -> "${shellQuote(key)} ${shellQuote(staged)}" } }
    """
    printf '%s\\t%s\\n' original staged ${file_map.join(' ')} > file_map.tsv

    validate.py \\
        --samplesheet ${samplesheet} \\
        ${clinical_arg} \\
        --file-map file_map.tsv \\
        ${args} \\
        --out-summary inputs.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """

    stub:
    """
    touch inputs.tsv

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        metevo: \$(metevo --version | sed 's/^metevo //')
    END_VERSIONS
    """
}

// A single-quoted shell word: paths may hold spaces, quotes or '$'.
def shellQuote(value) {
    return "'" + value.toString().replace("'", "'\\''") + "'"
}
