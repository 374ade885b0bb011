"""Applications on top of the core: the ``qdkit`` command line, Dask batch processing,
standalone reports and atomic output files.
"""
