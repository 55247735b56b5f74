"""Extraction: raw report files → parsed reports → the Parquet lake.

Pure parsing lives in `normalize`, `lines`, `cells`, `sections`, `metadata`, `tables` and
`report`; file and lake I/O in `corpus` and `lake`.
"""
