"""Copy number: segmentation (CBS), shallow-WGS bins (QDNAseq), cfDNA tumor fraction
(ichorCNA-like), HRD scars (scarHRD), LOH and tracked regions. See docs/copynumber-contracts.md."""
