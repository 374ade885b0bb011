"""Physical models of the sample: nanocrystal structure, cross-polarization kinetics, the
mesoporous-silica matrix and relayed DNP, sensitivity and time, the 2D D-HMQC.
"""
