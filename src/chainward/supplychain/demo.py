"""The ABC Logistics demo: a mid-size logistics company's supply chain as plain data.

`ensure_organisation()`, `ensure_admin()` and `build_demo()` create the records, or bring
existing ones back in line with the data below, one ordinary `save()` at a time so that every
write goes into the ledger. Records are found by natural keys and saved only when something
differs, so a second run writes nothing. Dates relative to today (programme validity,
exemptions, the external auditor's access) are set when a record is created and left alone
afterwards: re-running the demo on a later day does not rewrite them.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from chainward.access.models import Role, RoleAssignment, User
from chainward.core import roles

from . import choices
from .models import (
    Exemption,
    GoodsCategory,
    Leg,
    Organisation,
    Partner,
    PartnerContact,
    PartnerReview,
    ProgrammeStatus,
    Site,
    StatementOfApplication,
)

ORGANISATION = {
    "name": "ABC Logistics",
    "legal_name": "ABC Logistics GmbH",
    "country": "DE",
    "registration_number": "DE4712093855",
    "description": "Medium-sized contract logistics and freight company (about 850 staff) "
                   "running warehouses, cross-docks and road, rail, barge, sea and air "
                   "connections between Germany, the Netherlands, Poland and the Czech "
                   "Republic. Its security management system is certified to ISO "
                   "28000:2022 (first surveillance audit due) and assessed the ISO 28001 way.",
}

# The moment the whole demo tells (issue 12): certified to ISO 28000:2022 this many months ago
# (certification decision), so that surveillance audit 1 falls due in about two months; the
# audit programme, the readiness review and the management review agree with it.
CERTIFIED_MONTHS_AGO = 10

ADMIN_EMAIL = "admin@abc-logistics.example"
ADMIN_NAME = "Katrin Vogel"

# (e-mail local part, full name, role, site codes or () for the whole organisation)
PEOPLE = (
    ("h.brandt", "Helena Brandt", roles.TOP_MANAGEMENT, ()),  # managing director
    ("m.weber", "Markus Weber", roles.SECURITY_MANAGER, ()),
    ("j.petersen", "Jan Petersen", roles.SITE_SECURITY_OFFICER, ("DEHAM-WH1", "DEHAM-PRT")),
    ("a.nowak", "Agnieszka Nowak", roles.SITE_SECURITY_OFFICER, ("PLPOZ-WH1", "PLSTR-XD1")),
    ("s.devries", "Sophie de Vries", roles.INTERNAL_AUDITOR, ()),
    ("t.novak", "Tomáš Novák", roles.VIEWER, ()),
    ("c.dubois", "Claire Dubois", roles.EXTERNAL_AUDITOR, ()),
)
EXTERNAL_AUDITOR_DAYS = 30

# key: (name, value class, attractiveness 1-5, dangerous goods, UN numbers, description)
GOODS = {
    "ELEC": ("Consumer electronics", "very_high", 5, False, "",
             "Smartphones, laptops, tablets and game consoles; small, valuable, easy to resell."),
    "PHAR": ("Pharmaceuticals", "very_high", 4, False, "",
             "Prescription medicines under EU GDP, partly temperature-controlled (2-8 °C)."),
    "TOB": ("Tobacco products", "high", 5, False, "",
            "Cigarettes and heated tobacco under excise duty suspension (EMCS)."),
    "SPI": ("Spirits", "high", 4, False, "",
            "Whisky, vodka and gin; excise goods moved under EMCS e-AD."),
    "AUTO": ("Automotive parts", "medium", 3, False, "",
             "Engine components, ECUs and catalytic converters for just-in-time supply."),
    "APP": ("Apparel and footwear", "medium", 3, False, "",
            "Branded clothing, trainers and accessories; seasonal peaks."),
    "LIB": ("Lithium-ion batteries", "high", 4, True, "UN3480, UN3481",
            "Battery cells and packs, class 9 dangerous goods; UN3480 cells and batteries "
            "shipped on their own fly on cargo aircraft only."),
    "GEN": ("General cargo", "low", 2, False, "",
            "Palletised consumer goods, household articles and spare parts."),
}

# (code, name, kind, city, country, latitude, longitude, operator, security level,
#  goods keys, description)
SITES = (
    ("DEHAM-WH1", "Hamburg Billbrook warehouse", "warehouse", "Hamburg", "DE",
     "53.539400", "10.083800", None, "high", "ELEC PHAR TOB SPI APP LIB GEN",
     "Main bonded warehouse (32,000 m²) with high-value cage and 24/7 control room."),
    ("DEHAM-PRT", "Port of Hamburg container terminal", "port", "Hamburg", "DE",
     "53.529000", "9.933000", "Elbe Container Terminal GmbH", "elevated", "ELEC APP GEN AUTO",
     "Deep-sea and feeder container terminal; ISPS port facility."),
    ("DEDUI-XD1", "Duisburg cross-dock", "cross_dock", "Duisburg", "DE",
     "51.434400", "6.762300", None, "elevated", "GEN AUTO APP SPI",
     "Cross-dock next to the trimodal inland port; barge, rail and road."),
    ("DEFRA-AIR", "Frankfurt Airport cargo handling", "airport", "Frankfurt am Main", "DE",
     "50.037900", "8.562200", "FRA Cargo Handling GmbH", "critical", "ELEC PHAR LIB",
     "Air-cargo warehouse in the restricted area; regulated agent screening."),
    ("DEMUC-DC1", "Munich distribution centre", "distribution_centre", "Munich", "DE",
     "48.171900", "11.716400", None, "high", "ELEC PHAR SPI APP GEN",
     "Distribution centre for retail customers in southern Germany."),
    ("NLRTM-PRT", "Rotterdam Maasvlakte terminal", "port", "Rotterdam", "NL",
     "51.949000", "4.045000", "Maasvlakte Deepsea Terminal B.V.", "elevated",
     "ELEC APP GEN AUTO", "Deep-sea container terminal; main EU entry for Asian imports."),
    ("NLVEN-DC1", "Venlo European distribution centre", "warehouse", "Venlo", "NL",
     "51.370400", "6.172400", None, "high", "ELEC APP GEN LIB",
     "European distribution centre for e-commerce electronics and apparel."),
    ("NLAMS-AIR", "Amsterdam Schiphol cargo", "airport", "Haarlemmermeer", "NL",
     "52.310500", "4.768300", "Schiphol Airside Handling B.V.", "critical", "ELEC PHAR",
     "Ground handler's import warehouse for pharmaceuticals and electronics."),
    ("PLPOZ-WH1", "Poznań warehouse", "warehouse", "Poznań", "PL",
     "52.347300", "16.811700", None, "elevated", "ELEC TOB SPI APP GEN LIB",
     "Warehouse and customs warehouse for Polish and Baltic distribution."),
    ("PLSTR-XD1", "Stryków cross-dock", "cross_dock", "Stryków", "PL",
     "51.901600", "19.601400", None, "elevated", "GEN APP AUTO ELEC",
     "Cross-dock at the A1/A2 motorway junction near Łódź; rail siding."),
    ("PLTER-BCP", "Terespol–Małaszewicze border crossing", "border_crossing", "Terespol", "PL",
     "52.076800", "23.616000", None, "critical", "ELEC GEN LIB",
     "EU external border: China–Europe rail trains and trucks enter under T1 transit."),
    ("CZPRG-WH1", "Prague Rudná warehouse", "partner_facility", "Rudná", "CZ",
     "50.035400", "14.234400", "Bohemia Logistics Services s.r.o.", "elevated",
     "AUTO GEN APP ELEC", "Shared-user 3PL warehouse; ABC Logistics has a fenced zone."),
    ("CZMLB-PF1", "Mladá Boleslav assembly plant gate", "partner_facility", "Mladá Boleslav",
     "CZ", "50.411400", "14.903200", "Boleslav Automotive a.s.", "baseline", "AUTO",
     "Customer's plant; delivery to the just-in-time receiving dock."),
)

# ABC Logistics' own facilities (no operator, not a public border crossing): what its internal
# audits visit and its ISO 28000 certificate covers. The ports, airports, border crossing and
# partner warehouses are other operators' — their security is reviewed as partners (4.5).
OWN_SITE_KINDS = ("warehouse", "cross_dock", "distribution_centre")
OWN_SITES = tuple(code for code, _, kind, *_rest in SITES if kind in OWN_SITE_KINDS
                  and _rest[4] is None)

C, T, F, B = "carrier", "forwarder", "customs_broker", "3pl"
# (name, kind, country, city, criticality, EORI / registration number, status, notes)
PARTNERS = (
    ("Hanse Road Freight GmbH", C, "DE", "Hamburg", "high", "DE3318820451", "active",
     "Main road carrier for high-value loads; double-manned trucks with GPS tracking."),
    ("Rhein-Ruhr Trans GmbH", C, "DE", "Duisburg", "medium", "DE5520934417", "active", ""),
    ("Wisła Transport Sp. z o.o.", C, "PL", "Poznań", "high", "PL7812345601", "active",
     "TAPA TSR lapsed; renewal audit booked."),
    ("Vltava Cargo s.r.o.", C, "CZ", "Prague", "medium", "CZ27193847", "active", ""),
    ("Oranje Trucking B.V.", C, "NL", "Venlo", "high", "NL812734509", "active", ""),
    ("EuroRail Cargo Connect GmbH", C, "DE", "Mainz", "high", "DE2209183746", "active",
     "Rail operator for block trains and single wagons."),
    ("North Sea Feeder Lines B.V.", C, "NL", "Rotterdam", "medium", "NL855120943", "active",
     "Feeder shipping line Rotterdam – Hamburg."),
    ("Skybridge Air Cargo GmbH", C, "DE", "Frankfurt am Main", "critical", "DE6610293847",
     "active", "Freighter operator; EU air carrier security programme approved."),
    ("Rhine Barge Shipping B.V.", C, "NL", "Rotterdam", "medium", "NL803345127", "active", ""),
    ("Baltic Express Rail Sp. z o.o.", C, "PL", "Warsaw", "medium", "PL5260012345", "active",
     "China–Europe rail trains via Małaszewicze."),
    ("Silesia Haulage Sp. z o.o.", C, "PL", "Katowice", "medium", "PL6340198765", "suspended",
     "Suspended after a seal discrepancy on a Stryków – Prague load; investigation open."),
    ("Kestrel Global Forwarding GmbH", T, "DE", "Hamburg", "high", "DE4019283746", "active", ""),
    ("Delta Freight Forwarding B.V.", T, "NL", "Rotterdam", "medium", "NL821093456", "active",
     ""),
    ("Polonia Spedycja Sp. z o.o.", T, "PL", "Warsaw", "medium", "PL5213098712", "active", ""),
    ("Zollagentur Nord GmbH", F, "DE", "Hamburg", "high", "DE1183746520", "active", ""),
    ("Douane Expert B.V.", F, "NL", "Venlo", "medium", "NL809812345", "active", ""),
    ("Agencja Celna Terespol Sp. z o.o.", F, "PL", "Terespol", "high", "PL5372109876",
     "active", "Transit and import declarations at the Małaszewicze rail terminal."),
    ("Liberty Customs Brokerage LLC", F, "US", "Newark", "medium", "", "active",
     "US customs broker for the Atlantic Consumer Brands account."),
    ("Bohemia Logistics Services s.r.o.", B, "CZ", "Rudná", "high", "CZ28765432", "active",
     "Operates the Rudná shared-user warehouse; TAPA FSR expired."),
    ("Westfalen Contract Logistics GmbH", B, "DE", "Dortmund", "medium", "DE3377120985",
     "active", "Overflow warehousing in peak season."),
    ("Mainport Consolidation B.V.", "consolidator", "NL", "Amsterdam", "medium", "NL856230019",
     "active", "Air-freight consolidation at Schiphol."),
    ("Elbe Container Terminal GmbH", "terminal_operator", "DE", "Hamburg", "critical",
     "DE2288341190", "active", "ISO 28000 certificate expired; recertification audit pending."),
    ("Maasvlakte Deepsea Terminal B.V.", "terminal_operator", "NL", "Rotterdam", "critical",
     "NL800912876", "active", ""),
    ("Ruhrort Trimodal Terminal GmbH", "terminal_operator", "DE", "Duisburg", "high",
     "DE9012837465", "active", ""),
    ("FRA Cargo Handling GmbH", "terminal_operator", "DE", "Frankfurt am Main", "critical",
     "DE7729104836", "active", "Ground handler and regulated agent at Frankfurt Airport."),
    ("Schiphol Airside Handling B.V.", "terminal_operator", "NL", "Haarlemmermeer", "high",
     "NL819203874", "active", ""),
    ("Sentinel Guarding GmbH", "security_provider", "DE", "Hamburg", "high", "DE3190283764",
     "active", "Manned guarding and mobile patrols at the German sites."),
    ("Ochrona Mienia Poznań Sp. z o.o.", "security_provider", "PL", "Poznań", "medium",
     "PL7781234509", "active", ""),
    ("TrackGuard Telematics B.V.", "security_provider", "NL", "Eindhoven", "high",
     "NL852093741", "active", "GPS tracking and 24/7 monitoring of high-value trucks."),
    ("Shenzhen Brightwave Electronics Co., Ltd.", "supplier", "CN", "Shenzhen", "high", "",
     "active", "Contract manufacturer of smartphones and tablets."),
    ("Lumen Cells Co., Ltd.", "manufacturer", "KR", "Cheongju", "high", "", "active",
     "Lithium-ion cell manufacturer."),
    ("Meridian Pharma Manufacturing Ltd", "manufacturer", "IN", "Hyderabad", "critical", "",
     "active", "Generic medicines; GDP-qualified."),
    ("Taurus Tabak GmbH", "manufacturer", "DE", "Hamburg", "high", "DE1029384756", "active",
     "Tobacco manufacturer; excise warehouse keeper."),
    ("Highland Craft Distillers Ltd", "manufacturer", "GB", "Glasgow", "medium",
     "GB123456789000", "active", ""),
    ("Kraftwerk Autoteile GmbH", "supplier", "DE", "Stuttgart", "medium", "DE8273645190",
     "active", ""),
    ("Pacific Apparel Sourcing Ltd", "supplier", "VN", "Ho Chi Minh City", "low", "",
     "onboarding", "Security questionnaire sent; awaiting answers."),
    ("MediCare Wholesale B.V.", "customer", "NL", "Utrecht", "high", "NL807651234", "active",
     ""),
    ("ElectroMarkt Retail GmbH", "customer", "DE", "Munich", "high", "DE2938475610", "active",
     ""),
    ("Boleslav Automotive a.s.", "customer", "CZ", "Mladá Boleslav", "high", "CZ00177041",
     "active", "Just-in-time deliveries to the assembly plant."),
    ("Atlantic Consumer Brands Inc.", "customer", "US", "Newark", "high", "", "active",
     "US importer; requires C-TPAT compliant handling of US-bound exports."),
)

# (partner, name, job title, e-mail, phone, security contact)
CONTACTS = (
    ("Hanse Road Freight GmbH", "Dirk Hansen", "Head of Security", "d.hansen@hanse-road.example",
     "+49 40 555 0101", True),
    ("Hanse Road Freight GmbH", "Petra Lange", "Dispatch Manager", "dispo@hanse-road.example",
     "+49 40 555 0110", False),
    ("Wisła Transport Sp. z o.o.", "Piotr Zieliński", "Security Coordinator",
     "p.zielinski@wisla-transport.example", "+48 61 555 0120", True),
    ("Oranje Trucking B.V.", "Mark Jansen", "QHSE Manager", "m.jansen@oranje-trucking.example",
     "+31 77 555 0130", True),
    ("EuroRail Cargo Connect GmbH", "Sabine Koch", "Security Officer",
     "s.koch@eurorail-cargo.example", "+49 6131 555 0140", True),
    ("Skybridge Air Cargo GmbH", "Lukas Schmitt", "Aviation Security Manager",
     "avsec@skybridge-cargo.example", "+49 69 555 0150", True),
    ("Kestrel Global Forwarding GmbH", "Nina Brandt", "Customs & Compliance Lead",
     "n.brandt@kestrel-forwarding.example", "+49 40 555 0160", True),
    ("Zollagentur Nord GmbH", "Heiko Ahrens", "Managing Director",
     "h.ahrens@zollagentur-nord.example", "+49 40 555 0170", False),
    ("Bohemia Logistics Services s.r.o.", "Jana Dvořáková", "Site Manager Rudná",
     "j.dvorakova@bohemia-logistics.example", "+420 2 555 0180", True),
    ("Elbe Container Terminal GmbH", "Frank Meier", "Port Facility Security Officer",
     "pfso@elbe-terminal.example", "+49 40 555 0190", True),
    ("Maasvlakte Deepsea Terminal B.V.", "Eva Bakker", "Port Facility Security Officer",
     "pfso@maasvlakte-deepsea.example", "+31 10 555 0200", True),
    ("FRA Cargo Handling GmbH", "Stefan Wolf", "Security Manager",
     "security@fra-cargo.example", "+49 69 555 0210", True),
    ("Sentinel Guarding GmbH", "Oliver Krause", "Account Manager",
     "o.krause@sentinel-guarding.example", "+49 40 555 0220", False),
    ("TrackGuard Telematics B.V.", "Control Room", "24/7 Monitoring Centre",
     "alarm@trackguard.example", "+31 40 555 0230", True),
    ("Silesia Haulage Sp. z o.o.", "Marek Kowalski", "Owner", "m.kowalski@silesia-haulage.example",
     "+48 32 555 0240", True),
    ("Atlantic Consumer Brands Inc.", "Linda Carter", "Supply Chain Security Director",
     "l.carter@atlantic-brands.example", "+1 973 555 0250", True),
)

# (partner, programme, identifier, level, issued by, valid from / until / verified on as
#  days from today (None = no date), notes)
PROGRAMMES = (
    ("Hanse Road Freight GmbH", "aeo_s", "DEAEOS1234567", "", "Hauptzollamt Hamburg",
     -1460, None, -40, ""),
    ("Hanse Road Freight GmbH", "tapa_tsr", "TSR-DE-2291", "Level 1", "TAPA EMEA",
     -310, 420, -40, ""),
    ("Wisła Transport Sp. z o.o.", "aeo_s", "PLAEOS2200418", "", "Izba Administracji "
     "Skarbowej w Poznaniu", -900, None, -60, ""),
    ("Wisła Transport Sp. z o.o.", "tapa_tsr", "TSR-PL-0874", "Level 3", "TAPA EMEA",
     -740, -10, -12, "Expired; renewal audit booked."),
    ("Oranje Trucking B.V.", "tapa_tsr", "TSR-NL-1533", "Level 2", "TAPA EMEA",
     -680, 50, -30, ""),
    ("EuroRail Cargo Connect GmbH", "aeo_s", "DEAEOS2093841", "", "Hauptzollamt Mainz",
     -2100, None, -75, ""),
    ("North Sea Feeder Lines B.V.", "aeo_s", "NLAEOS0041298", "", "Douane Rotterdam",
     -1200, None, -90, ""),
    ("Skybridge Air Cargo GmbH", "aeo_s", "DEAEOS3348190", "", "Hauptzollamt Darmstadt",
     -1600, None, -20, ""),
    ("Skybridge Air Cargo GmbH", "ctpat", "A9X4T1R6", "Certified", "U.S. CBP",
     -800, None, -20, "Air carrier member."),
    ("Kestrel Global Forwarding GmbH", "aeo_s", "DEAEOS4417802", "", "Hauptzollamt Hamburg",
     -2500, None, -50, ""),
    ("Zollagentur Nord GmbH", "aeo_c", "DEAEOC1120934", "", "Hauptzollamt Hamburg",
     -1800, None, -100, ""),
    ("Douane Expert B.V.", "aeo_c", "NLAEOC0093312", "", "Douane Venlo", -1300, None, -100,
     ""),
    ("Agencja Celna Terespol Sp. z o.o.", "aeo_s", "PLAEOS1900327", "",
     "Izba Administracji Skarbowej w Białej Podlaskiej", -1100, None, -45, ""),
    ("Liberty Customs Brokerage LLC", "ctpat", "L5P8W2D4", "Certified", "U.S. CBP",
     -1500, None, -120, ""),
    ("Bohemia Logistics Services s.r.o.", "aeo_c", "CZAEOC0017732", "", "Celní úřad pro "
     "Středočeský kraj", -1400, None, -70, ""),
    ("Bohemia Logistics Services s.r.o.", "tapa_fsr", "FSR-CZ-0412", "B", "TAPA EMEA",
     -1140, -45, -30, "Expired; site must not hold very-high-value goods until recertified."),
    ("Westfalen Contract Logistics GmbH", "tapa_fsr", "FSR-DE-3018", "C", "TAPA EMEA",
     -500, 200, -60, ""),
    ("Westfalen Contract Logistics GmbH", "iso_28000", "ISO28000-DE-21-0877", "",
     "Nordcert GmbH", -1080, 14, -60, "Expiring soon; recertification audit not yet booked."),
    ("Elbe Container Terminal GmbH", "aeo_s", "DEAEOS0288412", "", "Hauptzollamt Hamburg",
     -3000, None, -30, ""),
    ("Elbe Container Terminal GmbH", "iso_28000", "ISO28000-DE-22-0412", "",
     "Nordcert GmbH", -1115, -20, -15, "Expired; recertification audit pending."),
    ("Maasvlakte Deepsea Terminal B.V.", "aeo_s", "NLAEOS0019876", "", "Douane Rotterdam",
     -2800, None, -30, ""),
    ("Maasvlakte Deepsea Terminal B.V.", "iso_28000", "ISO28000-NL-23-0155", "",
     "Dutch Certification Institute", -500, 600, -30, ""),
    ("FRA Cargo Handling GmbH", "aeo_s", "DEAEOS5501276", "", "Hauptzollamt Darmstadt",
     -2200, None, -25, ""),
    ("FRA Cargo Handling GmbH", "tapa_fsr", "FSR-DE-1177", "A", "TAPA EMEA",
     -1070, 25, -25, "Expiring soon; recertification audit scheduled."),
    ("Schiphol Airside Handling B.V.", "aeo_s", "NLAEOS0077120", "", "Douane Schiphol",
     -1900, None, -25, ""),
    ("Schiphol Airside Handling B.V.", "tapa_fsr", "FSR-NL-0933", "A", "TAPA EMEA",
     -800, 300, -25, ""),
    ("Sentinel Guarding GmbH", "iso_28000", "ISO28000-DE-23-1120", "", "Nordcert GmbH",
     -600, 495, -90, ""),
    ("Shenzhen Brightwave Electronics Co., Ltd.", "other_mra", "CN4403961234", "",
     "China Customs (AEO Advanced Certified Enterprise)", -1700, None, -180,
     "Mutually recognised with the EU AEO programme."),
    ("Lumen Cells Co., Ltd.", "other_mra", "KRAEO-AA-10938", "AA",
     "Korea Customs Service", -900, None, -200, "Korea AEO, mutually recognised with EU AEO."),
    ("MediCare Wholesale B.V.", "aeo_c", "NLAEOC0120045", "", "Douane Utrecht", -1000, None,
     -150, ""),
    ("Boleslav Automotive a.s.", "aeo_s", "CZAEOS0004519", "", "Generální ředitelství cel",
     -3200, None, -90, ""),
    ("Atlantic Consumer Brands Inc.", "ctpat", "B7K4M2Q9", "Tier 3", "U.S. CBP",
     -2400, None, -60, "Importer member; mutual recognition with EU AEO."),
)

# Legs: (from, to, mode, carrier, goods keys, transit hours, frequency, points of rest,
#  custody hand-offs)
R, RL, S, A, W, M = "road", "rail", "sea", "air", "inland_waterway", "multimodal"
HRF, RRT, WIS, VLT, ORJ = ("Hanse Road Freight GmbH", "Rhein-Ruhr Trans GmbH",
                           "Wisła Transport Sp. z o.o.", "Vltava Cargo s.r.o.",
                           "Oranje Trucking B.V.")
ERC, NSF, SKY, RBS, BXR = ("EuroRail Cargo Connect GmbH", "North Sea Feeder Lines B.V.",
                           "Skybridge Air Cargo GmbH", "Rhine Barge Shipping B.V.",
                           "Baltic Express Rail Sp. z o.o.")
NO_REST = "None planned; non-stop."
SEAL = "Seal number and integrity checked against the transport document; exceptions photographed."
LEGS = (
    ("NLRTM-PRT", "DEHAM-PRT", S, NSF, "ELEC APP GEN", 30, "3 per week",
     "Container stacks at both terminals (ISPS restricted areas).",
     "Terminal to vessel at Rotterdam, vessel to terminal at Hamburg; " + SEAL),
    ("DEHAM-PRT", "NLRTM-PRT", S, NSF, "GEN AUTO", 30, "2 per week",
     "Container stacks at both terminals.", "Terminal gate-in and vessel loading; " + SEAL),
    ("DEHAM-PRT", "DEHAM-WH1", R, HRF, "ELEC APP GEN AUTO", 2, "daily", NO_REST,
     "Terminal releases container to driver against PIN; warehouse gate checks seal. " + SEAL),
    ("NLRTM-PRT", "NLVEN-DC1", R, ORJ, "ELEC APP GEN", 3, "daily", NO_REST,
     "Terminal PIN release to driver; DC receiving checks seal and tracker log."),
    ("NLRTM-PRT", "DEDUI-XD1", W, RBS, "GEN AUTO APP", 36, "3 per week",
     "Barge moored overnight at Nijmegen waiting area; containers stay on board.",
     "Terminal to barge operator at Rotterdam; barge to Ruhrort terminal at Duisburg. " + SEAL),
    ("DEHAM-PRT", "DEMUC-DC1", RL, ERC, "ELEC GEN", 20, "5 per week",
     "Marshalling yard Maschen (about 2 h); train parked in the Munich Riem rail terminal.",
     "Terminal to rail operator (wagon list + seals), rail terminal to our shunting truck."),
    ("DEDUI-XD1", "PLSTR-XD1", RL, ERC, "GEN AUTO APP", 30, "4 per week",
     "Border station Frankfurt (Oder) – Kunowice for crew and locomotive change.",
     "Crew change at the border; wagon seals recorded by both railway operators."),
    ("PLTER-BCP", "PLSTR-XD1", RL, BXR, "ELEC GEN LIB", 10, "3 per week",
     "Transhipment from broad to standard gauge at Małaszewicze yard (up to 24 h).",
     "Customs (T1 transit) and broker at the border, rail operator to cross-dock. " + SEAL),
    ("DEHAM-PRT", "CZPRG-WH1", RL, ERC, "GEN AUTO", 14, "3 per week",
     "Dresden marshalling yard; intermodal terminal Prague-Uhříněves.",
     "Terminal to rail operator; last mile truck of the 3PL from Uhříněves to Rudná."),
    ("DEFRA-AIR", "DEMUC-DC1", R, HRF, "ELEC PHAR", 5, "daily", NO_REST,
     "Ground handler releases against air waybill and driver ID; DC receiving verifies count."),
    ("NLAMS-AIR", "NLVEN-DC1", R, ORJ, "ELEC PHAR", 2.5, "daily", NO_REST,
     "Ground handler to driver against release note; temperature log handed over for pharma."),
    ("DEHAM-WH1", "DEMUC-DC1", R, HRF, "ELEC TOB SPI APP", 9, "daily",
     "TAPA-certified secure parking at Würzburg only if the double-manned crew must stop.",
     "Loading supervised and sealed at Hamburg; seal and tracker log checked at Munich."),
    ("DEHAM-WH1", "DEDUI-XD1", R, RRT, "GEN SPI APP", 5, "daily",
     "Driver break at a motorway service area near Osnabrück (unsecured).",
     "Sealed at Hamburg; seal checked and recorded at the Duisburg dock door."),
    ("DEDUI-XD1", "DEHAM-WH1", R, RRT, "GEN AUTO", 5, "daily",
     "Driver break at a motorway service area near Bremen (unsecured).", SEAL),
    ("DEDUI-XD1", "NLVEN-DC1", R, ORJ, "GEN AUTO APP", 1.5, "2 per day", NO_REST, SEAL),
    ("NLVEN-DC1", "DEDUI-XD1", R, RRT, "ELEC GEN", 1.5, "daily", NO_REST, SEAL),
    ("NLVEN-DC1", "PLPOZ-WH1", R, WIS, "ELEC APP GEN", 14, "5 per week",
     "Overnight stop at a TAPA PSR parking near Magdeburg; trailer coupled and alarmed.",
     "Sealed at Venlo; tracker geofence alerts to the monitoring centre; seal check at Poznań."),
    ("DEHAM-WH1", "PLPOZ-WH1", R, WIS, "TOB SPI GEN", 8, "daily",
     "Driver break at the Berlin ring (secured parking Michendorf).",
     "Excise goods under e-AD; loading supervised; seal and e-AD checked at Poznań."),
    ("PLPOZ-WH1", "PLSTR-XD1", R, WIS, "GEN APP", 3, "daily", NO_REST, SEAL),
    ("PLSTR-XD1", "CZPRG-WH1", R, "Silesia Haulage Sp. z o.o.", "AUTO GEN", 9, "on demand",
     "Driver break near Wrocław (unsecured lay-by used in the seal incident).",
     "Seal checked at Rudná; discrepancy in March led to the carrier's suspension."),
    ("PLTER-BCP", "PLPOZ-WH1", R, WIS, "ELEC LIB", 7, "3 per week",
     "Prescribed itinerary under T1 transit; the driver's break only at the secured parking "
     "the transport plan names.",
     "Broker closes transit at Poznań customs warehouse; seal verified by customs."),
    ("CZPRG-WH1", "CZMLB-PF1", R, VLT, "AUTO", 1, "3 per day", NO_REST,
     "3PL loads and seals; customer's receiving dock checks seal and JIT call-off number."),
    ("DEMUC-DC1", "CZPRG-WH1", R, VLT, "ELEC GEN APP", 5, "daily",
     "Driver break at Rozvadov border area (unsecured).", SEAL),
    ("CZPRG-WH1", "DEMUC-DC1", R, VLT, "AUTO GEN", 5, "daily", NO_REST, SEAL),
    ("CZMLB-PF1", "DEHAM-PRT", RL, ERC, "AUTO", 16, "3 per week",
     "Ústí nad Labem yard; Hamburg-Billwerder before the port terminal.",
     "Customer loads and seals export containers; rail operator to terminal at Hamburg."),
    ("DEHAM-WH1", "DEFRA-AIR", R, HRF, "LIB ELEC PHAR", 6, "3 per week", NO_REST,
     "Known consignor: secured after screening, driver ID checked by the regulated agent."),
    ("DEFRA-AIR", "NLAMS-AIR", A, SKY, "ELEC PHAR", 1, "5 per week",
     "Airside storage before loading (restricted area).",
     "Regulated agent to airline (security status SPX); ground handler at Schiphol."),
    ("NLAMS-AIR", "DEFRA-AIR", R, ORJ, "ELEC PHAR", 5, "daily", NO_REST,
     "Road feeder service under air waybill; secured consignment must stay sealed."),
    ("NLRTM-PRT", "PLSTR-XD1", M, BXR, "ELEC APP GEN", 48, "2 per week",
     "Rail-to-rail transfer at Duisburg hub (up to 12 h in the terminal).",
     "Terminal to rail operator; hub terminal; cross-dock receiving. " + SEAL),
    ("DEHAM-WH1", "CZPRG-WH1", M, ERC, "GEN APP", 24, "2 per week",
     "Truck to Hamburg-Billwerder, rail to Prague-Uhříněves, truck to Rudná.",
     "Three hand-offs: our driver, rail operator, 3PL driver; seal checked at each."),
)

SOA = {
    "title": "ABC Logistics — ISO 28001 statement of application",
    "status": "current",
    "coverage": "From the arrival of goods at the EU ports of entry (Rotterdam, Hamburg), the "
                "airports (Frankfurt, Schiphol) and the Terespol–Małaszewicze border crossing, "
                "through ABC Logistics' warehouses and cross-docks in Germany, the Netherlands, "
                "Poland and the Czech Republic, to delivery at the customer's receiving dock. "
                "Overseas suppliers and the customer's own plants are outside the portion.",
    "processes": "Receiving and gate control, storage in bonded and excise warehouses, "
                 "cross-docking, loading and sealing, road, rail, barge, sea-feeder and air "
                 "transport by contracted carriers, customs transit and clearance, delivery.",
}
SOA_EFFECTIVE_DAYS = -420  # before stage 1 of the certification audit
SOA_EXCLUDED_SITES = ("CZMLB-PF1",)
SOA_COUNTRIES = ("DE", "NL", "PL", "CZ")
# (partner, basis, programme status it rests on, valid until in days, evidence). Each rests on
# an AEOS authorisation, which has no expiry date (it runs until suspended or revoked),
# so none lapses in the demo (ISO 28001 4.4).
EXEMPTIONS = (
    ("Hanse Road Freight GmbH", "aeo", "aeo_s", 365,
     "AEO authorisation checked in the EU EOS/AEO database; copy in the partner file."),
    ("EuroRail Cargo Connect GmbH", "aeo", "aeo_s", 365,
     "AEO authorisation checked in the EU EOS/AEO database."),
    ("Maasvlakte Deepsea Terminal B.V.", "aeo", "aeo_s", 365,
     "AEO-S authorisation and ISO 28000 certificate on file."),
    ("North Sea Feeder Lines B.V.", "aeo", "aeo_s", 180,
     "AEOS authorisation checked in the EU EOS/AEO database; copy in the partner file."),
)

# ISO 28001 4.5 reviews of the partners that are not exempt: (partner, reviewed days ago,
# method, outcome, reviewed by, results). Intervals follow supplychain.services
# .review_interval_days; three partners are due on purpose: Baltic Express Rail and Pacific
# Apparel Sourcing were never reviewed, Zollagentur Nord (AEOC only, high) is past its year.
SECOPS = "ABC security office"
REVIEWS = (
    ("Rhein-Ruhr Trans GmbH", -300, "questionnaire", "satisfactory", SECOPS,
     "Security questionnaire and declaration renewed; driver briefing on seal checks seen."),
    ("Wisła Transport Sp. z o.o.", -250, "site_visit", "actions", "A. Nowak",
     "Depot visit Poznań: TAPA TSR lapsed, renewal audit booked; interim double-manning agreed "
     "for high-value loads."),
    ("Vltava Cargo s.r.o.", -500, "questionnaire", "satisfactory", SECOPS,
     "Questionnaire complete; GPS tracking on all trucks used for our loads."),
    ("Oranje Trucking B.V.", -400, "site_visit", "satisfactory", "M. Weber",
     "Venlo yard: trailers parked in the fenced, camera-covered area; keys in a locked cabinet."),
    ("Skybridge Air Cargo GmbH", -120, "desk", "satisfactory", SECOPS,
     "AEO and C-TPAT status checked; airline security programme approval on file."),
    ("Rhine Barge Shipping B.V.", -600, "questionnaire", "satisfactory", SECOPS,
     "Crew access to holds and the waiting-area procedure at Nijmegen described."),
    ("Kestrel Global Forwarding GmbH", -300, "desk", "satisfactory", SECOPS,
     "AEO status checked; subcontracting of haulage only to carriers we approve."),
    ("Delta Freight Forwarding B.V.", -200, "questionnaire", "satisfactory", SECOPS,
     "Questionnaire and declaration received."),
    ("Polonia Spedycja Sp. z o.o.", -650, "questionnaire", "actions", SECOPS,
     "Subcontractor list incomplete; updated list requested and received."),
    ("Zollagentur Nord GmbH", -390, "desk", "satisfactory", SECOPS,
     "AEOC checked; holds no security authorisation, so reviewed yearly."),
    ("Douane Expert B.V.", -100, "desk", "satisfactory", SECOPS,
     "AEOC checked; access to our customs data limited to named staff."),
    ("Agencja Celna Terespol Sp. z o.o.", -200, "site_visit", "satisfactory", "A. Nowak",
     "Visited at the Małaszewicze terminal; transit documents kept in a locked office."),
    ("Liberty Customs Brokerage LLC", -365, "desk", "satisfactory", SECOPS,
     "C-TPAT status verified with Atlantic Consumer Brands."),
    ("Bohemia Logistics Services s.r.o.", -150, "site_visit", "actions", "M. Weber",
     "Rudná warehouse after the TAPA FSR expiry: no very-high-value goods stored; CCTV gap at "
     "dock 4 to be closed before recertification."),
    ("Westfalen Contract Logistics GmbH", -330, "questionnaire", "satisfactory", SECOPS,
     "TAPA FSR C and ISO 28000 certificates on file."),
    ("Mainport Consolidation B.V.", -420, "questionnaire", "satisfactory", SECOPS,
     "Screening of consolidated air cargo by a regulated agent confirmed."),
    ("Elbe Container Terminal GmbH", -200, "site_visit", "actions", "M. Weber",
     "ISO 28000 certificate expired; AEOS valid. Gate 2 PIN release checked; recertification "
     "date requested."),
    ("Ruhrort Trimodal Terminal GmbH", -280, "site_visit", "satisfactory", "M. Weber",
     "Container stack lighting and gate checks seen."),
    ("FRA Cargo Handling GmbH", -90, "audit", "satisfactory", "M. Weber",
     "Regulated-agent approval and TAPA FSR A on file; restricted-area badges checked."),
    ("Schiphol Airside Handling B.V.", -500, "desk", "satisfactory", SECOPS,
     "AEO and TAPA FSR A on file."),
    ("Sentinel Guarding GmbH", -180, "audit", "satisfactory", "M. Weber",
     "Guard screening records sampled; patrol logs for Hamburg checked."),
    ("Ochrona Mienia Poznań Sp. z o.o.", -240, "questionnaire", "satisfactory", "A. Nowak",
     "Licence for security services and guard training records received."),
    ("TrackGuard Telematics B.V.", -60, "remote", "satisfactory", SECOPS,
     "Monitoring-centre escalation test for a geofence alarm passed."),
    ("Shenzhen Brightwave Electronics Co., Ltd.", -300, "desk", "satisfactory", SECOPS,
     "China AEO status checked (mutual recognition with the EU)."),
    ("Lumen Cells Co., Ltd.", -200, "questionnaire", "satisfactory", SECOPS,
     "Korea AEO status and dangerous-goods packing procedure received."),
    ("Meridian Pharma Manufacturing Ltd", -100, "remote", "satisfactory", "M. Weber",
     "Video walk-through of the packing and sealing area; GDP certificate on file."),
    ("Taurus Tabak GmbH", -150, "site_visit", "satisfactory", "M. Weber",
     "Excise warehouse loading and sealing supervised by two staff."),
    ("Highland Craft Distillers Ltd", -400, "questionnaire", "satisfactory", SECOPS,
     "Questionnaire and declaration received."),
    ("Kraftwerk Autoteile GmbH", -500, "questionnaire", "satisfactory", SECOPS,
     "Questionnaire and declaration received."),
    ("MediCare Wholesale B.V.", -200, "desk", "satisfactory", SECOPS,
     "Receiving-dock seal check and temperature-log handover agreed."),
    ("ElectroMarkt Retail GmbH", -320, "site_visit", "satisfactory", "M. Weber",
     "Munich store delivery bay: delivery-window and ID check procedure seen."),
    ("Boleslav Automotive a.s.", -450, "desk", "satisfactory", SECOPS,
     "AEO status checked; JIT call-off procedure agreed."),
    ("Atlantic Consumer Brands Inc.", -60, "questionnaire", "satisfactory", SECOPS,
     "Exchanged C-TPAT partner questionnaires for the U.S.-bound lanes."),
)


class Tally:
    """How many records the run created, updated and left alone."""

    def __init__(self):
        self.created = self.updated = self.unchanged = 0

    def count(self, outcome):
        setattr(self, outcome, getattr(self, outcome) + 1)


def _days(offset):
    return None if offset is None else timezone.localdate() + datetime.timedelta(days=offset)


def _differs(obj, name, value):
    field = obj._meta.get_field(name)
    if field.is_relation:
        return getattr(obj, field.attname) != (value.pk if value is not None else None)
    return getattr(obj, name) != value


def sync(model, lookup, fields, tally, *, create_only=None, m2m=None):
    """Find a record by `lookup`; create it, or save it only when `fields` or `m2m` differ."""
    obj = model._base_manager.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **fields, **(create_only or {}))
        obj.full_clean(exclude=["reference"])
        obj.save()
        outcome = "created"
    else:
        changed = {name: value for name, value in fields.items() if _differs(obj, name, value)}
        outcome = "unchanged"
        if changed:
            for name, value in changed.items():
                setattr(obj, name, value)
            obj.full_clean(exclude=["reference"])
            obj.version += 1
            obj.updated_by, obj.updated_at = None, timezone.now()
            obj.save()
            outcome = "updated"
    for name, targets in (m2m or {}).items():
        wanted = {target.pk for target in targets}
        if set(getattr(obj, name).values_list("pk", flat=True)) != wanted:
            getattr(obj, name).set(targets)
            outcome = "updated" if outcome == "unchanged" else outcome
    tally.count(outcome)
    return obj


def ensure_organisation(tally):
    """The ABC Logistics organisation."""
    fields = {k: v for k, v in ORGANISATION.items() if k != "name"}
    return sync(Organisation, {"name": ORGANISATION["name"]}, fields, tally)


def ensure_admin():
    """The demo administrator; returns `(user, password)` with the password only when created."""
    user = User.objects.filter(email=ADMIN_EMAIL).first()
    if user is not None:
        return user, None
    from secrets import token_urlsafe

    password = token_urlsafe(12)
    user = User.objects.create_user(ADMIN_EMAIL, password, full_name=ADMIN_NAME)
    return user, password


def _assign(org, user, role_name, sites, tally, valid_until=None):
    role = Role.objects.get(name=role_name)
    create_only = {"valid_until": valid_until} if valid_until else None
    return sync(RoleAssignment, {"organisation": org, "user": user, "role": role},
                {"all_sites": not sites}, tally, create_only=create_only,
                m2m={"sites": sites})


def _people(org, admin_user, sites, tally):
    _assign(org, admin_user, roles.ADMINISTRATOR, [], tally)
    for local, full_name, role_name, codes in PEOPLE:
        email = f"{local}@abc-logistics.example"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, full_name=full_name)
            user.set_unusable_password()
            user.save()
        valid_until = (_days(EXTERNAL_AUDITOR_DAYS) if role_name == roles.EXTERNAL_AUDITOR
                       else None)
        _assign(org, user, role_name, [sites[code] for code in codes], tally, valid_until)
    return 1 + len(PEOPLE)


def build_demo(organisation, admin_user):
    """Create (or bring in line) the whole demo for `organisation`; returns counts and a Tally."""
    org, tally = organisation, Tally()
    owned = {"organisation": org}
    goods = {}
    for key, (name, value_class, appeal, dangerous, un_numbers, description) in GOODS.items():
        goods[key] = sync(GoodsCategory, {**owned, "name": name}, {
            "value_class": value_class, "theft_attractiveness": appeal,
            "dangerous_goods": dangerous, "un_numbers": un_numbers,
            "description": description}, tally)

    partners = {}
    for name, kind, country, city, criticality, reg, status, notes in PARTNERS:
        partners[name] = sync(Partner, {**owned, "name": name}, {
            "kind": kind, "country": country, "city": city, "criticality": criticality,
            "registration_number": reg, "status": status, "notes": notes}, tally)
    for partner, name, title, email, phone, security in CONTACTS:
        sync(PartnerContact, {**owned, "partner": partners[partner], "name": name},
             {"title": title, "email": email, "phone": phone, "security_contact": security},
             tally)
    programmes = {}
    for partner, programme, ident, level, issuer, start, end, verified, notes in PROGRAMMES:
        programmes[partner, programme] = sync(
            ProgrammeStatus, {**owned, "partner": partners[partner], "programme": programme},
            {"identifier": ident, "level": level, "issuing_authority": issuer, "notes": notes},
            tally, create_only={"valid_from": _days(start), "valid_until": _days(end),
                                "verified_on": _days(verified)})

    sites = {}
    for (code, name, kind, city, country, lat, lon, operator, level, goods_keys,
         description) in SITES:
        sites[code] = sync(Site, {**owned, "code": code}, {
            "name": name, "kind": kind, "city": city, "country": country,
            "latitude": Decimal(lat), "longitude": Decimal(lon),
            "operator": partners[operator] if operator else None, "security_level": level,
            "description": description}, tally,
            m2m={"goods_categories": [goods[key] for key in goods_keys.split()]})

    legs = []
    for src, dst, mode, carrier, goods_keys, hours, frequency, rest, handoffs in LEGS:
        legs.append(sync(Leg, {**owned, "from_site": sites[src], "to_site": sites[dst],
                               "mode": mode}, {
            "carrier": partners[carrier], "transit_hours": Decimal(str(hours)),
            "frequency": frequency, "points_of_rest": rest, "custody_handoffs": handoffs},
            tally, m2m={"goods_categories": [goods[key] for key in goods_keys.split()]}))

    covered_sites = [s for code, s in sites.items() if code not in SOA_EXCLUDED_SITES]
    covered_partners = [p for p in partners.values() if p.country in SOA_COUNTRIES
                        and p.status == choices.PartnerStatus.ACTIVE]
    covered_legs = [leg for leg in legs if leg.from_site in covered_sites
                    and leg.to_site in covered_sites and leg.carrier in covered_partners]
    statement = sync(StatementOfApplication, {**owned, "title": SOA["title"]},
                     {k: v for k, v in SOA.items() if k != "title"}, tally,
                     create_only={"effective_date": _days(SOA_EFFECTIVE_DAYS)},
                     m2m={"sites": covered_sites, "legs": covered_legs,
                          "partners": covered_partners})
    for partner, basis, programme, until, evidence in EXEMPTIONS:
        sync(Exemption, {**owned, "statement": statement, "partner": partners[partner]}, {
            "programme_status": programmes[partner, programme], "basis": basis,
            "certificate": programmes[partner, programme].identifier,
            "evidence": evidence}, tally, create_only={"valid_until": _days(until)})
    for partner, ago, method, outcome, reviewer, findings in REVIEWS:
        sync(PartnerReview, {**owned, "partner": partners[partner], "method": method}, {
            "outcome": outcome, "reviewer": reviewer, "findings": findings}, tally,
            create_only={"reviewed_on": _days(ago)})

    people = _people(org, admin_user, sites, tally)
    counts = {"sites": len(sites), "goods categories": len(goods), "partners": len(partners),
              "contacts": len(CONTACTS), "programme statuses": len(programmes),
              "legs": len(legs), "exemptions": len(EXEMPTIONS), "partner reviews": len(REVIEWS),
              "people": people}
    return counts, tally
