"""Data shipped inside the package: the paper's experiment catalog (a link to ``data/catalog.toml``)."""
