"""The demo's activities, as campaigns against the synthetic groups (fictional operations, names and events).

A campaign is one or more activities on the home sector of one synthetic group (its hotspot,
``portal.demo_synthetic``), and what the demo's records show around it: a fall in harm after it
(FALL), harm moved to one touching sector (DISPLACED), or no change (NONE). The records of the
6 months after a FALL or DISPLACED campaign are shaped accordingly (``portal.demo_activities``).

Campaigns with an effect end by May 2022, so that 6 months before and 6 months after them lie
within the synthetic months (March 2021 to February 2023) and before the real police.uk months
(December 2022 on), which would otherwise add to every "after". Later activities have no effect
written into the records: their "after" is not over in the demo's data.
"""
from dataclasses import dataclass, field
from datetime import date

from tasking.models import ActivityKind as K

FALL, DISPLACED, NONE = "fall", "displaced", "none"

# Where an activity is aimed: the group's sector; a point in it (an address); a small polygon in it
# (a street or an estate); the sector and every sector touching it.
SECTOR, POINT, POLYGON, AROUND = "sector", "point", "polygon", "around"

# Who owns it: an organisation's code, or COUNCIL for the council of the sector's local authority.
FORCE, TRADING_STANDARDS, CRIMESTOPPERS, COUNCIL = "force", "tradingstandards", "crimestoppers", "council"


@dataclass(frozen=True)
class Act:
    ref: str
    kind: str
    owner: str
    title: str
    started_on: date
    ended_on: date | None = None
    where: str = SECTOR
    nominals: int = 0  # how many of the group's members it names
    notes: str = ""
    also: tuple[str, ...] = ()  # the refs of other groups whose sectors it targets too


@dataclass(frozen=True)
class Campaign:
    group: str
    effect: str
    acts: list[Act] = field(default_factory=list)


