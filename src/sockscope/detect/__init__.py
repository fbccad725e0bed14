"""Detection: traces -> co-actions -> significance -> amplification -> groups -> audiences."""
