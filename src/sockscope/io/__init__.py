"""Readers (one module per source format) and the ingest pipeline that runs them."""
