"""``python -m sockscope``: the command line, as the ``sockscope`` script."""

from sockscope.entry import main

main()
