"""The two hand-written files (ncpi.yaml, the plan) and the plan as a spreadsheet."""
