#!/usr/bin/env nextflow
/*
 * metevo: what do metastases and recurrences acquire that their primary tumors did not?
 *
 *   nextflow run . -profile docker --input samplesheet.csv [--clinical clinical.csv] --outdir results
 *
 * docs/nextflow.md explains the profiles (docker, singularity, slurm, awsbatch, test).
 */

include { samplesheetToList; validateParameters } from 'plugin/nf-schema'
include { METEVO                              } from './workflows/metevo'

workflow {
    main:
    validateParameters()

    def samplesheet = file(params.input, checkIfExists: true)
    def clinical = params.clinical ? file(params.clinical, checkIfExists: true) : []
    def reference = params.fasta ? referenceFiles(file(params.fasta, checkIfExists: true)) : []
    ch_rows = channel.fromList(samplesheetToList(params.input, "${projectDir}/assets/schema_input.json"))

    METEVO(samplesheet, clinical, ch_rows, reference)

    // One versions.yml for the run: each process's entry once, in a stable order.
    channel.topic('versions')
        .map { versions -> versions.text }
        .unique()
        .collectFile(name: 'versions.yml', storeDir: "${params.outdir}/pipeline_info", sort: true, newLine: false)
}

/*
 * The FASTA followed by the index files found beside it, so that tasks get them staged
 * together (pysam reads <fasta>.fai, and <fasta>.gzi for bgzip-compressed FASTA).
 */
def referenceFiles(fasta) {
    def indexes = ['.fai', '.gzi']
        .collect { suffix -> file("${fasta.toUriString()}${suffix}") }
        .findAll { index -> index.exists() }
    return [fasta] + indexes
}
