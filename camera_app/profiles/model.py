"""Plain records of the profile store: a profile and its assurance state.

A profile holds a name, a declared date of birth and how far its age has been
assured. Nothing here holds pictures or a history of age estimates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class Assurance(StrEnum):
    """How far a profile's age has been assured.

    ``declared``: only the date of birth the person typed. ``challenged``: the live
    age estimate or the review queue questions the declared age and a review is
    pending. ``verified_adult``: a reviewer confirmed an adult.
    """

    DECLARED = "declared"
    CHALLENGED = "challenged"
    VERIFIED_ADULT = "verified_adult"


@dataclass(frozen=True, slots=True)
class Profile:
    profile_id: int
    name: str
    birthdate: date
    assurance: Assurance
    created_utc: datetime
    # False when the stored row fails its seal (edited outside SafeLens, or the device secret
    # changed): the policy then treats the profile as under 18 and under review.
    seal_ok: bool = True

    def age_on(self, today: date) -> int:
        from camera_app.profiles.gate import age_on

        return age_on(self.birthdate, today)
