"""Figure, card, table and sentence primitives shared by the sections (pure: data in, figures and components out)."""
