"""Catalogue audits: every effect of a catalogue classified the way ``effects check`` does,
on a local process pool or a Ray cluster, into SQLite, JSON lines and an HTML report.

``run.run_audit`` drives an audit; ``catalogue`` finds and packs effects; ``task`` is what a
worker runs (on this machine or another); ``engine_local`` and ``engine_ray`` are the two
engines (only ``engine_ray`` imports ray); ``store`` is the SQLite file; ``report`` the HTML;
``synth`` writes synthetic catalogues.
"""
