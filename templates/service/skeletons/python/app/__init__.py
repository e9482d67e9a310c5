"""${{ values.name }}: an HTTP service scaffolded by Slipway."""
