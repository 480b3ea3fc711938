"""The demo company and the people in it: Brightwater Systems, who make and service
water-treatment controllers, their teams, three customers, a partner and their own
employees."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoOrganization:
    key: str
    name: str
    kind: str
    account_number: str
    area: str
    address: str
    city: str
    postcode: str
    phone: str
    domain: str
    parent: str = ""  # a team's company


@dataclass(frozen=True)
class DemoPerson:
    first_name: str
    last_name: str
    organization: str  # DemoOrganization.key
    group: str
    role: str  # what they do, printed beside their log-in
    job_title: str
    phone: str

    @property
    def email(self) -> str:
        domain = {org.key: org.domain for org in ORGANIZATIONS}[self.organization]
        local = f"{self.first_name}.{self.last_name}".lower().replace("'", "")
        return f"{local}@{domain}"


_QUAY = ("Central Belt", "14 Finnieston Quay", "Glasgow", "G3 8HN")
_BW = "brightwater.example"

# fmt: off
ORGANIZATIONS = [
    DemoOrganization("brightwater", "Brightwater Systems Ltd", "own", "BW-0001", *_QUAY,
                     "+44 141 496 0100", _BW),
    DemoOrganization("service-desk", "Service Desk", "team", "BW-T01", *_QUAY,
                     "+44 141 496 0110", _BW, "brightwater"),
    DemoOrganization("field-service", "Field Service", "team", "BW-T02", *_QUAY,
                     "+44 141 496 0120", _BW, "brightwater"),
    DemoOrganization("sales", "Sales", "team", "BW-T03", *_QUAY,
                     "+44 141 496 0160", _BW, "brightwater"),
    DemoOrganization("harbour", "Harbour Foods plc", "customer", "C-10231", "North East",
                     "Unit 4, Altens Industrial Estate", "Aberdeen", "AB12 3LY",
                     "+44 1224 496 220", "harbourfoods.example"),
    DemoOrganization("kelvin", "Kelvin Medical Group", "customer", "C-10487", "Central Belt",
                     "200 Dumbarton Road", "Glasgow", "G11 6UE",
                     "+44 141 496 0733", "kelvinmedical.example"),
    DemoOrganization("clyde", "Clyde Logistics Ltd", "customer", "C-10902", "West",
                     "Inchgreen Dock Road", "Greenock", "PA15 4AB",
                     "+44 1475 496 410", "clydelogistics.example"),
    DemoOrganization("tayside", "Tayside Integration Partners", "partner", "P-2004", "East",
                     "3 Discovery Quay", "Dundee", "DD1 4XA",
                     "+44 1382 496 155", "taysidepartners.example"),
]

PEOPLE = [
    DemoPerson("Fiona", "MacLeod", "service-desk", "Staff", "CSR",
               "Customer service representative", "+44 141 496 0111"),
    DemoPerson("Ravi", "Patel", "service-desk", "Staff", "CSR",
               "Customer service representative", "+44 141 496 0112"),
    DemoPerson("Tom", "Reid", "field-service", "Staff", "technician",
               "Field service technician", "+44 141 496 0121"),
    DemoPerson("Aisha", "Khan", "field-service", "Staff", "technician",
               "Support engineer", "+44 141 496 0122"),
    DemoPerson("Morag", "Campbell", "service-desk", "Supervisors", "supervisor",
               "Service supervisor", "+44 141 496 0130"),
    DemoPerson("Callum", "Ross", "sales", "Staff", "sales",
               "Account manager", "+44 141 496 0161"),
    DemoPerson("Graham", "Stewart", "brightwater", "Systems administrators", "administrator",
               "Systems administrator", "+44 141 496 0140"),
    DemoPerson("Lucy", "Chen", "brightwater", "Employees", "employee",
               "Finance officer", "+44 141 496 0150"),
    DemoPerson("Owen", "Davies", "brightwater", "Employees", "employee",
               "HR advisor", "+44 141 496 0151"),
    DemoPerson("Ewan", "Grant", "harbour", "Customers", "customer",
               "Operations manager", "+44 1224 496 221"),
    DemoPerson("Kirsty", "Muir", "harbour", "Customers", "customer",
               "Plant engineer", "+44 1224 496 222"),
    DemoPerson("Sandeep", "Rao", "harbour", "Customers", "customer",
               "Quality lead", "+44 1224 496 223"),
    DemoPerson("Helen", "Baird", "kelvin", "Customers", "customer",
               "Estates manager", "+44 141 496 0734"),
    DemoPerson("Jamie", "Fraser", "kelvin", "Customers", "customer",
               "Facilities technician", "+44 141 496 0735"),
    DemoPerson("Priya", "Nair", "kelvin", "Customers", "customer",
               "Procurement officer", "+44 141 496 0736"),
    DemoPerson("Alan", "Murray", "clyde", "Customers", "customer",
               "Depot manager", "+44 1475 496 411"),
    DemoPerson("Sophie", "Wallace", "clyde", "Customers", "customer",
               "Fleet coordinator", "+44 1475 496 412"),
    DemoPerson("Niamh", "O'Neill", "tayside", "Partners", "partner",
               "Partner manager", "+44 1382 496 156"),
    DemoPerson("David", "Lindsay", "tayside", "Partners", "partner",
               "Integration engineer", "+44 1382 496 157"),
]
# fmt: on

# Which team's queue each application's new transactions join.
APPLICATION_TEAMS = {
    "service-issue": "service-desk",
    "complaint": "service-desk",
    "compliment": "service-desk",
    "enquiry": "service-desk",
    "call-back": "service-desk",
    "sales-opportunity": "sales",
}

# Who answers for each customer's and the partner's account (an automation rule tells
# them when one of their people leaves), and who owns each product (a rule may tell them
# of its faults): first names of staff.
ACCOUNT_OWNERS = {"harbour": "Callum", "kelvin": "Callum", "clyde": "Ravi", "tayside": "Callum"}
PRODUCT_OWNERS = {
    "aquasense-controller": "Aisha",
    "aquasense-sensor-pack": "Aisha",
    "clearflow-dosing-pump": "Tom",
    "clearflow-filter-unit": "Tom",
    "hydrolink-gateway": "Ravi",
    "hydrolink-cloud-dashboard": "Ravi",
}
# The teams' supervisors: "a complaint is logged → the team's supervisor" reaches Morag.
TEAM_SUPERVISORS = {"service-desk": "Morag", "field-service": "Morag"}
# Customers since (first name → year, month, day), and those who asked for our news.
CUSTOMERS_SINCE = {
    "Ewan": (2016, 3, 14),
    "Kirsty": (2018, 6, 1),
    "Helen": (2019, 9, 2),
    "Alan": (2021, 5, 17),
    "Sophie": (2021, 5, 17),
}
NEWS_READERS = ("Ewan", "Kirsty", "Helen", "Priya", "Alan", "Niamh")
# Whose birthday the demo day is (in their time zone), so the greeting goes out at once.
BIRTHDAY_PERSON = "Kirsty"
BIRTHDAY_YEAR = 1988  # a leap year: the demo can be loaded on 29 February
