"""Models of this app; see DESIGN.md §2 for the glossary."""
