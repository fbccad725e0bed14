"""Ingest: open and sniff input files, stage them with exact line numbers, run one reader
per source format, validate, and load the canonical tables."""
