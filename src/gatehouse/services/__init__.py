"""Use cases. No HTTP here: collaborators are handed in, results are values."""
