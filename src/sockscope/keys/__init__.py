"""Normalisers for keys: one public function per module (text, URLs)."""
