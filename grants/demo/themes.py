"""What the sample catalog is made of: programs that hang together.

Each theme is one Grants.gov funding-activity category with the agencies that fund it; each
program under it has its own title, a sentence saying what it pays for, and the applicants it
admits. The writer combines them (plus a place, dates and amounts), so an opportunity's agency,
category, eligibility and text always agree: no "Rural Broadband" from the arts endowment.
"""

from __future__ import annotations

from dataclasses import dataclass

AGENCIES = {
    "USDA-RD": "Department of Agriculture - Rural Development",
    "USDA-NIFA": "Department of Agriculture - National Institute of Food and Agriculture",
    "USDA-FNS": "Department of Agriculture - Food and Nutrition Service",
    "DOC-NTIA": "Department of Commerce - National Telecommunications and Information Administration",
    "DOC-EDA": "Department of Commerce - Economic Development Administration",
    "ED-OESE": "Department of Education - Office of Elementary and Secondary Education",
    "HHS-HRSA": "Department of Health and Human Services - Health Resources and Services Administration",
    "HHS-ACF": "Department of Health and Human Services - Administration for Children and Families",
    "HHS-ACL": "Department of Health and Human Services - Administration for Community Living",
    "DOE-EERE": "Department of Energy - Energy Efficiency and Renewable Energy",
    "EPA": "Environmental Protection Agency",
    "HUD": "Department of Housing and Urban Development",
    "DOL-ETA": "Department of Labor - Employment and Training Administration",
    "DOJ-OJP": "Department of Justice - Office of Justice Programs",
    "NEA": "National Endowment for the Arts",
    "NEH": "National Endowment for the Humanities",
    "NSF": "National Science Foundation",
    "SBA": "Small Business Administration",
    "DOT-FTA": "Department of Transportation - Federal Transit Administration",
    "DOI-FWS": "Department of the Interior - Fish and Wildlife Service",
    "DHS-FEMA": "Department of Homeland Security - Federal Emergency Management Agency",
}

# Eligible-applicant code sets, by who a program is for.
GOVERNMENTS = ("00", "01", "02", "07")
LOCAL_GOVERNMENTS = ("01", "02", "04")
NONPROFITS = ("12", "13")
NONPROFITS_AND_GOVERNMENTS = ("00", "01", "02", "07", "12")
TRIBES = ("07", "11")
UNIVERSITIES = ("06", "20")
SCHOOLS = ("05", "00", "12")
SMALL_BUSINESSES = ("23",)
BUSINESSES_AND_NONPROFITS = ("12", "22", "23")
HOUSING_AUTHORITIES = ("08", "01", "02", "12")


@dataclass(frozen=True)
class Program:
    title: str
    purpose: str  # "This program funds projects that <purpose>."
    eligible: tuple[str, ...]
    agency: str  # a key of AGENCIES
    second_category: str = ""


@dataclass(frozen=True)
class Theme:
    category: str
    programs: tuple[Program, ...]


