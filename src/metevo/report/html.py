"""The HTML report: one self-contained file (inline CSS, JS and SVG; no network to view it).

Each pipeline step contributes a section through a function registered in ``SECTIONS``
(step process name -> builder). A builder takes the loaded results (:class:`ReportData`) and
returns a :class:`Section`, or None when its step produced nothing for this cohort. Later
slices add their sections the same way.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from importlib import resources
from typing import Callable

import pandas as pd

from metevo import __version__


@dataclass
class Section:
    id: str
    title: str
    body: str


@dataclass
class ReportData:
    samples: pd.DataFrame  # samplesheet table
    inputs: pd.DataFrame | None = None  # validate summary
    maf: pd.DataFrame | None = None  # cohort MAF (merge-mafs)
    germline: pd.DataFrame | None = None  # germline findings of all patients
    pairs: pd.DataFrame | None = None
    burden: pd.DataFrame | None = None
    tests: pd.DataFrame | None = None
    segments: pd.DataFrame | None = None  # segments table of every sample with copy number
    cn_params: pd.DataFrame | None = None  # per sample: purity/tumor_fraction, ploidy (estimated)
    hrd: pd.DataFrame | None = None
    clonality: pd.DataFrame | None = None  # clonality MAF rows of every sample
    biallelic: pd.DataFrame | None = None
    regions: dict[str, pd.DataFrame] = field(default_factory=dict)  # tracked-regions tables
    # cohort slice: each a step's output folder, file stem -> table (empty: the option was not given)
    oncogenic: dict[str, pd.DataFrame] = field(default_factory=dict)  # alterations, pathway_status, pathway_enrichment, pathway_coalteration
    associations: dict[str, pd.DataFrame] = field(default_factory=dict)  # interactions, clinical_associations, continuous_by_group
    enrichment: dict[str, pd.DataFrame] = field(default_factory=dict)  # paired, unpaired, enriched [, external, external_by_subtype]
    outcome: dict[str, pd.DataFrame] = field(default_factory=dict)  # survival (km, km_curve, logrank, cox, ph_test) or outcome (outcome, ph_test)
    outcome_svgs: dict[str, str] = field(default_factory=dict)  # the survival/outcome step's SVG files, name -> text
    notes: list[str] = field(default_factory=list)


def esc(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return html.escape(str(value))


def fmt_number(value, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
        return "NA"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return esc(value)
    if v != v:
        return "NA"
    if v in (float("inf"), float("-inf")):
        return "Inf" if v > 0 else "-Inf"  # R's spelling (an odds ratio with an empty cell)
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return f"{v:.{digits}g}"


def table_html(frame: pd.DataFrame, *, numeric_digits: int = 3, max_rows: int | None = None, caption: str | None = None, cls: str = "") -> str:
    """A sortable table (click a header); numbers formatted to ``numeric_digits``."""
    shown = frame if max_rows is None else frame.head(max_rows)
    head = "".join(f"<th>{esc(c)}</th>" for c in shown.columns)
    rows = []
    numeric = {c for c in shown.columns if pd.api.types.is_numeric_dtype(shown[c])}
    for record in shown.itertuples(index=False, name=None):
        cells = []
        for col, value in zip(shown.columns, record):
            if col in numeric:
                cells.append(f'<td class="num">{fmt_number(value, numeric_digits)}</td>')
            else:
                cells.append(f"<td>{esc(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = ""
    if max_rows is not None and len(frame) > max_rows:
        more = f'<p class="note">Showing {max_rows} of {len(frame)} rows; the full table is in the results folder.</p>'
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return (
        f'<div class="tablewrap"><table class="sortable {cls}">{cap}<thead><tr>{head}</tr></thead>'
        f'<tbody>{"".join(rows)}</tbody></table></div>{more}'
    )


def figure_html(svg: str, caption: str) -> str:
    return f'<figure>{svg}<figcaption>{esc(caption)}</figcaption></figure>'


SectionBuilder = Callable[[ReportData], "Section | None"]
# the order of sections in the report, by contributing step; REPORT's own (methods) last
SECTION_ORDER = ("VALIDATE", "MERGE_MAFS", "PAIR_CONCORDANCE", "GERMLINE", "COPY_NUMBER", "HRD", "TRACKED_REGIONS",
                 "CFDNA", "CLONALITY", "BIALLELIC", "ENRICHMENT", "ONCOGENIC", "ASSOCIATIONS", "OUTCOME", "REPORT")
SECTIONS: list[tuple[str, SectionBuilder]] = []


def section(step: str):
    """Register a section builder for ``step`` (a process name of metevo.pipeline)."""

    def register(fn: SectionBuilder) -> SectionBuilder:
        SECTIONS.append((step, fn))
        return fn

    return register


def render(data: ReportData, *, title: str = "metevo report") -> str:
    # import the builders so they register (kept apart to keep this module generic)
    from metevo.report import sections, sections_cn, sections_cohort  # noqa: F401

    order = {step: i for i, step in enumerate(SECTION_ORDER)}
    builders = sorted(SECTIONS, key=lambda item: order.get(item[0], len(order)))  # stable: a step's sections keep their order
    built = [s for _, fn in builders if (s := fn(data)) is not None]
    css = resources.files("metevo.report").joinpath("report.css").read_text(encoding="utf-8")
    js = resources.files("metevo.report").joinpath("report.js").read_text(encoding="utf-8")
    nav = "".join(f'<li><a href="#{s.id}">{esc(s.title)}</a></li>' for s in built)
    body = "".join(f'<section id="{s.id}"><h2>{esc(s.title)}</h2>{s.body}</section>' for s in built)
    notes = "".join(f"<li>{esc(n)}</li>" for n in data.notes)
    notes_html = f'<section id="notes"><h2>Notes</h2><ul>{notes}</ul></section>' if notes else ""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{css}</style></head><body>"
        f'<header><h1>{esc(title)}</h1><p class="sub">metevo {esc(__version__)}: what metastases and recurrences acquire that their primary tumors did not</p></header>'
        f'<nav><ul>{nav}</ul></nav><main>{body}{notes_html}</main>'
        f"<script>{js}</script></body></html>\n"
    )
