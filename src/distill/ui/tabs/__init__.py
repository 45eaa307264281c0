"""The app's tabs: each builds its layout and wires its handlers (no logic of its own)."""
