"""Dagster orchestration: the whole pipeline as one asset graph (definitions.py loads it)."""
