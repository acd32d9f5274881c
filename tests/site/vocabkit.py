"""A briefing with its own vocabularies, shared by the tests of its checks, pages and PDF."""

from __future__ import annotations

from generator.reference.jsonschema import schema_line


def sheet(kind: str, body: str) -> str:
    """A fact sheet's text: the schema line for ``kind``, then ``body``."""
    return f"{schema_line(kind)}\n{body.lstrip(chr(10))}"


#: A briefing with its own term categories (not in alphabetical order), plan statuses, sides
#: and an added stance.
VOCABULARIES = """\
title: Test briefing
vocabularies:
  term_category:
    - word: territory
      label: Territory and zones
      meaning: Borders and who holds what.
    - word: storage
      label: Amounts in storage
      meaning: How much may be kept, and where.
  plan_status:
    - word: in-force
      label: In force
      meaning: Binding on the parties.
    - word: leaked
      label: Leaked
      meaning: Made public without consent.
  side:
    - word: Northland
      meaning: The northern party.
    - word: Intermediaries
      label: Go-betweens
      meaning: Those who carry messages.
  stance:
    - word: ratified
      label: Ratified
      meaning: Has ratified it.
      symbol: "★"
      colour: supports
"""

STOCKPILE = sheet("terms", """
id: stockpile-cap
plan: peace-plan
number: 2
title: A cap on the stockpile
category: storage
facts:
  - text: Caps the stockpile.
    sources: [test-report]
    certainty: reported
""")

RATIFIED = sheet("positions", """
id: northland-on-stockpile-cap
actor: northland
on: stockpile-cap
stance: ratified
facts:
  - text: Northland has ratified the cap.
    sources: [test-report]
    certainty: confirmed
""")


#: Two actors outside every side: one with none, one on Other.
UNSIDED = {
    "content/actors/carol-clerk.yml": sheet("actors", """
id: carol-clerk
name: Carol Clerk
kind: person
facts:
  - text: Kept the minutes.
    sources: [test-report]
    certainty: reported
"""),
    "content/actors/dan-drifter.yml": sheet("actors", """
id: dan-drifter
name: Dan Drifter
kind: person
side: Other
facts:
  - text: Watched the talks.
    sources: [test-report]
    certainty: reported
"""),
}
