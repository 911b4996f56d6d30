"""Partner services (partners.md F, G, H): BC Card indices, the RA testbed, BIGBOT, Haystack
and Wavelet news and quotes, Fabotdw, Bookkeeper and NICE financial information, TheCheat.

One sub-package per family (``bccard/``, ``ratestbed/``, ...), each with ``routes.py`` (views
registered through :func:`sandbox.families.partners.ops.partner_op`) and its models. The data
live in :mod:`sandbox.world.partners`; every family reads the same market universe, so codes,
names, sectors, prices and statements agree across providers.
"""
