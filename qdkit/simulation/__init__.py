"""Simulation: sites and tensor conventions, powder averaging, the MAS sideband engine,
quadrupolar lineshapes, CPMG echo trains and the bridge to mrsimulator.
"""
