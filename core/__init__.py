"""Framework-free code anyone may import: settings, limits, inert output."""
