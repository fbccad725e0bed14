"""The run database: one DuckDB connection, the canonical tables and the result tables."""
