"""Physical constants, written once (CODATA 2018 exact or recommended values, SI units).

Every model takes ħ, k_B and μ0/4π from here, so two modules can never disagree.
"""

from __future__ import annotations

__all__ = ["HBAR_J_S", "BOLTZMANN_J_K", "MU0_OVER_4PI_T_M_A", "AVOGADRO_PER_MOL"]

#: Reduced Planck constant ħ, J·s (CODATA 2018, exact from h).
HBAR_J_S = 1.054571817e-34
#: Boltzmann constant k_B, J/K (SI 2019, exact).
BOLTZMANN_J_K = 1.380649e-23
#: μ0/4π, T·m/A: exactly 1e-7 before the 2019 SI redefinition; CODATA 2018 gives
#: μ0 = 1.25663706212(19)e-6 N/A², 5.4e-10 relative above it.
MU0_OVER_4PI_T_M_A = 1e-7
#: Avogadro constant, 1/mol (SI 2019, exact).
AVOGADRO_PER_MOL = 6.02214076e23
