"""From spectra to numbers: lineshape and sideband fits (one result type), isotropic-peak
identification, relaxation and build-up fits.
"""
