"""Use cases: plain functions over a unit of work; what every front end calls."""
