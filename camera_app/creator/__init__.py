"""The creator check: what an effect measures as, the guidance notes, and the before/after contact sheet."""
