"""The effect classifier: playful or appearance-altering, by measurement on reference faces.

``classify(effect, reference, detector)`` applies an effect to public-domain reference
faces, measures what it does to geometry, skin texture, colour and what it adds, and
applies one documented rule (``effects.classify.rules``). ``assess`` returns the same
with the per-face detail the creator check reports.
"""

from effects.classify.classifier import Assessment, ClassifyError, PartAssessment, assess, classify
from effects.classify.protocols import EffectUnderTest, LandmarkDetector, StackUnderTest
from effects.classify.reference import (
    QUICK_FACES,
    ReferenceError,
    ReferenceFace,
    ReferenceSet,
    load_reference,
    reference_face,
)

__all__ = [
    "QUICK_FACES",
    "Assessment",
    "ClassifyError",
    "EffectUnderTest",
    "LandmarkDetector",
    "PartAssessment",
    "ReferenceError",
    "ReferenceFace",
    "ReferenceSet",
    "StackUnderTest",
    "assess",
    "classify",
    "load_reference",
    "reference_face",
]