CAMPAIGNS = [
    Campaign("SYN-OCG-04", FALL, [
        Act("SYN-ACT-01", K.OPERATION, FORCE, "Operation Kestrel: crack cocaine supply from Rekendyke",
            date(2022, 1, 10), date(2022, 2, 25),
            notes="Intelligence-led operation against the supply network of Synthetic OCG 04: test purchases, "
                  "surveillance and a day of action."),
        Act("SYN-ACT-02", K.WARRANT, FORCE, "Operation Kestrel: drugs warrants at four addresses",
            date(2022, 2, 15), where=POINT, nominals=4,
            notes="Section 23 Misuse of Drugs Act 1971 warrants executed at 06:00 with the support team."),
        Act("SYN-ACT-03", K.ARREST, FORCE, "Operation Kestrel: arrest of the group's principal members",
            date(2022, 2, 15), date(2022, 2, 16), nominals=3,
            notes="Three charged with conspiracy to supply Class A; remanded in custody."),
        Act("SYN-ACT-04", K.SEIZURE, FORCE, "Operation Kestrel: cocaine, cash and a vehicle seized",
            date(2022, 2, 15), where=POINT,
            notes="About 400 g of crack cocaine, GBP 14,500 in cash and a car held under POCA."),
        Act("SYN-ACT-05", K.CLOSURE_ORDER, FORCE, "Closure order on a flat used for dealing", date(2022, 2, 24),
            where=POINT, notes="Three-month closure order granted by the magistrates on the police application."),
        Act("SYN-ACT-06", K.HOUSING, COUNCIL, "Tenancy enforcement at the closed flat", date(2022, 2, 28),
            notes="Notice seeking possession served; the tenant was supported into other housing."),
    ]),
    Campaign("SYN-OCG-01", FALL, [
        Act("SYN-ACT-07", K.OPERATION, FORCE, "Operation Harrier: supply along the coast",
            date(2021, 10, 4), date(2021, 11, 26),
            notes="Disruption of Synthetic OCG 01's street supply around the seafront and the town centre."),
        Act("SYN-ACT-08", K.WARRANT, FORCE, "Operation Harrier: warrant at a storage address", date(2021, 11, 17),
            where=POINT, nominals=2, notes="Cannabis, scales and a ledger recovered."),
        Act("SYN-ACT-09", K.TRADING_STANDARDS, TRADING_STANDARDS, "Illicit tobacco test purchases and seizures",
            date(2021, 11, 9), date(2021, 11, 12), where=POLYGON,
            notes="Six shops visited with a tobacco detection dog; 11,000 cigarettes seized from two."),
    ]),
    Campaign("SYN-OCG-03", FALL, [
        Act("SYN-ACT-10", K.SEIZURE, FORCE, "Cannabis farm dismantled in a rented house", date(2022, 1, 19),
            where=POINT, notes="186 plants across three rooms; the electricity meter had been bypassed."),
        Act("SYN-ACT-11", K.ARREST, FORCE, "Arrests of the farm's organiser and gardener",
            date(2022, 1, 19), date(2022, 1, 21), nominals=2,
            notes="The gardener was referred as a potential victim of modern slavery."),
        Act("SYN-ACT-12", K.LICENSING, COUNCIL, "Licence review of a late-night takeaway",
            date(2022, 2, 7), date(2022, 3, 4),
            notes="Review on police representations; hours cut and CCTV made a condition."),
    ]),
    Campaign("SYN-OCG-09", FALL, [
        Act("SYN-ACT-13", K.OPERATION, FORCE, "Operation Merlin: firearms and supply on the estate",
            date(2021, 9, 6), date(2021, 10, 15), where=POLYGON,
            notes="Response to two discharges linked to Synthetic OCG 09; armed patrols and stop and search."),
        Act("SYN-ACT-14", K.WARRANT, FORCE, "Operation Merlin: firearms warrant", date(2021, 10, 6), where=POINT,
            nominals=2, notes="A converted pistol and ammunition recovered; two charged."),
    ]),
    Campaign("SYN-PCG-04", FALL, [
        Act("SYN-ACT-15", K.ARREST, FORCE, "Arrests after a run of street robberies", date(2022, 2, 21),
            nominals=3, notes="Three members of Synthetic PCG 04 charged; bail conditions keep them apart."),
        Act("SYN-ACT-16", K.CLOSURE_ORDER, FORCE, "Closure order on a house used by the peer group",
            date(2022, 3, 2), where=POINT, notes="Partial closure order; the family stays, visitors may not."),
        Act("SYN-ACT-17", K.EDUCATION, COUNCIL, "Youth club and school sessions on exploitation",
            date(2022, 2, 7), date(2022, 3, 25),
            notes="Delivered with the youth service to years 8 to 10 and at two youth clubs."),
    ]),
    Campaign("SYN-OCG-07", DISPLACED, [
        Act("SYN-ACT-18", K.OPERATION, FORCE, "Operation Osprey: dealing from the estate",
            date(2021, 11, 1), date(2021, 12, 17),
            notes="High-visibility patrols and targeted stop and search against Synthetic OCG 07's runners."),
        Act("SYN-ACT-19", K.WARRANT, FORCE, "Operation Osprey: warrants at two flats", date(2021, 12, 8),
            where=POINT, nominals=2, notes="Heroin and crack cocaine wraps recovered; one arrest."),
        Act("SYN-ACT-20", K.HOUSING, COUNCIL, "Joint visits with housing officers", date(2021, 11, 15),
            date(2021, 12, 10), notes="Tenancy checks at addresses named in intelligence reports."),
    ]),
    Campaign("SYN-PCG-01", DISPLACED, [
        Act("SYN-ACT-21", K.SEIZURE, FORCE, "Street dealing seizures around the shopping parade",
            date(2022, 2, 21), date(2022, 3, 18), notes="Eleven stop and searches with a find; cannabis and cash."),
        Act("SYN-ACT-22", K.CLOSURE_ORDER, FORCE, "Closure orders on two flats", date(2022, 3, 14),
            date(2022, 3, 15), where=POINT, notes="Both used by Synthetic PCG 01 to store and sell drugs."),
        Act("SYN-ACT-23", K.OTHER_PARTNER, COUNCIL, "Safeguarding visits to cuckooed tenants",
            date(2022, 3, 21), date(2022, 4, 8), notes="Adult social care visits to four vulnerable tenants."),
    ]),
    Campaign("SYN-OCG-02", NONE, [
        Act("SYN-ACT-24", K.OPERATION, FORCE, "Operation Peregrine: county lines into Hendon",
            date(2022, 4, 4), date(2022, 5, 13),
            notes="Line-holder identified; phones and addresses of Synthetic OCG 02 under investigation."),
        Act("SYN-ACT-25", K.ARREST, FORCE, "Operation Peregrine: arrest of two runners", date(2022, 5, 11),
            nominals=2, notes="Released under investigation; the line kept running."),
    ]),
    Campaign("SYN-PCG-02", NONE, [
        Act("SYN-ACT-26", K.LICENSING, COUNCIL, "Licensing visits to late-night venues",
            date(2022, 1, 14), date(2022, 2, 26), where=POLYGON,
            notes="Joint visits with the police licensing team; two premises given action plans."),
        Act("SYN-ACT-27", K.EDUCATION, FORCE, "County lines awareness in two secondary schools",
            date(2022, 2, 1), date(2022, 3, 11), notes="Schools liaison officers; assemblies and lessons."),
    ]),
    Campaign("SYN-UCG-02", NONE, [
        Act("SYN-ACT-28", K.TRADING_STANDARDS, TRADING_STANDARDS, "Illegal vape seizures at convenience stores",
            date(2021, 10, 11), date(2021, 10, 15), notes="Nine stores visited; 640 non-compliant vapes seized."),
    ]),
    Campaign("SYN-UCG-02", NONE, [
        Act("SYN-ACT-29", K.EDUCATION, CRIMESTOPPERS, "Fearless youth sessions on reporting crime anonymously",
            date(2022, 1, 10), date(2022, 1, 28), where=AROUND,
            notes="Sessions in schools of the ward and the wards around it."),
    ]),
    Campaign("SYN-PCG-03", NONE, [
        Act("SYN-ACT-33", K.HOUSING, COUNCIL, "Selective licensing checks on private rented houses",
            date(2022, 2, 7), date(2022, 2, 25),
            notes="Inspections of houses in multiple occupation named by neighbourhood officers."),
    ]),
    # Recent activities: their "after" is not over in the demo's data, so no effect is written.
    Campaign("SYN-OCG-02", NONE, [
        Act("SYN-ACT-30", K.OPERATION, FORCE, "Operation Peregrine, phase two", date(2022, 11, 7),
            date(2022, 12, 16), nominals=3, notes="Warrants on the line's new addresses; phones seized."),
    ]),
    Campaign("SYN-OCG-06", NONE, [
        Act("SYN-ACT-31", K.EDUCATION, COUNCIL, "Parents' evenings on exploitation and county lines",
            date(2022, 9, 12), date(2022, 10, 21)),
        Act("SYN-ACT-32", K.TRADING_STANDARDS, TRADING_STANDARDS, "Counterfeit goods seizure at a market",
            date(2023, 1, 14), also=("SYN-OCG-02",), notes="Counterfeit clothing and cigarettes from two stalls."),
    ]),
    Campaign("SYN-UCG-04", NONE, [
        Act("SYN-ACT-34", K.WARRANT, FORCE, "Warrant at a house linked to knife crime", date(2023, 1, 25),
            where=POINT, nominals=1, notes="Two knives and a small quantity of cannabis recovered."),
    ]),
    Campaign("SYN-PCG-09", NONE, [
        Act("SYN-ACT-35", K.ARREST, FORCE, "Arrests for a burglary series", date(2022, 8, 17), nominals=2),
    ]),
]

# The council of each local authority (an area command of the demo's geography, by name).
COUNCILS = {
    "Newcastle upon Tyne": ("newcastle-council", "Newcastle City Council"),
    "Sunderland": ("sunderland-council", "Sunderland City Council"),
    "North Tyneside": ("north-tyneside-council", "North Tyneside Council"),
    "South Tyneside": ("south-tyneside-council", "South Tyneside Council"),
    "Gateshead": ("gateshead-council", "Gateshead Council"),
    "Northumberland": ("northumberland-council", "Northumberland County Council"),
}
