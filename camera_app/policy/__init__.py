"""The under-18 policy: the pure rules, the gate that applies them to effect specs, hysteresis on the live age signal, and the under-13 review queue."""
