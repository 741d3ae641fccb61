"""Templates and static files of the whole site."""
