"""``metevo survival --table T.tsv --time COL --event COL [--group COL] [--covariates A,B]
[--strata COL] [--levels COL=a,b,...] --outdir D``.

Kaplan-Meier curves and median survival per group, log-rank test (stratified with --strata),
univariable and multivariable Cox models and the proportional-hazards test, with R survival's
numbers; km.svg and forest.svg. Method, columns and edge cases: docs/survival.md; science in
:mod:`metevo.survival`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from metevo.errors import ConfigError, InputError

OUTPUTS = ("km.tsv", "km_curve.tsv", "logrank.tsv", "cox.tsv", "ph_test.tsv", "km.svg", "forest.svg")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--table", required=True, help="one row per patient, TSV or CSV (by extension, else sniffed)")
    parser.add_argument("--time", required=True, help="column of follow-up times (numbers >= 0)")
    parser.add_argument("--event", required=True, help="column of event status: 1/0 or TRUE/FALSE (event/censored)")
    parser.add_argument("--group", help="column of groups to compare (KM curves, log-rank, Cox term)")
    parser.add_argument("--covariates", default="", help="comma-separated covariate columns for the Cox models "
                                                         "(numeric, or text as factors)")
    parser.add_argument("--strata", help="column of strata (stratified log-rank and Cox models)")
    parser.add_argument("--levels", action="append", default=[], metavar="COL=A,B,...",
                        help="level order of a factor, the first is the reference (default: sorted); repeatable")
    parser.add_argument("--conf-type", default="log", choices=("log", "log-log", "plain"),
                        help="Kaplan-Meier confidence interval type (R conf.type; default log)")
    parser.add_argument("--outdir", required=True, help="folder for km.tsv, km_curve.tsv, logrank.tsv, cox.tsv, "
                                                        "ph_test.tsv, km.svg, forest.svg")


def _levels(specs: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for spec in specs:
        column, sep, values = spec.partition("=")
        items = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not column.strip() or not items:
            raise ConfigError(f"--levels expects COL=A,B,...; got '{spec}'")
        out[column.strip()] = items
    return out


def run(args: argparse.Namespace) -> None:
    import numpy as np
    import pandas as pd

    from metevo.io.atomic import Outputs
    from metevo.io.tables import write_tsv
    from metevo.survival.analysis import survival_analysis
    from metevo.survival.inputs import read_survival_table
    from metevo.survival.plots import forest_svg, km_svg

    covariates = [c.strip() for c in args.covariates.split(",") if c.strip()]
    named = [args.time, args.event, args.group, args.strata, *covariates]
    named = [c for c in named if c]
    if len(set(named)) != len(named):
        raise ConfigError(f"a column is named twice among --time/--event/--group/--strata/--covariates: {', '.join(named)}")
    levels = _levels(args.levels)
    table = read_survival_table(args.table, time=args.time, event=args.event, group=args.group,
                                covariates=covariates, strata=args.strata)
    for column, values in levels.items():
        if column not in table.columns or column in (args.time, args.event):
            raise ConfigError(f"--levels names '{column}', which is not --group, --strata or a covariate")
        if pd.api.types.is_numeric_dtype(table[column]):
            table[column] = table[column].map(lambda v: None if v != v else format(v, "g"))
        unknown = sorted(set(table[column].dropna()) - set(values))
        if unknown:
            row = table[table[column].isin(unknown)].iloc[0]
            raise InputError(f"value '{row[column]}' is not among the --levels given ({', '.join(values)})",
                             file=args.table, line=int(row["__line__"]), column=column)
    base = [args.time, args.event] + ([args.group] if args.group else [])
    complete = np.ones(len(table), dtype=bool)
    for c in base:
        complete &= table[c].notna().to_numpy()
    if not complete.any():
        raise InputError(f"no rows left after leaving out rows with a missing {', '.join(base)} "
                         f"({len(table)} data rows)", file=args.table, line=1, column=args.time)
    tables = survival_analysis(table, time=args.time, event=args.event, group=args.group, covariates=covariates,
                               strata=args.strata, levels=levels, conf_type=args.conf_type)
    outdir = Path(args.outdir)
    km_plot = km_svg(tables.km_curve, tables.km, title=f"Kaplan-Meier: {args.group or 'all patients'}",
                     time_label=args.time, group_label=args.group or "")
    forest = forest_svg(tables.cox)
    with Outputs() as out:
        write_tsv(tables.km, out.path(outdir / "km.tsv"))
        write_tsv(tables.km_curve, out.path(outdir / "km_curve.tsv"))
        write_tsv(tables.logrank, out.path(outdir / "logrank.tsv"))
        write_tsv(tables.cox, out.path(outdir / "cox.tsv"))
        write_tsv(tables.ph_test, out.path(outdir / "ph_test.tsv"))
        for name, svg in (("km.svg", km_plot), ("forest.svg", forest)):
            with open(out.path(outdir / name), "w", encoding="utf-8", newline="\n") as fh:
                fh.write(svg)
