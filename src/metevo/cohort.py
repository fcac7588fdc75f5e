"""Cohort-level tables built from per-sample results."""

from __future__ import annotations

import os

import pandas as pd

from metevo.errors import InputError


def merge_sample_mafs(mafs: list[tuple[str | os.PathLike, pd.DataFrame]], samples: pd.DataFrame) -> pd.DataFrame:
    """Concatenate per-sample MAFs, adding each row's ``patient`` and ``sample_type``.

    Every ``Tumor_Sample_Barcode`` must be a samplesheet sample, and a sample may come from
    one MAF only (two MAFs of one sample would double its mutations).
    """
    info = samples.set_index("sample")[["patient", "sample_type"]]
    source: dict[str, str] = {}
    frames = []
    for path, maf in mafs:
        barcodes = maf["Tumor_Sample_Barcode"]
        unknown = ~barcodes.isin(info.index)
        if unknown.any():
            i = int(unknown.to_numpy().nonzero()[0][0])
            raise InputError(
                f"sample '{barcodes.iat[i]}' is not in the samplesheet",
                file=path, line=int(maf["__line__"].iat[i]) if "__line__" in maf else None, column="Tumor_Sample_Barcode",
            )
        for sample in dict.fromkeys(barcodes):
            if sample in source:
                raise InputError(
                    f"sample '{sample}' already came from {source[sample]}; give each sample's MAF once",
                    file=path, column="Tumor_Sample_Barcode",
                )
            source[sample] = os.fspath(path)
        frame = maf.drop(columns=[c for c in maf.columns if c.startswith("__")])
        frame = frame.assign(
            patient=barcodes.map(info["patient"]).to_numpy(),
            sample_type=barcodes.map(info["sample_type"]).to_numpy(),
        )
        frames.append(frame)
    if not frames:
        from metevo.io.maf import MAF_COLUMNS

        return pd.DataFrame(columns=[*MAF_COLUMNS, "patient", "sample_type"])
    return pd.concat(frames, ignore_index=True)
