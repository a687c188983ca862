"""Recognise the metadata columns survey platforms add, and which of them identify a person.

Qualtrics, SurveyMonkey, REDCap, Microsoft Forms and Google Forms put their own columns beside
the answers: when the response started and ended, how far the person got, and on some platforms
who they are and where they were (IP address, latitude/longitude, name, e-mail, an external
reference that links to a mailing list). Identifying columns are personal data the coding never
needs, so an import leaves them out unless asked; the others are kept as attributes but marked
as metadata, so the coding screen can hide them and exports can tell them from the survey's own
questions.

A column is recognised by its name with case, spaces and punctuation ignored (``IP Address`` and
``IPAddress`` are one name). Names that identify someone only in a platform's own layout
(``Name`` and ``Email`` in Microsoft Forms) count only when enough of that platform's columns are
there to be sure it is that platform's export.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Platform:
    """One survey platform's columns, as squashed names (lower case, letters and digits only)."""

    name: str
    identifying: dict[str, str]  # squashed name -> why it identifies someone
    descriptive: frozenset[str]  # kept, but metadata (when, how long, how far, which channel)
    signature: frozenset[str]  # names distinctive enough that two of them tell the platform
    prefixes: tuple[str, ...] = ()  # REDCap adds per-instrument columns: "<form>_timestamp"
    suffixes: tuple[str, ...] = ()
    first_column: str = ""  # a first column that alone tells the platform (Google's Timestamp)

    def matches(self, key: str) -> bool:
        return (key in self.identifying or key in self.descriptive
                or key.startswith(self.prefixes) or key.endswith(self.suffixes))

    def evidence(self, keys: Iterable[str]) -> int:
        """How many of ``keys`` are this platform's own (REDCap's prefixed and suffixed names
        such as ``redcap_event_name`` and ``<instrument>_complete`` count as its signature)."""
        return sum(key in self.signature
                   or bool(self.prefixes) and key.startswith(self.prefixes)
                   or bool(self.suffixes) and key.endswith(self.suffixes) for key in keys)


_IP = "an IP address"
_PLACE = "a location (latitude/longitude)"
_NAME = "a person's name"
_EMAIL = "an e-mail address"
_LINK = "a reference that links the response to a person"

PLATFORMS = (
    Platform("Qualtrics",
             {"ipaddress": _IP, "locationlatitude": _PLACE, "locationlongitude": _PLACE,
              "recipientlastname": _NAME, "recipientfirstname": _NAME, "recipientemail": _EMAIL,
              "externalreference": _LINK, "externaldatareference": _LINK},
             frozenset({"startdate", "enddate", "status", "progress", "durationinseconds",
                        "finished", "recordeddate", "distributionchannel", "userlanguage",
                        "qrecaptchascore", "qrelevantidduplicate", "qrelevantidduplicatescore",
                        "qrelevantidfraudscore", "qrelevantidlaststartdate", "qballotboxstuffing"}),
             frozenset({"responseid", "recordeddate", "distributionchannel", "userlanguage",
                        "durationinseconds", "locationlatitude", "locationlongitude",
                        "recipientemail", "externalreference", "externaldatareference"})),
    Platform("SurveyMonkey",
             {"ipaddress": _IP, "emailaddress": _EMAIL, "firstname": _NAME, "lastname": _NAME,
              "customdata1": _LINK},
             frozenset({"collectorid", "startdate", "enddate"}),
             frozenset({"respondentid", "collectorid", "customdata1"})),
    Platform("REDCap",
             {"redcapsurveyidentifier": _LINK},
             frozenset({"redcapeventname", "redcaprepeatinstrument", "redcaprepeatinstance",
                        "redcapdataaccessgroup", "redcapsurveytimestamp"}),
             frozenset({"recordid"}), prefixes=("redcap",), suffixes=("timestamp", "complete")),
    Platform("Microsoft Forms",
             {"email": _EMAIL, "name": _NAME},
             frozenset({"starttime", "completiontime", "lastmodifiedtime"}),
             frozenset({"starttime", "completiontime", "lastmodifiedtime"})),
    Platform("Google Forms",
             {"emailaddress": _EMAIL},
             frozenset({"timestamp", "score", "totalscore"}), frozenset(),
             first_column="timestamp"),
)
# Identifying whatever the platform: no survey question is called "IPAddress".
_ALWAYS = {key: reason for platform in PLATFORMS[:1] for key, reason in platform.identifying.items()}
_MIN_SIGNATURE = 2  # signature columns that must be present before a platform's generic names count


@dataclass(frozen=True)
class MetadataColumns:
    """The platform columns of one file: identifying ones (each with why) and descriptive ones."""

    platforms: tuple[str, ...]
    identifying: tuple[tuple[str, str], ...]  # (column, reason)
    descriptive: tuple[str, ...]


def squash(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.casefold())


def classify(names: Sequence[str], layout: str = "plain") -> MetadataColumns:
    """Sort ``names`` into identifying and descriptive platform columns (the rest are neither).

    ``layout`` is what :mod:`codewell.io.layouts` found ("qualtrics", "surveymonkey" or "plain"):
    a recognised header block is proof enough of the platform.
    """
    keys = {name: squash(name) for name in names}
    first = squash(names[0]) if names else ""
    found = [platform for platform in PLATFORMS
             if platform.name.casefold().replace(" ", "") == layout]
    if not found:
        scores = [(platform, platform.evidence(keys.values())) for platform in PLATFORMS]
        best = max(score for _, score in scores)
        found = [platform for platform, score in scores
                 if score >= _MIN_SIGNATURE and score == best
                 or platform.first_column and platform.first_column == first]
    identifying: list[tuple[str, str]] = []
    descriptive: list[str] = []
    for name, key in keys.items():
        reason = _ALWAYS.get(key) or next(
            (p.identifying[key] for p in found if key in p.identifying), None)
        if reason:
            identifying.append((name, reason))
        elif any(p.matches(key) for p in found):
            descriptive.append(name)
    return MetadataColumns(tuple(p.name for p in found), tuple(identifying), tuple(descriptive))


def metadata_attributes(names: Iterable[str]) -> set[str]:
    """The attribute names (of a project's responses) that are platform metadata, for screens
    that hide them; identifying ones count too, for projects imported with ``--keep-metadata``."""
    names = list(names)
    found = classify(names)
    return {name for name, _ in found.identifying} | set(found.descriptive)
