"""Rendering on top of the model: DataFrames, diagrams and widgets. Nothing here holds state."""
