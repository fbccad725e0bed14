"""The lab: simulated worlds with ground truth, scoring against it, the naive baseline."""
