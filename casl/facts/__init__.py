"""The Exchange 2013 defaults as tables: one place, loaded once.

Every table is plain data derived from ``shared/domain/exchange2013-facts.md`` (sections named in
each module). The simulation is built from these tables; nothing else in casl writes these
values as literals.

>>> from casl.facts import iis
>>> [s.name for s in iis.SITES]
['Default Web Site', 'Exchange Back End']
"""
