"""Authorship: style features, verifiers that answer "did the writer(s) of these texts
also write that one?", their calibration with an explicit no-answer band, and the PAN
evaluation."""
