"""Silver and Gold summaries: the types (`model`) and building one from a PlanState (`build`)."""
