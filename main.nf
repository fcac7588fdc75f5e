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

    METEVO(samplesheet, clinical, ch_rows, reference, runOptions(params))

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

/*
 * The genome build, the copy-number files and the external primary cohort the workflow
 * needs: each a file (checked to exist), [] for an optional input not given (mappability,
 * blacklist, cfdna_pon, regions, external_*), null for one the workflow asks for when a
 * sample needs it.
 */
def runOptions(params) {
    return [
        genome        : params.genome,
        bin_annotation: existingFile(params.bin_annotation, null),
        mappability   : existingFile(params.mappability, []),
        blacklist     : existingFile(params.blacklist, []),
        cfdna_gc      : existingFile(params.cfdna_gc, null),
        cfdna_map     : existingFile(params.cfdna_map, null),
        cfdna_pon     : existingFile(params.cfdna_pon, []),
        regions       : params.regions ? [file(params.regions, checkIfExists: true)] : [],
        external_maf     : existingFile(params.external_maf, []),
        external_samples : existingFile(params.external_samples, []),
        external_clinical: existingFile(params.external_clinical, []),
    ]
}

// The file a parameter names (which must exist), or the stand-in when it is not given
def existingFile(value, absent) {
    return value ? file(value, checkIfExists: true) : absent
}
