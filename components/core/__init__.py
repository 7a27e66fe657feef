"""View primitives every other view package uses: the string catalogue, IDs, the view state, small Dash helpers."""
