"""TrueUp: premium audit for workers compensation and general liability."""
