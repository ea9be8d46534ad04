"""SafeLens: disclosure, telling people a picture was altered, in the frame and after it leaves the app.

- ``catalogue`` + ``messages/*.toml``: the words, one file per language;
- ``labels``: the short label and the info-sheet text from classifier results;
- ``plate``, ``placement``, ``overlay``: the label drawn on frames, away from faces;
- ``identity``, ``provenance``, ``verify``, ``sidecar``: signed C2PA manifests for exports
  (a local certificate chain), read back and validated, plus a JSON sidecar;
- ``atomic``, ``export``: snapshot and MP4 writers that burn the label in and sign, atomically.

It knows no app paths (fonts and the identity folder are passed in) and imports only the
result types of ``effects``.
"""
