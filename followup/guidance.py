"""The guideline's words the follow-up pages quote, each with its source, exactly as retrieved.

All from the Joint Clinical Practice Guideline on Benzodiazepine Tapering (Brunner E, et al.,
J Gen Intern Med 2025, DOI 10.1007/s11606-025-09499-2), as printed in the ASAM pocket guide.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quotation:
    text: str
    source: str
    url: str


POCKET_GUIDE = "Joint Clinical Practice Guideline on Benzodiazepine Tapering (2025), ASAM pocket guide"

# Recommendation 11, as far as the retrieved page shows it: the rest of the sentence was cut off in the
# only copy found, so it ends with an ellipsis rather than a guess.
HOLD = Quotation(
    text="Clinicians should first consider pausing or slowing the pace of the BZD taper when patients experience symp…",
    source=f"{POCKET_GUIDE}, Recommendation 11 (p.8)",
    url="https://eguideline.guidelinecentral.com/i/1532950-benzodiazepine-tapering/7",
)

# The guideline's tapering algorithm, the box that follows significant withdrawal symptoms.
HOLD_ALGORITHM = Quotation(
    text="Significant withdrawal symptoms: Pause/slow taper. If paused, consider slower taper when ready to resume.",
    source=f"{POCKET_GUIDE}, tapering algorithm (p.29)",
    url="https://eguideline.guidelinecentral.com/i/1532950/28",
)

EACH_REDUCTION = Quotation(
    text=(
        "Clinicians should evaluate patients undergoing tapering for signs and symptoms related to the "
        "BZD taper with each dose reduction (CC-S)."
    ),
    source=f"{POCKET_GUIDE}, Recommendation 9 (p.8)",
    url="https://eguideline.guidelinecentral.com/i/1532950-benzodiazepine-tapering/7",
)

REVIEW = Quotation(
    text=(
        "Clinicians should ideally assess the risks and benefits of ongoing BZD prescribing at least "
        "every 3 months for each patient taking BZD medications (See Table 1 and Table 2) (CC-S)."
    ),
    source=f"{POCKET_GUIDE}, Recommendation 1 (p.6)",
    url="https://eguideline.guidelinecentral.com/i/1532950-benzodiazepine-tapering/5",
)

REVIEW_SOONER = Quotation(
    text=(
        "Clinicians should conduct more frequent risk–benefit assessments of continued BZD prescribing "
        "for patients who: i. Are concomitantly taking opioid medication. ii. Have a substance use "
        "disorder (SUD)."
    ),
    source=f"{POCKET_GUIDE}, Key Takeaway 1a (p.3)",
    url="https://eguideline.guidelinecentral.com/i/1532950/2",
)
