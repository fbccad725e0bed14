"""Operations: where coordination and bylines meet.

articles matched to the posts that shared them (shares) -> byline <-> group links
tested against a null model (links) -> accounts presenting as a byline (personas) ->
the connected pieces, ranked and told in words (assemble). Reads a ``Detection``, a
``BylineResult`` (or None) and the canonical tables; returns one ``OperationResult``.
"""
