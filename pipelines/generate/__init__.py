"""Synthetic annual reports with known ground truth, to test the parser and the warehouse.

A report is fixed by a `Variant` (template, layout, script, encoding, oddities) and an rng
seed; `generate_report` returns its bytes, a file name and the truth (every cell, expected
findings, any rule broken on purpose). `generate_corpus` writes many, deterministically.

Modules, one job each: `agencies` (who publishes), `values` (realistic reconciling values),
`rules` (R1–R4, breaking one), `forms` (the templates' printed tables as grids), `printing`
(one cell's text), `narrative` (the words around the tables), `document` (a layout-free
report), `render` (one renderer per layout), `encode` (script and bytes), `variants` (the
matrix), `report` (one report and its truth), `compare` (parser output vs truth), `corpus`
(the writer), `cli` (the command).
"""

from pipelines.generate.cli import main
from pipelines.generate.corpus import generate_corpus
from pipelines.generate.report import Generated, generate_report
from pipelines.generate.variants import Variant, all_variants, variants_strategy

__all__ = ["Generated", "Variant", "all_variants", "generate_corpus", "generate_report", "main", "variants_strategy"]
