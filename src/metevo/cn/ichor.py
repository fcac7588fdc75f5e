"""Tumor fraction, ploidy and copy-number states from ultra-low-pass cfDNA (ichorCNA).

A port of ichorCNA (Adalsteinsson, Ha et al. 2017, *Scalable whole-exome sequencing of
cell-free DNA reveals high concordance with metastatic tumors*, Nat Commun 8:1324;
broadinstitute/ichorCNA R/utils.R, R/EM.R, R/segmentation.R, scripts/runIchorCNA.R).

Preparation (:func:`prepare_bins`)
    read counts, GC and mappability joined on common bins of chromosomes 1..22, X (Y kept
    for the sex check only); bins overlapping a centromere widened by ``flank`` bp removed;
    HMMcopy GC/mappability correction (:mod:`metevo.cn.gc_correction`) on chromosomes
    1..22; bins with mappability below ``min_map_score`` removed; sex from the chrX median
    log2 ratio and the fraction of reads on chrY; a male's chrX shifted by its median; then
    the panel-of-normals median subtracted on exactly matching bins.

Model (:func:`run_em`)
    an HMM over the natural-log ratio with Student-t emissions (nu = 2.1). Clonal states have
    copy number c = 1..max_cn (0 with ``include_homd``), optional subclonal states
    ``subclonal_states``. With normal fraction n, the fraction s of tumour cells without a
    subclonal event, and tumour ploidy phi, state means are
    ``log(((1-n)c + 2n) / ((1-n)phi + 2n))`` (clonal) and
    ``log(((1-n)(1-s)c + (1-n)2s + 2n) / ((1-n)phi + 2n))`` (subclonal). Priors: n, s ~
    Beta(2, 2); phi ~ Gamma(4, rate 1.5); precisions ~ Gamma(3, rate (sd/sqrt(K))^2); initial
    states ~ Dirichlet(200, ..., 800 for the unaltered state); transition rows ~
    Dirichlet(strength x prior matrix). MAP-EM: forward-backward per chromosome on
    chromosomes 1..22, then transitions and initial distribution in closed form and n, s,
    phi, precisions by L-BFGS-B (scipy), in that order, each given the others' newest values.
    Stops when the relative change of the log posterior is below 1e-3, or reverts a step that
    lowers it and stops.

Solutions (:func:`fit`)
    one EM run per (normal restart, ploidy restart), skipping n0 = 0.95 with phi0 != 2;
    Viterbi states on chromosomes 1..22, X; integer copy number corrected from the log ratio
    for high-level gains (ichorCNA ``correctIntegerCN``); a solution whose largest altered
    segment has at most ``min_segment_bins`` bins and whose altered fraction is at most
    ``alt_frac_threshold`` gets tumour fraction 0. The solution with the largest log
    posterior (less ``non_diploid_penalty`` for non-diploid restarts, :func:`score`) is
    chosen; with subclonal states, only among solutions with at most
    ``max_frac_cna_subclone`` of altered bins and ``max_frac_genome_subclone`` of all bins
    subclonal (any solution if none qualifies).

Deviations from ichorCNA:

* The 800 pseudo-counts of the initial-state prior go to the clonal state whose copy number
  is the restart's ploidy (copy number 2 in ploidy-2 restarts, as in ichorCNA; 3 in ploidy-3
  restarts). ichorCNA gives them to copy number 2 in every restart, which costs a triploid
  solution ~450-500 log units of prior at 1 Mb (most of its genome sits in state 3), more than
  the data can give back: ichorCNA then reports ploidy 2 for triploid tumours even when the
  triploid fit is better by hundreds of log units (docs/cfdna.md has the numbers). Instead,
  non-diploid solutions pay a fixed ``non_diploid_penalty`` (10 log units) at selection.
* No subclonal states by default: a diploid solution with subclonal states 1 and 3 places
  them at the levels of a triploid genome's 2 and 4 copies (at a different tumour fraction),
  so ploidy is not identifiable with them. ``subclonal_states=(1, 3)`` restores ichorCNA's
  cfDNA configuration.
* M-step optimisations use analytic gradients (R's ``optim`` differentiates numerically) and
  drop the terms that do not depend on the optimised parameter (constants for L-BFGS-B).
* Without subclonal states the subclonal fraction is not estimated (R optimises it against
  its prior alone, with no effect on the fit).
* When the log posterior decreases, every parameter of the previous iteration is restored;
  R keeps the new transition matrix and emissions for Viterbi.
* The HMM, the no-tumour rule and the subclonal fractions use valid bins only (R keeps bins
  with a missing ratio in the chain with emission 1 and counts them).
* Log posteriors are compared unrounded (R rounds to 4 significant digits, so near-ties go to
  the first restart there).
* Centromeres are :func:`metevo.cn.reference.centromeres` (for hg19 the UCSC acen bands,
  wider than ichorCNA's gap table, so a few more pericentromeric bins are left out).
* GC loess is exact rather than kd-tree interpolated, and any subsampling is seeded (see
  :mod:`metevo.cn.gc_correction`).
* The initial-state prior is 200 for non-diploid states as in ichorCNA's code (75 + 125 for
  states whose copy number agrees across samples, i.e. every state of a single sample);
  algorithms.md 2.3 reads it as 75.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from scipy.special import betaln, gammaln

from metevo.cn import hmm
from metevo.cn.gc_correction import correct_read_counts

AUTOSOMES = tuple(str(i) for i in range(1, 23))
ANALYSED = AUTOSOMES + ("X",)
EVENTS = ("HOMD", "HETD", "NEUT", "GAIN", "AMP", "HLAMP")
# ichorCNA event -> metevo call (docs/copynumber-contracts.md: amplification from c >= 5)
EVENT_CALL = {"HOMD": "deletion", "HETD": "loss", "NEUT": "neutral", "GAIN": "gain", "AMP": "gain", "HLAMP": "amplification"}


@dataclass(frozen=True)
class Settings:
    """ichorCNA parameters; defaults are its recommended cfDNA settings (README, snakemake
    config.yaml): maxCN 5, subclonal states 1 and 3, txnE 0.9999, txnStrength 1e4, normal
    restarts 0.5..0.95, ploidy restarts 2 and 3, 1 Mb bins."""

    max_cn: int = 5
    subclonal_states: tuple[int, ...] = ()  # ichorCNA cfDNA config: (1, 3); see docs/cfdna.md
    include_homd: bool = False
    normal_restarts: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
    ploidy_restarts: tuple[float, ...] = (2.0, 3.0)
    txn_e: float = 0.9999
    txn_strength: float = 10000.0
    nu: float = 2.1
    lambda_scale: float = 3.0  # lambdaScaleHyperParam: shape of the precision prior
    sp_0: float = 0.01  # not-prevalent fraction at the start (getDefaultParameters)
    max_iter: int = 50
    convergence: float = 1e-3
    max_frac_genome_subclone: float = 0.5
    max_frac_cna_subclone: float = 0.7
    min_segment_bins: int = 50
    alt_frac_threshold: float = 0.05
    min_purity_to_correct: float = 0.1
    # log units a solution from a ploidy restart other than 2 must gain to be chosen (see select)
    non_diploid_penalty: float = 10.0
    min_map_score: float = 0.9
    centromere_flank: int = 100_000
    chrx_median_for_male: float = -0.1
    chry_fraction_for_male: float = 0.001
    sex: str | None = None  # 'male'/'female' overrides the estimate


# --------------------------------------------------------------------------- preparation


def centromeres(genome: str) -> pd.DataFrame:
    """Centromere intervals ``chrom start end`` of ``genome`` (:func:`metevo.cn.reference.centromeres`,
    the table the HRD scores use). For hg38 these are the values ichorCNA ships; for hg19 they
    are the UCSC ``acen`` bands, wider than ichorCNA's gap table (chr1 121.5-128.9 Mb instead
    of 121.5-124.5 Mb), so a few more pericentromeric bins are left out."""
    from metevo.cn.reference import centromeres as shipped

    return shipped(genome)


def centromere_mask(chrom: np.ndarray, start: np.ndarray, end: np.ndarray, table: pd.DataFrame, flank: int) -> np.ndarray:
    """True for bins overlapping a centromere widened by ``flank`` bp on each side."""
    mask = np.zeros(len(chrom), dtype=bool)
    for row in table.itertuples(index=False):
        on = chrom == row.chrom
        mask |= on & (start <= row.end + flank) & (end >= row.start - flank)
    return mask


@dataclass
class Sex:
    sex: str  # 'male', 'female' or 'unknown'
    chrx_median: float  # median corrected log2 ratio of chrX (before normalisation)
    chry_fraction: float  # reads on chrY (centromere removed) / all reads of the sample
    estimated: str  # what the data said, before any override


def estimate_sex(bins: pd.DataFrame, total_reads: float, settings: Settings) -> Sex:
    """ichorCNA ``getGender``: male iff the chrX median log2 ratio is below -0.1 and at least
    0.1% of reads fall on chrY (chrY is consulted only when the WIG has it)."""
    on_x = bins["chrom"].to_numpy() == "X"
    if on_x.sum() <= 1:
        estimated, x_median, y_fraction = "unknown", math.nan, math.nan
    else:
        x_median = float(np.nanmedian(bins.loc[on_x, "log2"])) if np.isfinite(bins.loc[on_x, "log2"]).any() else math.nan
        on_y = bins["chrom"].to_numpy() == "Y"
        y_fraction = float(bins.loc[on_y, "reads"].sum() / total_reads) if on_y.any() and total_reads > 0 else math.nan
        if np.isfinite(x_median) and x_median < settings.chrx_median_for_male:
            estimated = "female" if (np.isfinite(y_fraction) and y_fraction < settings.chry_fraction_for_male) else "male"
        else:
            estimated = "female"
    sex = settings.sex or estimated
    return Sex(sex, x_median, y_fraction, estimated)


def prepare_bins(
    counts: pd.DataFrame,
    gc: pd.DataFrame,
    mappability: pd.DataFrame | None,
    *,
    genome: str,
    panel: pd.DataFrame | None = None,
    settings: Settings = Settings(),
    seed: int = 0,
    centromere_table: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, Sex, dict]:
    """Corrected, normalised log2 ratios per bin (ichorCNA ``loadReadCountsFromWig`` +
    ``normalizeByPanelOrMatchedNormal``).

    ``counts``, ``gc``, ``mappability`` are bin tables ``chrom start end value`` (as
    :func:`metevo.io.wig.read_wig` returns); ``panel`` has ``chrom start end Median`` (log2).
    Returns every bin of chromosomes 1..22, X, Y that all inputs share, in genome order, with
    columns ``chrom start end reads gc map centromere valid ideal cor_gc cor_map log2
    pon_median use``: ``use`` marks the bins the HMM sees (chromosomes 1..22, X; outside
    centromeres; mappability >= ``min_map_score``; reads > 0, known GC and a finite ratio).
    Also returns the sex call and a dict of bin counts for the record.
    """
    keys = ["chrom", "start", "end"]
    table = counts.loc[:, keys + ["value"]].rename(columns={"value": "reads"})
    table = table[table["chrom"].isin(ANALYSED + ("Y",))]
    table = table.merge(gc.loc[:, keys + ["value"]].rename(columns={"value": "gc"}), on=keys, how="inner")
    if mappability is not None:
        table = table.merge(mappability.loc[:, keys + ["value"]].rename(columns={"value": "map"}), on=keys, how="inner")
    else:
        table["map"] = np.nan
    order = {c: i for i, c in enumerate(ANALYSED + ("Y",))}
    table = table.assign(_rank=table["chrom"].map(order)).sort_values(["_rank", "start"], kind="mergesort").drop(columns="_rank").reset_index(drop=True)
    chrom = table["chrom"].to_numpy()
    cen = centromere_table if centromere_table is not None else centromeres(genome)
    table["centromere"] = centromere_mask(chrom, table["start"].to_numpy(), table["end"].to_numpy(), cen, settings.centromere_flank)
    for name in ("valid", "ideal"):
        table[name] = False
    for name in ("cor_gc", "cor_map", "log2", "pon_median"):
        table[name] = np.nan
    # the correction sees the bins ichorCNA keeps: analysed chromosomes outside centromeres
    analysed = np.isin(chrom, ANALYSED) & ~table["centromere"].to_numpy()
    rows = np.flatnonzero(analysed)
    cor = correct_read_counts(
        table["reads"].to_numpy(dtype=float)[rows],
        table["gc"].to_numpy(dtype=float)[rows],
        table["map"].to_numpy(dtype=float)[rows] if mappability is not None else None,
        np.isin(chrom[rows], AUTOSOMES),
        rng=np.random.default_rng(seed),
    )
    for name in ("valid", "ideal", "cor_gc", "cor_map", "log2"):
        column = table[name].to_numpy().copy()
        column[rows] = getattr(cor, name)
        table[name] = column
    # ichorCNA divides chrY reads by every read in the WIG, not only those of the kept bins
    total_reads = float(np.nansum(counts["value"].to_numpy(dtype=float)))
    if mappability is not None:
        mappable = table["map"].to_numpy(dtype=float) >= settings.min_map_score
    else:
        mappable = np.ones(len(table), dtype=bool)
    on_y = (chrom == "Y") & ~table["centromere"].to_numpy()
    sex = estimate_sex(table[(analysed & mappable) | on_y], total_reads, settings)
    log2 = table["log2"].to_numpy(dtype=float).copy()
    on_x = (chrom == "X") & analysed & mappable
    if sex.sex == "male" and np.isfinite(log2[on_x]).any():
        log2[chrom == "X"] -= np.nanmedian(log2[on_x])
    n_pon = 0
    if panel is not None:
        merged = table.loc[:, keys].reset_index().merge(panel.loc[:, keys + ["Median"]], on=keys, how="inner")
        pon = np.full(len(table), np.nan)
        pon[merged["index"].to_numpy()] = merged["Median"].to_numpy(dtype=float)
        hit = np.isfinite(pon)
        # ichorCNA subtracts the panel where it has the bin and leaves other bins as they are
        log2[hit] -= pon[hit]
        table["pon_median"] = pon
        n_pon = int((hit & analysed).sum())
    table["log2"] = log2
    table["use"] = analysed & mappable & table["valid"].to_numpy(dtype=bool) & np.isfinite(log2)
    info = {
        "bins_shared": int(len(table)),
        "bins_centromere": int(table["centromere"].sum()),
        "bins_low_mappability": int((analysed & ~mappable).sum()),
        "bins_pon_matched": n_pon,
        "bins_used": int(table["use"].sum()),
        "total_reads": total_reads,
    }
    return table, sex, info


def panel_of_normals(
    normals: list[tuple[str, pd.DataFrame]],
    gc: pd.DataFrame,
    mappability: pd.DataFrame | None,
    *,
    genome: str,
    settings: Settings = Settings(),
    seed: int = 0,
) -> pd.DataFrame:
    """A panel of normals from healthy-donor read counts (ichorCNA createPanelOfNormals.R).

    Each normal is corrected as a sample is (no mappability filter: the script's default
    ``minMapScore`` is 0); a male normal's chrX is shifted by its own chrX median (male iff the
    chrX median is below -0.8 and chrY holds >= 0.1% of reads); ``Median`` is the per-bin
    median over normals. Returns ``chrom start end gc map <normal>... Median`` for the bins of
    chromosomes 1..22 and X outside centromeres, the layout of ichorCNA's shipped panels.
    """
    pon_settings = replace(settings, min_map_score=0.0, chrx_median_for_male=-0.8, sex=None)
    columns = {}
    base = None
    for name, counts in normals:
        table, sex, _ = prepare_bins(counts, gc, mappability, genome=genome, settings=pon_settings, seed=seed)
        keep = table["chrom"].isin(ANALYSED).to_numpy() & ~table["centromere"].to_numpy()
        table = table[keep].reset_index(drop=True)
        if base is None:
            base = table.loc[:, ["chrom", "start", "end", "gc", "map"]]
        elif not base[["chrom", "start", "end"]].equals(table[["chrom", "start", "end"]]):
            raise ValueError(f"normal {name} has other bins than the first normal")
        columns[name] = table["log2"].to_numpy(dtype=float)
    if base is None:
        raise ValueError("no normals given")
    panel = base.copy()
    for name, values in columns.items():
        panel[name] = values
    stacked = np.vstack(list(columns.values()))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # bins without any finite ratio stay NaN
        median = np.nanmedian(np.where(np.isfinite(stacked), stacked, np.nan), axis=0)
    panel["Median"] = median
    return panel


# --------------------------------------------------------------------------- model


@dataclass
class Model:
    """State space, priors and starting values (ichorCNA ``getDefaultParameters`` as
    runIchorCNA.R customises it)."""

    ct: np.ndarray  # copy number of each state
    subclonal: np.ndarray  # subclonal flag of each state
    A: np.ndarray  # starting transition matrix
    dir_prior: np.ndarray  # Dirichlet pseudo-counts of each transition row
    kappa: np.ndarray  # Dirichlet prior of the initial distribution
    lambda_0: np.ndarray  # starting precisions
    alpha_lambda: np.ndarray
    beta_lambda: np.ndarray
    nu: float
    alpha_n: float = 2.0
    beta_n: float = 2.0
    alpha_sp: float = 2.0
    beta_sp: float = 2.0
    alpha_phi: float = 4.0
    beta_phi: float = 1.5


def build_model(log2_train: np.ndarray, settings: Settings, ploidy: float = 2.0) -> Model:
    """States, transition prior, initial-state prior and precision prior from the training
    log2 ratios (their sd sets the precision prior, as in ichorCNA, on the log2 scale).

    The initial-state prior gives 800 pseudo-counts to the clonal state whose copy number is
    the restart's ``ploidy`` (rounded) and 200 to every other state. ichorCNA gives the 800
    to copy number 2 in every restart; see the module docstring for why metevo does not.
    """
    clonal = np.arange(0 if settings.include_homd else 1, settings.max_cn + 1)
    sub = np.asarray(settings.subclonal_states, dtype=float)
    ct = np.concatenate([clonal.astype(float), sub])
    subclonal = np.concatenate([np.zeros(len(clonal), bool), np.ones(len(sub), bool)])
    K = len(ct)
    e = settings.txn_e
    A = np.full((K, K), (1.0 - e) / (K - 1)) if K > 1 else np.ones((1, 1))
    np.fill_diagonal(A, e)
    A = A / A.sum(axis=1, keepdims=True)
    dir_prior = A * settings.txn_strength
    # subclonal states are entered ten times less often a priori
    A[:, subclonal] /= 10.0
    A = A / A.sum(axis=1, keepdims=True)
    dir_prior[:, subclonal] /= 10.0
    if settings.include_homd:
        h = np.flatnonzero(ct == 0)[0]
        A[h, :] *= 1e-5
        A[:, h] *= 1e-5
        A[h, h] /= 1e-5  # row and column scalings both hit the diagonal; R scales it once
        A = A / A.sum(axis=1, keepdims=True)
        dir_prior = A * settings.txn_strength
    # getDefaultParameters: 75 + 125 for states whose copy number agrees across samples
    # (every state, with one sample), 800 for the unaltered state
    kappa = np.full(K, 200.0)
    kappa[(ct == round(ploidy)) & ~subclonal] = 800.0
    sd = float(np.std(log2_train, ddof=1)) if len(log2_train) > 1 else 1.0
    sd = sd if sd > 0 else 1.0
    v = 1.0 / (sd / math.sqrt(K)) ** 2
    lam = np.full(K, v)
    lam[ct >= 4] = v / 5.0
    lam[ct == ct.max()] = v / 15.0
    lam[subclonal] = v / 10.0
    return Model(
        ct=ct,
        subclonal=subclonal,
        A=A,
        dir_prior=dir_prior,
        kappa=kappa,
        lambda_0=lam,
        alpha_lambda=np.full(K, settings.lambda_scale),
        beta_lambda=np.full(K, (sd / math.sqrt(K)) ** 2),
        nu=settings.nu,
    )


def state_means(model: Model, n: float, sp: float, phi: float) -> np.ndarray:
    """Natural-log ratio expected in each state (ichorCNA ``get2and3ComponentMixture``)."""
    ct = model.ct
    den = (1.0 - n) * phi + 2.0 * n
    num = np.where(
        model.subclonal,
        (1.0 - n) * (1.0 - sp) * ct + (1.0 - n) * sp * 2.0 + 2.0 * n,
        (1.0 - n) * ct + 2.0 * n,
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(num / den)


def log_t_density(y: np.ndarray, mu: np.ndarray, lam: np.ndarray, nu: float) -> np.ndarray:
    """log Student-t density (location mu, precision lam, nu d.f.); (bins, states)."""
    const = gammaln(nu / 2.0 + 0.5) - gammaln(nu / 2.0) + 0.5 * np.log(lam / (math.pi * nu))
    r2 = (y[:, None] - mu[None, :]) ** 2
    out = const[None, :] - (nu + 1.0) / 2.0 * np.log1p(lam[None, :] * r2 / nu)
    # ichorCNA sets NaN densities to 1
    return np.where(np.isnan(out), 0.0, out)


def _dirichlet_log(x: np.ndarray, k: np.ndarray) -> float:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = (k - 1.0) * np.log(x)
    return float(gammaln(k.sum()) - gammaln(k).sum() + np.nansum(terms))


def _gamma_log(x, a, b):
    return a * np.log(b) - gammaln(a) + (a - 1.0) * np.log(x) - b * x


def _beta_log(x, a, b):
    return -betaln(a, b) + (a - 1.0) * np.log(x) + (b - 1.0) * np.log(1.0 - x)


def log_prior(model: Model, n: float, sp: float, phi: float, lam: np.ndarray, pi: np.ndarray, A: np.ndarray, estimate_sp: bool) -> float:
    """ichorCNA ``priorProbs`` (every parameter estimated)."""
    total = sum(_dirichlet_log(A[k], model.dir_prior[k]) for k in range(len(model.ct)))
    total += float(np.sum(_gamma_log(lam, model.alpha_lambda, model.beta_lambda)))
    total += float(_beta_log(n, model.alpha_n, model.beta_n))
    if estimate_sp:
        total += float(_beta_log(sp, model.alpha_sp, model.beta_sp))
    total += float(_gamma_log(phi, model.alpha_phi, model.beta_phi))
    total += _dirichlet_log(pi, model.kappa)
    return total


def _mean_gradients(model: Model, n: float, sp: float, phi: float) -> dict[str, np.ndarray]:
    """d mu_k / d(n, sp, phi)."""
    ct = model.ct
    den = (1.0 - n) * phi + 2.0 * n
    sub = model.subclonal
    num = np.where(sub, (1.0 - n) * (1.0 - sp) * ct + (1.0 - n) * sp * 2.0 + 2.0 * n, (1.0 - n) * ct + 2.0 * n)
    dnum_dn = np.where(sub, (1.0 - sp) * (2.0 - ct), 2.0 - ct)
    dnum_dsp = np.where(sub, (1.0 - n) * (2.0 - ct), 0.0)
    return {
        "n": dnum_dn / num - (2.0 - phi) / den,
        "sp": dnum_dsp / num,
        "phi": np.full(len(ct), -(1.0 - n) / den),
    }


class _Objective:
    """Expected complete-data log posterior of the emissions, as a function of one parameter
    group, with its gradient (the terms ichorCNA's ``completeLikelihoodFun`` adds that do not
    depend on the group are left out: they do not move the optimum)."""

    def __init__(self, model: Model, y: np.ndarray, rho: np.ndarray):
        self.model = model
        self.y = y
        self.rho = rho
        self.nu = model.nu

    def _obs(self, mu: np.ndarray, lam: np.ndarray, group: str):
        nu = self.nu
        resid = self.y[:, None] - mu[None, :]
        r2 = resid * resid
        denom = nu + lam[None, :] * r2
        const = gammaln(nu / 2.0 + 0.5) - gammaln(nu / 2.0) + 0.5 * np.log(lam / (math.pi * nu))
        # sum_t rho_tk log t(y_t): per-state totals first, so each state's constant counts once
        weight = self.rho.sum(axis=0)
        value = float(weight @ const - (nu + 1.0) / 2.0 * np.sum(self.rho * np.log(denom / nu)))
        if group == "lambda":
            d = weight * 0.5 / lam - (nu + 1.0) / 2.0 * np.sum(self.rho * r2 / denom, axis=0)
        else:
            d = (nu + 1.0) * lam * np.sum(self.rho * resid / denom, axis=0)  # d / d mu_k
        return value, d

    def negative(self, x: np.ndarray, group: str, n: float, sp: float, phi: float, lam: np.ndarray):
        m = self.model
        if group == "n":
            n = float(x[0])
        elif group == "sp":
            sp = float(x[0])
        elif group == "phi":
            phi = float(x[0])
        else:
            lam = np.asarray(x, dtype=float)
        mu = state_means(m, n, sp, phi)
        value, d = self._obs(mu, lam, group)
        if group in ("n", "sp", "phi"):
            grad = float(np.sum(d * _mean_gradients(m, n, sp, phi)[group]))
            if group == "n":
                value += float(_beta_log(n, m.alpha_n, m.beta_n))
                grad += (m.alpha_n - 1.0) / n - (m.beta_n - 1.0) / (1.0 - n)
            elif group == "sp":
                value += float(_beta_log(sp, m.alpha_sp, m.beta_sp))
                grad += (m.alpha_sp - 1.0) / sp - (m.beta_sp - 1.0) / (1.0 - sp)
            else:
                value += float(_gamma_log(phi, m.alpha_phi, m.beta_phi))
                grad += (m.alpha_phi - 1.0) / phi - m.beta_phi
            return -value, -np.array([grad])
        value += float(np.sum(_gamma_log(lam, m.alpha_lambda, m.beta_lambda)))
        grad = d + (m.alpha_lambda - 1.0) / lam - m.beta_lambda
        return -value, -grad


def _maximise(obj: _Objective, group: str, x0: np.ndarray, bounds, n, sp, phi, lam) -> np.ndarray:
    from scipy.optimize import minimize

    seen: list[float] = []

    def fun(x, *args):
        out = obj.negative(x, *args)
        seen.append(out[0])
        return out

    res = minimize(fun, x0, args=(group, n, sp, phi, lam), jac=True, method="L-BFGS-B", bounds=bounds)
    # L-BFGS-B evaluates the start first; keep the start if the search ended anywhere worse
    # (R's optim returns its best point)
    if not np.all(np.isfinite(res.x)) or not np.isfinite(res.fun) or (seen and res.fun > seen[0]):
        return np.asarray(x0, dtype=float)
    return res.x


@dataclass
class EmResult:
    n: float
    sp: float
    phi: float
    lam: np.ndarray
    pi: np.ndarray
    A: np.ndarray
    loglik: float
    iterations: int
    converged: bool
    trace: list[float] = field(default_factory=list)


def run_em(
    y: np.ndarray,
    chrom: np.ndarray,
    train: np.ndarray,
    model: Model,
    *,
    n_0: float,
    phi_0: float,
    settings: Settings = Settings(),
) -> EmResult:
    """MAP-EM of one restart (ichorCNA ``runEM``). ``y`` are natural-log ratios of the used
    bins in genome order, ``chrom`` their chromosome, ``train`` the bins the parameters are
    fitted on (chromosomes 1..22)."""
    estimate_sp = bool(model.subclonal.any())
    yt = y[train]
    chains = hmm.chains_from_labels(chrom[train])
    obj_y = yt
    n, sp, phi, lam = float(n_0), float(settings.sp_0), float(phi_0), model.lambda_0.copy()
    pi = model.kappa / model.kappa.sum()
    A = model.A / model.A.sum(axis=1, keepdims=True)
    log_py = log_t_density(yt, state_means(model, n, sp, phi), lam, model.nu)
    loglik = [-math.inf]
    converged = False
    it = 0
    while not converged and it + 1 < settings.max_iter:
        it += 1
        post = hmm.forward_backward(log_py, pi, A, chains)
        rho = post.rho
        # M-step: closed forms first, then n, sp, phi and precisions in ichorCNA's order
        A_new = post.xi + model.dir_prior
        A_new = A_new / np.where(A_new.sum(axis=1, keepdims=True) > 0, A_new.sum(axis=1, keepdims=True), 1.0)
        K = len(model.ct)
        pi_new = (rho.sum(axis=0) + model.kappa - 1.0) / (rho.sum() + model.kappa.sum() - K)
        obj = _Objective(model, obj_y, rho)
        n_new = float(_maximise(obj, "n", np.array([n]), [(1e-6, 1 - 1e-6)], n, sp, phi, lam)[0])
        sp_new = sp
        if estimate_sp:
            sp_new = float(_maximise(obj, "sp", np.array([sp]), [(1e-6, 1 - 1e-6)], n_new, sp, phi, lam)[0])
        phi_new = float(_maximise(obj, "phi", np.array([phi]), [(np.finfo(float).eps, 10.0)], n_new, sp_new, phi, lam)[0])
        lam_new = _maximise(obj, "lambda", lam.copy(), [(1e-5, None)] * K, n_new, sp_new, phi_new, lam)
        log_py_new = log_t_density(yt, state_means(model, n_new, sp_new, phi_new), lam_new, model.nu)
        value = post.loglik + log_prior(model, n_new, sp_new, phi_new, lam_new, pi_new, A_new, estimate_sp)
        if value < loglik[-1]:
            # ichorCNA: a decrease stops EM at the previous iteration
            it -= 1
            converged = True
            break
        if abs(value - loglik[-1]) / abs(value) < settings.convergence:
            converged = True
        loglik.append(value)
        n, sp, phi, lam, pi, A = n_new, sp_new, phi_new, lam_new, pi_new, A_new
        log_py = log_py_new
    return EmResult(n, sp, phi, lam, pi, A, loglik[-1], it, converged, loglik[1:])


# --------------------------------------------------------------------------- solutions


def logr_copy_number(log2: np.ndarray, purity: float, ploidy: float, cell_prevalence, normal_cn) -> np.ndarray:
    """Copy number implied by a log2 ratio (ichorCNA ``logRbasedCN``), floored at 1/64."""
    log2 = np.asarray(log2, dtype=float)
    cp = np.broadcast_to(np.asarray(cell_prevalence, dtype=float), log2.shape)
    cn = np.broadcast_to(np.asarray(normal_cn, dtype=float), log2.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        ct = (2.0**log2 * (cn * (1 - purity) + purity * ploidy * (cn / 2.0)) - cn * (1 - purity) - cn * purity * (1 - cp)) / (purity * cp)
    return np.maximum(ct, 1.0 / 2**6)


def _event(cn: np.ndarray, normal_cn: np.ndarray) -> np.ndarray:
    """ichorCNA event name: HOMD, HETD, NEUT, GAIN, AMP, HLAMP counted from the normal copy
    number (2, or 1 on a male's chrX)."""
    idx = np.clip(cn.astype(np.int64) - normal_cn.astype(np.int64) + 2, 0, len(EVENTS) - 1)
    out = np.array(EVENTS, dtype=object)[idx]
    out[cn == 0] = "HOMD"
    return out


@dataclass
class Solution:
    normal_restart: float
    ploidy_restart: float
    model: Model
    em: EmResult
    tumor_fraction: float  # 1 - n, or 0 by the no-tumour rule
    tumor_fraction_em: float  # 1 - n as estimated
    no_tumor: bool
    frac_genome_subclonal: float
    frac_cna_subclonal: float
    bins: pd.DataFrame  # used bins: state_cn, subclonal, copy_number, event
    segments: pd.DataFrame


def _segments(bins: pd.DataFrame) -> pd.DataFrame:
    """Runs of one state within a chromosome (ichorCNA ``segmentData``)."""
    chrom = bins["chrom"].to_numpy()
    state = bins["state"].to_numpy()
    brk = np.ones(len(bins), dtype=bool)
    brk[1:] = (chrom[1:] != chrom[:-1]) | (state[1:] != state[:-1])
    seg_id = np.cumsum(brk) - 1
    grouped = bins.assign(_seg=seg_id).groupby("_seg", sort=True)
    segs = grouped.agg(
        chrom=("chrom", "first"),
        start=("start", "first"),
        end=("end", "last"),
        n_bins=("start", "size"),
        log2=("log2", "median"),
        state=("state", "first"),
        state_cn=("state_cn", "first"),
        subclonal=("subclonal", "first"),
        normal_cn=("normal_cn", "first"),
    ).reset_index(drop=True)
    segs["first_bin"] = np.flatnonzero(brk)
    return segs


def correct_integer_cn(bins: pd.DataFrame, segs: pd.DataFrame, purity: float, ploidy: float, cell_prevalence: float, male: bool, settings: Settings):
    """ichorCNA ``correctIntegerCN``: for tumour fractions >= ``min_purity_to_correct``,
    segments (and bins) in the top state or whose log ratio implies >= 1.2 x max_cn copies get
    the rounded log-ratio copy number; all of a male's chrX is recomputed with normal copy
    number 1; segments whose state and log ratio disagree in direction by more than 2 copies
    take the log-ratio value."""
    max_cn = settings.max_cn
    seg_lcn = logr_copy_number(segs["log2"].to_numpy(), purity, ploidy, 1.0, segs["normal_cn"].to_numpy())
    seg_cn = segs["state_cn"].to_numpy().astype(np.int64).copy()
    bin_prev = np.where(bins["subclonal"].to_numpy(), cell_prevalence, 1.0)
    bin_lcn = logr_copy_number(bins["log2"].to_numpy(), purity, ploidy, bin_prev, bins["normal_cn"].to_numpy())
    bin_cn = bins["state_cn"].to_numpy().astype(np.int64).copy()
    if purity >= settings.min_purity_to_correct:
        changed = (seg_cn >= max_cn) | ((seg_lcn >= max_cn * 1.2) & np.isfinite(seg_lcn))
        if male:
            changed |= segs["chrom"].to_numpy() == "X"
        seg_cn[changed] = np.round(seg_lcn[changed]).astype(np.int64)
        rounded = np.round(seg_lcn)
        opposite = (((rounded < ploidy) & (seg_cn > ploidy)) | ((rounded > ploidy) & (seg_cn < ploidy))) & (np.abs(rounded - seg_cn) > 2)
        seg_cn[opposite] = rounded[opposite].astype(np.int64)
        changed |= opposite
        seg_of_bin = np.repeat(np.arange(len(segs)), segs["n_bins"].to_numpy())
        in_changed = changed[seg_of_bin]
        bin_cn[in_changed] = seg_cn[seg_of_bin][in_changed]
        hlamp = (bins["state_cn"].to_numpy() >= max_cn) | ((bin_lcn >= max_cn * 1.2) & np.isfinite(bin_lcn))
        bin_cn[hlamp] = np.round(bin_lcn[hlamp]).astype(np.int64)
    return seg_cn, seg_lcn, bin_cn, bin_lcn


def solve(
    bins: pd.DataFrame,
    model: Model,
    em: EmResult,
    *,
    sex: str,
    normal_restart: float,
    ploidy_restart: float,
    settings: Settings,
) -> Solution:
    """Viterbi states, segments, integer-CN correction and the no-tumour rule of one restart."""
    used = bins[bins["use"]].reset_index(drop=True)
    y = used["log2"].to_numpy() * math.log(2.0)
    chains = hmm.chains_from_labels(used["chrom"].to_numpy())
    log_py = log_t_density(y, state_means(model, em.n, em.sp, em.phi), em.lam, model.nu)
    state = hmm.viterbi(log_py, em.pi, em.A, chains)
    male = sex == "male"
    out = used.loc[:, ["chrom", "start", "end", "log2"]].copy()
    out["state"] = state
    out["state_cn"] = model.ct[state].astype(np.int64)
    out["subclonal"] = model.subclonal[state]
    out["normal_cn"] = np.where(male & (out["chrom"].to_numpy() == "X"), 1, 2)
    segs = _segments(out)
    purity = 1.0 - em.n
    seg_cn, seg_lcn, bin_cn, bin_lcn = correct_integer_cn(out, segs, purity, em.phi, 1.0 - em.sp, male, settings)
    segs["copy_number"] = seg_cn
    segs["logr_copy_number"] = seg_lcn
    out["copy_number"] = bin_cn
    out["logr_copy_number"] = bin_lcn
    # the no-tumour rule looks at the HMM's own states (ichorCNA's "event" column)
    segs["hmm_event"] = _event(segs["state_cn"].to_numpy(), segs["normal_cn"].to_numpy())
    out["hmm_event"] = _event(out["state_cn"].to_numpy(), out["normal_cn"].to_numpy())
    train_seg = segs["chrom"].isin(AUTOSOMES).to_numpy()
    altered = train_seg & (segs["hmm_event"].to_numpy() != "NEUT")
    if altered.any():
        lengths = (segs["end"] - segs["start"] + 1).to_numpy()
        idx = np.flatnonzero(altered)
        biggest = idx[np.argmax(lengths[idx])]
        max_bins = int(segs["n_bins"].iat[biggest])
    else:
        max_bins = -1
    train_bins = out["chrom"].isin(AUTOSOMES).to_numpy()
    alt_frac = float(np.mean(out["hmm_event"].to_numpy()[train_bins] != "NEUT")) if train_bins.any() else 0.0
    no_tumor = max_bins <= settings.min_segment_bins and alt_frac <= settings.alt_frac_threshold
    n_sub = int(out["subclonal"].sum())
    frac_genome = n_sub / len(out) if len(out) else 0.0
    n_alt = int((out["state_cn"] != 2).sum())
    frac_cna = n_sub / n_alt if n_alt else 0.0
    return Solution(
        normal_restart=normal_restart,
        ploidy_restart=ploidy_restart,
        model=model,
        em=em,
        tumor_fraction=0.0 if no_tumor else purity,
        tumor_fraction_em=purity,
        no_tumor=no_tumor,
        frac_genome_subclonal=frac_genome,
        frac_cna_subclonal=frac_cna,
        bins=out,
        segments=segs,
    )


@dataclass
class IchorResult:
    best: Solution
    solutions: list[Solution]  # in restart order
    sex: Sex
    bins: pd.DataFrame  # every prepared bin (prepare_bins)
    info: dict
    gc_map_mad: float


def restarts(settings: Settings) -> list[tuple[float, float]]:
    """(n0, phi0) pairs in ichorCNA's order: ploidy outer, normal inner; n0 = 0.95 only with
    phi0 = 2."""
    pairs = []
    for phi0 in settings.ploidy_restarts:
        for n0 in settings.normal_restarts:
            if n0 == 0.95 and phi0 != 2:
                continue
            pairs.append((float(n0), float(phi0)))
    return pairs


def score(solution: Solution, settings: Settings) -> float:
    """Selection score: the log posterior, less ``non_diploid_penalty`` for solutions of
    restarts whose ploidy is not 2.

    Total copy number alone cannot tell a diploid genome at tumour fraction p from a triploid
    one at 2p/(2-p) (every level lines up) unless the genome has copy numbers the other
    reading cannot reach (a triploid genome's single-copy regions, a diploid genome's
    amplifications past ``max_cn - 1``). Where nothing tells them apart, the two solutions'
    log posteriors differ by noise (within ~1 log unit); where something does, by tens to
    hundreds (docs/cfdna.md). The penalty makes ties go to the diploid reading, as ichorCNA's
    diploid-state prior does, without ichorCNA's ~500-unit handicap that no data overturn.
    """
    penalty = settings.non_diploid_penalty if round(solution.ploidy_restart) != 2 else 0.0
    return solution.em.loglik - penalty


def select(solutions: list[Solution], settings: Settings) -> int:
    """Index of the chosen solution: largest :func:`score`, among solutions within the
    subclonal limits when subclonal states are modelled (first restart wins ties)."""
    order = sorted(range(len(solutions)), key=lambda i: -score(solutions[i], settings))
    if settings.subclonal_states:
        ok = [
            i for i in order
            if solutions[i].frac_cna_subclonal <= settings.max_frac_cna_subclone
            and solutions[i].frac_genome_subclonal <= settings.max_frac_genome_subclone
        ]
        if ok:
            return ok[0]
    return order[0]


def _mad(x: np.ndarray) -> float:
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan
    return float(1.4826 * np.median(np.abs(x - np.median(x))))


def fit(bins: pd.DataFrame, sex: Sex, info: dict | None = None, settings: Settings = Settings()) -> IchorResult:
    """Run every restart on prepared bins (:func:`prepare_bins`) and choose the solution."""
    used = bins[bins["use"]].reset_index(drop=True)
    if len(used) == 0:
        raise ValueError("no usable bins")
    chrom = used["chrom"].to_numpy()
    train = np.isin(chrom, AUTOSOMES)
    if train.sum() < 2:
        raise ValueError("fewer than 2 usable bins on chromosomes 1-22")
    log2 = used["log2"].to_numpy(dtype=float)
    y = log2 * math.log(2.0)  # the HMM works on natural logs
    solutions = []
    for n0, phi0 in restarts(settings):
        model = build_model(log2[train], settings, phi0)
        em = run_em(y, chrom, train, model, n_0=n0, phi_0=phi0, settings=settings)
        solutions.append(solve(bins, model, em, sex=sex.sex, normal_restart=n0, ploidy_restart=phi0, settings=settings))
    best = solutions[select(solutions, settings)]
    # ichorCNA: mad(diff(2^logR)) over the bins of the analysed chromosomes
    mad = _mad(np.diff(2.0**log2))
    return IchorResult(best, solutions, sex, bins, info or {}, mad)


# --------------------------------------------------------------------------- output tables

PARAMS_COLUMNS = (
    "sample", "tumor_fraction", "ploidy", "subclone_fraction", "fraction_genome_subclonal", "fraction_cna_subclonal",
    "gc_map_mad", "loglik", "n_restarts", "normal_restart", "ploidy_restart", "iterations", "tumor_fraction_hmm",
    "no_tumor", "sex", "sex_estimated", "chrx_median", "chry_fraction", "bin_size", "bins_used", "bins_pon_matched",
    "genome", "max_cn", "subclonal_states",
)
RESTART_COLUMNS = (
    "sample", "restart", "normal_restart", "ploidy_restart", "tumor_fraction", "tumor_fraction_hmm", "ploidy",
    "subclone_fraction", "fraction_genome_subclonal", "fraction_cna_subclonal", "loglik", "score", "iterations",
    "converged", "selected",
)
SEGMENT_COLUMNS = (
    "sample", "chrom", "start", "end", "n_bins", "log2", "total_cn", "major_cn", "minor_cn", "ploidy", "call",
    "subclonal", "hmm_cn", "logr_cn",
)
BIN_COLUMNS = ("chromosome", "start", "end", "reads", "gc", "map", "log2", "use", "state", "subclonal", "copy_number", "call")


def _flag(values) -> np.ndarray:
    return np.where(np.asarray(values, dtype=bool), "TRUE", "FALSE")


def _subclone_fraction(sol: Solution) -> float:
    # ichorCNA reports 1 - sp, or NA when no bin is subclonal
    return 1.0 - sol.em.sp if sol.model.subclonal.any() and sol.frac_genome_subclonal > 0 else math.nan


def output_tables(result: IchorResult, *, sample: str, genome: str, settings: Settings = Settings()) -> dict[str, pd.DataFrame]:
    """The tables ``metevo cfdna`` writes (columns in docs/cfdna.md): ``params`` (one row),
    ``restarts`` (one row per restart), ``segments`` (the segments table of
    docs/copynumber-contracts.md plus ``subclonal hmm_cn logr_cn``) and ``bins``.

    Segment and bin ends are clipped to the chromosome's length (HMMcopy's last bin runs past
    it). When the no-tumour rule sets the tumour fraction to 0, copy numbers are reported as
    the normal copy number and calls as neutral; the HMM's own state stays in ``hmm_cn`` /
    ``state``.
    """
    from metevo.genome import CHROM_LENGTHS

    best = result.best
    lengths = CHROM_LENGTHS[genome]
    segs = best.segments.copy()
    sb = best.bins.copy()
    if best.no_tumor:
        segs["copy_number"] = segs["normal_cn"]
        sb["copy_number"] = sb["normal_cn"]
    seg_call = ichor_calls(segs["copy_number"].to_numpy(), segs["normal_cn"].to_numpy())
    bin_call = ichor_calls(sb["copy_number"].to_numpy(), sb["normal_cn"].to_numpy())

    def clip(chrom: pd.Series, end: pd.Series) -> np.ndarray:
        limit = chrom.map(lengths).to_numpy(dtype=float)
        e = end.to_numpy(dtype=np.int64)
        return np.where(np.isfinite(limit), np.minimum(e, np.nan_to_num(limit, nan=0).astype(np.int64)), e)

    segments = pd.DataFrame(
        {
            "sample": sample,
            "chrom": segs["chrom"].to_numpy(),
            "start": segs["start"].to_numpy(dtype=np.int64),
            "end": clip(segs["chrom"], segs["end"]),
            "n_bins": segs["n_bins"].to_numpy(dtype=np.int64),
            "log2": segs["log2"].to_numpy(dtype=float),
            "total_cn": segs["copy_number"].to_numpy(dtype=np.int64),
            "major_cn": pd.array([pd.NA] * len(segs), dtype="Int64"),
            "minor_cn": pd.array([pd.NA] * len(segs), dtype="Int64"),
            "ploidy": best.em.phi,
            "call": seg_call,
            "subclonal": _flag(segs["subclonal"]),
            "hmm_cn": segs["state_cn"].to_numpy(dtype=np.int64),
            "logr_cn": segs["logr_copy_number"].to_numpy(dtype=float),
        }
    )
    allb = result.bins
    allb = allb[allb["chrom"].isin(ANALYSED)].reset_index(drop=True)
    merged = allb.merge(
        sb.loc[:, ["chrom", "start", "state_cn", "subclonal", "copy_number"]].assign(call=bin_call),
        on=["chrom", "start"], how="left",
    )
    used = merged["use"].to_numpy(dtype=bool)
    bins = pd.DataFrame(
        {
            "chromosome": merged["chrom"].to_numpy(),
            "start": merged["start"].to_numpy(dtype=np.int64),
            "end": clip(merged["chrom"], merged["end"]),
            "reads": merged["reads"].to_numpy(dtype=float),
            "gc": merged["gc"].to_numpy(dtype=float),
            "map": merged["map"].to_numpy(dtype=float),
            "log2": np.where(used, merged["log2"].to_numpy(dtype=float), np.nan),
            "use": _flag(used),
            "state": pd.array(np.where(used, merged["state_cn"].fillna(-1), -1), dtype="Int64"),
            "subclonal": np.where(used, _flag(merged["subclonal"].fillna(False).to_numpy(dtype=bool)), ""),
            "copy_number": pd.array(np.where(used, merged["copy_number"].fillna(-1), -1), dtype="Int64"),
            "call": np.where(used, merged["call"].fillna(""), ""),
        }
    )
    bins.loc[~used, ["state", "copy_number"]] = pd.NA
    bin_size = int((allb["end"] - allb["start"] + 1).median()) if len(allb) else 0
    params = pd.DataFrame(
        [
            {
                "sample": sample,
                "tumor_fraction": best.tumor_fraction,
                "ploidy": best.em.phi,
                "subclone_fraction": _subclone_fraction(best),
                "fraction_genome_subclonal": best.frac_genome_subclonal,
                "fraction_cna_subclonal": best.frac_cna_subclonal,
                "gc_map_mad": result.gc_map_mad,
                "loglik": best.em.loglik,
                "n_restarts": len(result.solutions),
                "normal_restart": best.normal_restart,
                "ploidy_restart": best.ploidy_restart,
                "iterations": best.em.iterations,
                "tumor_fraction_hmm": best.tumor_fraction_em,
                "no_tumor": "TRUE" if best.no_tumor else "FALSE",
                "sex": result.sex.sex,
                "sex_estimated": result.sex.estimated,
                "chrx_median": result.sex.chrx_median,
                "chry_fraction": result.sex.chry_fraction,
                "bin_size": bin_size,
                "bins_used": int(result.info.get("bins_used", 0)),
                "bins_pon_matched": int(result.info.get("bins_pon_matched", 0)),
                "genome": genome,
                "max_cn": settings.max_cn,
                "subclonal_states": ",".join(str(s) for s in settings.subclonal_states),
            }
        ],
        columns=list(PARAMS_COLUMNS),
    )
    chosen = next(i for i, s in enumerate(result.solutions) if s is best)
    restarts_table = pd.DataFrame(
        [
            {
                "sample": sample,
                "restart": i + 1,
                "normal_restart": s.normal_restart,
                "ploidy_restart": s.ploidy_restart,
                "tumor_fraction": s.tumor_fraction,
                "tumor_fraction_hmm": s.tumor_fraction_em,
                "ploidy": s.em.phi,
                "subclone_fraction": _subclone_fraction(s),
                "fraction_genome_subclonal": s.frac_genome_subclonal,
                "fraction_cna_subclonal": s.frac_cna_subclonal,
                "loglik": s.em.loglik,
                "score": score(s, settings),
                "iterations": s.em.iterations,
                "converged": "TRUE" if s.em.converged else "FALSE",
                "selected": "TRUE" if i == chosen else "FALSE",
            }
            for i, s in enumerate(result.solutions)
        ],
        columns=list(RESTART_COLUMNS),
    )
    return {"params": params, "restarts": restarts_table, "segments": segments.loc[:, list(SEGMENT_COLUMNS)], "bins": bins.loc[:, list(BIN_COLUMNS)]}


def ichor_calls(copy_number: np.ndarray, normal_cn: np.ndarray) -> np.ndarray:
    """Calls of docs/copynumber-contracts.md from integer copy numbers: ichorCNA's events
    (HOMD, HETD, NEUT, GAIN, AMP, HLAMP counted from the normal copy number) mapped to
    deletion, loss, neutral, gain (GAIN and AMP) and amplification (HLAMP: 5 copies and more
    for a normal copy number of 2)."""
    events = _event(np.asarray(copy_number), np.asarray(normal_cn))
    return np.array([EVENT_CALL[e] for e in events], dtype=object)


def estimate_purity_ploidy(
    chrom: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    log2: np.ndarray,
    *,
    window: int = 1_000_000,
    settings: Settings = Settings(),
) -> tuple[float, float]:
    """Purity and ploidy of a corrected, normalised log2 profile (e.g. QDNAseq's) by the same
    HMM as ``metevo cfdna``: the bins are pooled into ``window``-bp windows (median log2 of
    the finite bins; ichorCNA is built for 0.5-1 Mb bins and its priors for that noise level)
    and every restart is fitted as in :func:`fit`. Returns (tumor fraction, ploidy); a profile
    the model calls tumor-free gives (nan, nan), so callers keep their purity-free cutoffs."""
    frame = pd.DataFrame({"chrom": chrom, "window": (np.asarray(start) - 1) // window, "log2": log2})
    frame = frame[np.isfinite(frame["log2"]) & frame["chrom"].isin(ANALYSED)]
    if frame.empty:
        return float("nan"), float("nan")
    pooled = frame.groupby(["chrom", "window"], sort=False)["log2"].median().reset_index()
    pooled["start"] = pooled["window"] * window + 1
    pooled["end"] = pooled["start"] + window - 1
    order = {c: i for i, c in enumerate(ANALYSED)}
    pooled = pooled.assign(_rank=pooled["chrom"].map(order)).sort_values(["_rank", "start"], kind="mergesort")
    bins = pooled.loc[:, ["chrom", "start", "end", "log2"]].reset_index(drop=True)
    bins["use"] = True
    if np.isin(bins["chrom"], AUTOSOMES).sum() < 2:
        return float("nan"), float("nan")
    result = fit(bins, Sex("female", float("nan"), float("nan"), "not estimated"), {}, settings)
    best = result.best
    if best.no_tumor or best.tumor_fraction <= 0:
        return float("nan"), float("nan")
    return float(best.tumor_fraction), float(best.em.phi)
