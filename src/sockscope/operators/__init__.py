"""Same operator, different times: pairwise evidence that two accounts are run by one
person even when they are never active together (ban evasion, personas used in turn).

``analyse.find_operators`` gathers candidate pairs (shared rare targets, name and trace
neighbours), measures each kind of evidence (``targets``, ``turns``, ``names``,
``writing``, ``marks``), fuses them into one p-value per pair and forms operator groups.
"""
