"""A working day's worth of demo transactions, logged through the same services the
console and portals use."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DemoNote:
    author: str  # a person's first name
    body: str
    visibility: str = "shared"
    channel: str = "phone"
    direction: str = "out"


@dataclass(frozen=True)
class DemoTransaction:
    application: str
    requester: str  # first name
    recorded_by: str  # first name: the requester for the portal, a CSR for the phone
    title: str
    description: str
    priority: str | None
    profile: dict[str, str]
    notes: list[DemoNote] = field(default_factory=list)
    assign: list[str] = field(default_factory=list)
    status: str = ""
    resolution: str = ""


# fmt: off
TRANSACTIONS = [
    DemoTransaction(
        "service-issue", "Ewan", "Ewan", "Dosing pump on line 3 stopped overnight",
        "The ClearFlow pump on bottling line 3 showed alarm E42 at 02:10 and has not "
        "restarted. Line 3 is running on manual dosing.",
        "P1", {"issue-type": "fault", "product": "clearflow-dosing-pump",
               "area": "north-east"},
        [DemoNote("Fiona", "Called Ewan back. E42 is a flow-sensor fault; talked him "
                  "through a sensor reset, no change. Dispatching a technician."),
         DemoNote("Fiona", "Likely the flow sensor batch recalled in October. Check "
                  "serial before swapping.", "internal", "internal", "none")],
        ["Tom", "Aisha"], "in-progress"),
    DemoTransaction(
        "service-issue", "Kirsty", "Fiona", "AquaSense controller clock drifts",
        "Controller time is 6 minutes fast after each weekend; logs no longer line up "
        "with the plant SCADA.",
        "P3", {"issue-type": "configuration", "product": "aquasense-controller"},
        [DemoNote("Fiona", "Kirsty called in. NTP server setting looks blank on her "
                  "screenshots.", "shared", "phone", "in")],
        ["Aisha"]),
    DemoTransaction(
        "complaint", "Sandeep", "Sandeep", "Replacement filter unit arrived damaged",
        "The ClearFlow filter unit delivered on Tuesday had a cracked housing. Photos "
        "attached to the delivery note.",
        "P2", {"category": "delivery", "product": "clearflow-filter-unit"},
        [DemoNote("Ravi", "Sorry about this, Sandeep. A replacement is booked for "
                  "Thursday and the courier will collect the damaged unit.", "shared",
                  "email", "out")],
        [], "waiting"),
    DemoTransaction(
        "service-issue", "Helen", "Ravi", "Sensor pack readings frozen in ward B plant room",
        "Chlorine readings from the AquaSense sensor pack have shown the same value "
        "since Monday.",
        "P2", {"issue-type": "fault", "product": "aquasense-sensor-pack",
               "area": "central-belt"},
        [DemoNote("Ravi", "Remote session: sensor pack firmware 2.3 hung. Restarted it "
                  "remotely; readings are moving again.", "shared", "phone", "out")],
        ["Tom"], "resolved", "Restarted the sensor pack remotely and scheduled the "
        "firmware 2.4 update, which fixes the hang."),
    DemoTransaction(
        "enquiry", "Priya", "Priya", "Price for a second HydroLink gateway",
        "We are adding a plant room in the east wing. What does a second gateway cost, "
        "and can it share our dashboard licence?",
        "P4", {"product": "hydrolink-gateway"}),
    DemoTransaction(
        "call-back", "Alan", "Alan", "Please call about the depot wash-bay controller",
        "Best number is the depot office.", "P3", {"preferred-time": "morning"}),
    DemoTransaction(
        "service-issue", "Sophie", "Fiona", "Dashboard shows no data for Greenock site",
        "HydroLink cloud dashboard has been empty for the Greenock site since 14:00.",
        "P2", {"issue-type": "fault", "product": "hydrolink-cloud-dashboard",
               "area": "west"},
        [DemoNote("Fiona", "Gateway is offline from our side. Asked Sophie to check the "
                  "site router.", "shared", "phone", "out")],
        ["Aisha"], "waiting"),
    DemoTransaction(
        "compliment", "Jamie", "Jamie", "Thanks to Tom for the quick fix",
        "Tom sorted our dosing alarms in under an hour on Friday. Much appreciated.",
        None, {"category": "staff"}),
    DemoTransaction(
        "sales-opportunity", "Niamh", "Callum", "Tayside water board retrofit, 12 sites",
        "Partner-led retrofit of AquaSense controllers across 12 pumping stations.",
        None, {"product": "aquasense-controller", "deal-value": "184000.00",
               "close-date": "2027-03-31"}),
    DemoTransaction(
        "service-issue", "Lucy", "Lucy", "Expense system rejects HydroLink invoices",
        "Supplier invoices for HydroLink licences fail the VAT check in the expense system.",
        "P4", {"issue-type": "billing", "product": "hydrolink-cloud-dashboard"}),
]
# fmt: on
