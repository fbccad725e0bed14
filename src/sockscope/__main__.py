"""``python -m sockscope``: the command line, as the ``sockscope`` script."""

from sockscope.cli import main

main()
