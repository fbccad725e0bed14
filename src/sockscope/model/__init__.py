"""The results every stage hands on, on the ground floor so that no stage imports
another stage's module for them: the detection parameters and ``Detection`` (edges,
groups, audiences), the byline analysis' ``BylineResult`` and the operations'
``OperationResult``."""
