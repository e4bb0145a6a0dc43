class RoutingError(ValueError):
    """A snapshot the engine cannot route: says which record and what is wrong."""
