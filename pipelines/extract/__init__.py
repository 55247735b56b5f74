"""Extraction: raw report files → parsed reports → the Parquet lake.

`formats/` and `decode.py` turn bytes into text; `batch.py` parses many reports at once with
polars, helped by `lines`, `normalize`, `sections`, `metadata`, and by the table readers
(`tables.py`, over `cells.py`'s cells) run once per table shape (`plans.py`); `report.py` gives
one report as an object. File and lake I/O live in `corpus.py` and `lake.py`.
"""
