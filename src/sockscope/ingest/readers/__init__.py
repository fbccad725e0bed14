"""One reader per source format: each maps staged rows onto the canonical tables."""
