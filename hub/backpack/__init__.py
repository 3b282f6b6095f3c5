"""The earner's side of the hub: baked badge downloads and the backpack."""