THEMES = (
    Theme("IS", (
        Program("Rural Broadband Expansion", "fund the expansion of high-speed broadband internet to unserved rural households, "
                "farms and small towns", GOVERNMENTS + NONPROFITS, "USDA-RD", "CD"),
        Program("Digital Equity Connectivity", "close the digital divide and advance digital equity with affordable "
                "internet connectivity, devices and digital skills training for low-income households", NONPROFITS_AND_GOVERNMENTS, "DOC-NTIA"),
        Program("Community Internet Access", "connect libraries, schools and community anchor institutions to "
                "high-speed internet access", LOCAL_GOVERNMENTS + NONPROFITS, "DOC-NTIA"),
        Program("Tribal Broadband Connectivity", "build broadband networks and internet connectivity on tribal lands "
                "and for Native communities", TRIBES, "DOC-NTIA"),
    )),
    Theme("CD", (
        Program("Main Street Revitalization", "revitalize downtown main streets, storefronts and public spaces in "
                "small towns", LOCAL_GOVERNMENTS + NONPROFITS, "USDA-RD"),
        Program("Neighborhood Resilience", "help low-income urban neighborhoods build resilience through public "
                "spaces, safety and local economies", LOCAL_GOVERNMENTS + NONPROFITS, "HUD"),
        Program("Economic Development Catalyst", "act as a catalyst for economic development: create jobs and attract "
                "private investment to distressed local economies", GOVERNMENTS + NONPROFITS, "DOC-EDA", "BC"),
    )),
    Theme("ED", (
        Program("Digital Literacy for Adults", "teach adults digital literacy and computer skills at libraries and "
                "community centers", NONPROFITS + ("06",), "ED-OESE"),
        Program("STEM Classroom Innovation", "bring innovation to STEM teaching: hands-on science, technology, engineering and math lessons to "
                "K-12 classrooms and train their teachers", SCHOOLS, "ED-OESE", "ST"),
        Program("Early Literacy Partnerships", "help young children learn to read through early literacy partnerships "
                "between families, schools and libraries", SCHOOLS, "ED-OESE"),
        Program("After-School and Summer Learning", "run after-school and summer learning programs for school-age "
                "kids and teens", SCHOOLS + ("13",), "ED-OESE"),
    )),
    Theme("HL", (
        Program("Rural Health Clinic Capacity", "build the capacity of rural health clinics to offer primary care in rural communities",
                NONPROFITS + ("00", "06"), "HHS-HRSA"),
        Program("Community Health Workers", "train and deploy community health workers to reach underserved "
                "patients", NONPROFITS + ("00",), "HHS-HRSA"),
        Program("Behavioral Health Access", "expand access to behavioral health: mental health and substance use treatment services",
                NONPROFITS + TRIBES, "HHS-HRSA"),
        Program("Telehealth Network", "deliver telehealth and telemedicine services over a regional network to "
                "patients far from a hospital", NONPROFITS + ("06",), "HHS-HRSA"),
    )),
    Theme("EN", (
        Program("Community Solar Deployment", "support the deployment of community solar arrays that lower energy bills for "
                "low-income households", LOCAL_GOVERNMENTS + NONPROFITS, "DOE-EERE"),
        Program("Energy Efficiency Retrofits", "retrofit public and nonprofit buildings with insulation, heat "
                "pumps and efficient lighting", GOVERNMENTS + NONPROFITS, "DOE-EERE"),
        Program("Clean Energy Workforce", "train the clean energy workforce for jobs in solar, wind and efficiency",
                NONPROFITS + UNIVERSITIES, "DOE-EERE", "ELT"),
    )),
    Theme("ENV", (
        Program("Watershed Restoration", "restore rivers, wetlands and watersheds to improve water quality and "
                "wildlife habitat", GOVERNMENTS + NONPROFITS, "DOI-FWS", "NR"),
        Program("Urban Tree Canopy", "grow the urban tree canopy: plant and care for trees in city "
                "neighborhoods to cool streets and clean the air", LOCAL_GOVERNMENTS + NONPROFITS, "EPA"),
        Program("Climate Resilience Planning", "help communities with climate resilience planning for floods, extreme "
                "heat and other climate risks", GOVERNMENTS, "EPA"),
        Program("Environmental Justice Small Grants", "give small grants to communities overburdened by pollution to address "
                "local environmental and health harms (environmental justice)", NONPROFITS + TRIBES, "EPA"),
    )),
    Theme("AG", (
        Program("Beginning Farmer and Rancher Support", "train and support beginning farmers and ranchers in "
                "their first ten years", NONPROFITS + UNIVERSITIES, "USDA-NIFA"),
        Program("Local Food Systems", "connect farmers with local markets, food hubs and farmers markets",
                NONPROFITS + LOCAL_GOVERNMENTS + ("23",), "USDA-RD"),
        Program("Specialty Crop Research", "research and extension for fruits, vegetables and other specialty "
                "crops", UNIVERSITIES, "USDA-NIFA", "ST"),
    )),
    Theme("HO", (
        Program("Affordable Housing Preservation", "preserve and repair affordable rental housing for low-income "
                "families", HOUSING_AUTHORITIES, "HUD"),
        Program("Homelessness Prevention", "prevent homelessness with rental assistance, emergency shelter and "
                "supportive services", HOUSING_AUTHORITIES, "HUD", "ISS"),
        Program("Healthy Homes", "make homes healthy: remove lead paint, mold and other home health hazards for "
                "families with young children", LOCAL_GOVERNMENTS + NONPROFITS, "HUD", "HL"),
    )),
    Theme("ELT", (
        Program("Workforce Pathways", "build workforce pathways that train job seekers for in-demand careers "
                "with employers and community colleges", NONPROFITS + ("00", "06"), "DOL-ETA"),
        Program("Apprenticeship Expansion", "expand registered apprenticeships that let workers earn while they "
                "learn a trade", BUSINESSES_AND_NONPROFITS + ("06",), "DOL-ETA"),
        Program("Youth Employment", "give youth ages 16 to 24 job training, summer employment and career "
                "pathways", NONPROFITS + LOCAL_GOVERNMENTS, "DOL-ETA"),
        Program("Veterans Employment", "help veterans and transitioning service members find civilian employment",
                NONPROFITS + ("00",), "DOL-ETA"),
    )),
    Theme("BC", (
        Program("Small Business Innovation Research", "help small businesses research and commercialize new "
                "technologies", SMALL_BUSINESSES, "SBA", "ST"),
        Program("Export Readiness", "help small businesses get ready to export and grow in foreign markets",
                SMALL_BUSINESSES + ("00",), "DOC-EDA"),
        Program("Microenterprise Development", "support microenterprise development: give low-income entrepreneurs "
                "training, coaching and microloans to start a business", NONPROFITS, "SBA"),
    )),
    Theme("ST", (
        Program("Research Infrastructure", "build research infrastructure: shared scientific instruments and research facilities",
                UNIVERSITIES, "NSF"),
        Program("Applied Technology Innovation", "turn university research into applied technology and innovation with "
                "industry partners", UNIVERSITIES + ("23",), "NSF"),
        Program("Data Science Fellowships", "fund graduate fellowships in data science and artificial "
                "intelligence", UNIVERSITIES, "NSF", "ED"),
        Program("Cybersecurity Education", "train students and workers in cybersecurity through education and internships", UNIVERSITIES + ("05",),
                "NSF", "ED"),
    )),
    Theme("AR", (
        Program("Community Arts Engagement", "support artists and arts organizations whose music, theater "
                "and visual arts engage their communities", NONPROFITS + LOCAL_GOVERNMENTS, "NEA"),
        Program("Museum Access", "help museums widen access and reach new audiences with exhibitions and education programs",
                NONPROFITS, "NEA"),
        Program("Creative Placemaking", "support creative placemaking: bring artists into community development "
                "and the design of public spaces", NONPROFITS + LOCAL_GOVERNMENTS, "NEA", "CD"),
    )),
    Theme("HU", (
        Program("Preserving Local History", "preserve and share local history collections, archives and oral "
                "histories", NONPROFITS + UNIVERSITIES, "NEH"),
        Program("Public Humanities Projects", "bring the humanities (history, literature and philosophy) to public audiences "
                "through exhibitions and discussion projects", NONPROFITS + UNIVERSITIES, "NEH"),
    )),
    Theme("LJL", (
        Program("Community Violence Intervention", "reduce gun violence with community-based violence "
                "intervention programs", NONPROFITS + LOCAL_GOVERNMENTS, "DOJ-OJP"),
        Program("Reentry Services", "offer reentry services that help people returning from prison find housing, jobs and treatment",
                NONPROFITS + GOVERNMENTS, "DOJ-OJP"),
        Program("Victim Services", "provide services to victims of crime, domestic violence and trafficking, "
                "such as legal aid and shelter", NONPROFITS + TRIBES, "DOJ-OJP"),
        Program("Juvenile Justice Diversion", "divert juvenile offenders and keep youth out of the justice system through "
                "mentoring and family programs", NONPROFITS + LOCAL_GOVERNMENTS, "DOJ-OJP"),
    )),
    Theme("T", (
        Program("Rural Transit Access", "buy buses and expand public transit access in rural areas",
                GOVERNMENTS + ("04",), "DOT-FTA"),
        Program("Safe Streets", "make streets safer for people walking and biking", LOCAL_GOVERNMENTS, "DOT-FTA"),
        Program("Transit Workforce Development", "train and develop the bus and rail transit workforce", GOVERNMENTS + NONPROFITS,
                "DOT-FTA", "ELT"),
    )),
    Theme("FN", (
        Program("School Meal Equipment", "buy kitchen equipment for school breakfast and lunch programs",
                SCHOOLS, "USDA-FNS"),
        Program("Food Bank Capacity", "expand food banks and food pantries to fight hunger and food insecurity",
                NONPROFITS, "USDA-FNS"),
        Program("Nutrition Education", "offer nutrition education that teaches families healthy eating and cooking on a budget",
                NONPROFITS + UNIVERSITIES, "USDA-FNS", "HL"),
        Program("Summer Meals for Children", "serve free summer meals to children when school is out",
                SCHOOLS + ("13",), "USDA-FNS"),
    )),
    Theme("ISS", (
        Program("Child Care Access", "expand access to affordable child care for working families", NONPROFITS + GOVERNMENTS,
                "HHS-ACF"),
        Program("Family Support Services", "strengthen families with home visiting and parenting support",
                NONPROFITS + TRIBES, "HHS-ACF"),
        Program("Aging in Place", "help older adults and seniors age in place, living independently at home "
                "with meals, rides and caregiver support", NONPROFITS + LOCAL_GOVERNMENTS, "HHS-ACL"),
    )),
    Theme("DPR", (
        Program("Disaster Preparedness", "improve disaster preparedness so communities are ready for hurricanes, floods and wildfires",
                GOVERNMENTS, "DHS-FEMA"),
        Program("Hazard Mitigation", "fund hazard mitigation that reduces flood and wildfire risk to homes and public buildings",
                GOVERNMENTS + ("04",), "DHS-FEMA"),
    )),
)  # fmt: skip

# Places a program may name; "Appalachian" comes first in a title, the others after "in".
PLACES = ("Louisiana", "Mississippi", "Texas", "Alaska", "New Mexico", "Appalachian", "Montana", "Puerto Rico")
