"""The domain: the plan's vocabulary and the rules over it, pure (no storage, no platform)."""
