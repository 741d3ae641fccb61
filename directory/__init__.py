"""The staff directory: people, experts, bureaus, teams and presence."""
