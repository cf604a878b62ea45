"""Private helpers shared by the surfaces: error dispatch, caller address, JSON."""
