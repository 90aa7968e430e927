"""The real names the generator draws from.

Networks, bodies and programmes are the ones the seeds name (the 2021 mapping of København, Odense's
and Høje-Taastrup's frameworks) and the city networks of the ClimActor data set
(``../shared/data/climactor``: C40, Global Covenant of Mayors, Covenant of Mayors, CDP Cities, ICLEI,
Climate Alliance, Union of the Baltic Cities, Carbon Neutral Cities Alliance, Race to Zero …), plus
Denmark's five regional EU offices. Department and committee names follow the usual Danish municipal
organisation; people's names are the most common Danish first and last names (Danmarks Statistik),
combined at random: they are nobody.
"""

# (name, kind, country) — kind is an ExternalOrganisation.Kind value.
NETWORKS: list[tuple[str, str, str]] = [
    ("EUROCITIES", "network", "BE"),
    ("C40", "network", "GB"),
    ("ICLEI", "network", "DE"),
    ("Union of the Baltic Cities", "network", "PL"),
    ("Covenant of Mayors for Climate & Energy Europe", "network", "BE"),
    ("Global Covenant of Mayors for Climate & Energy", "network", "BE"),
    ("CDP Cities", "network", "GB"),
    ("Race to Zero", "network", "GB"),
    ("Climate Alliance", "network", "DE"),
    ("Carbon Neutral Cities Alliance", "network", "US"),
    ("Energy Cities", "network", "FR"),
    ("POLIS", "network", "BE"),
    ("CIVITAS", "network", "BE"),
    ("Mayors for Peace", "network", "JP"),
    ("International Cities of Refuge Network", "network", "NO"),
    ("WHO European Healthy Cities Network", "international_body", "DK"),
    ("European Green Capital Network", "network", "BE"),
    ("Nordic Safe Cities", "network", "DK"),
    ("STRING", "network", "DK"),
    ("Procura+", "network", "DE"),
    ("Big Buyers", "network", "BE"),
    ("ISCA", "network", "DK"),
    ("Council of European Municipalities and Regions", "network", "BE"),
    ("Conference of Peripheral Maritime Regions", "network", "FR"),
    ("European Coalition of Cities Against Racism", "network", "IT"),
    ("Intercultural Cities", "international_body", "FR"),
    ("UNESCO Creative Cities Network", "international_body", "FR"),
    ("Cittaslow", "network", "IT"),
    ("B7 Baltic Islands Network", "network", "SE"),
    ("Baltic Sea Commission", "network", "FR"),
    ("Nordisk Ministerråd", "international_body", "DK"),
    ("Foreningen Norden", "association", "DK"),
    ("Dansk Initiativ for Etisk Handel", "association", "DK"),
    ("City History Museums and Research Network of Europe", "network", "NL"),
]

# Denmark's regional EU offices in Brussels, by region code (the region's municipalities are members).
EU_OFFICES: dict[str, str] = {
    "1081": "North Denmark EU Office",
    "1082": "Central Denmark EU Office",
    "1083": "Southern Denmark European Office",
    "1084": "Greater Copenhagen EU Office",
    "1085": "Zealand Denmark EU Office",
}

# Working groups within a network (engagements beyond the membership itself).
FORUMS = [
    "Culture Forum", "Environment Forum", "Mobility Forum", "Social Affairs Forum", "Economic Development Forum",
    "Knowledge Society Forum", "arbejdsgruppe om klimatilpasning", "arbejdsgruppe om affald",
    "arbejdsgruppe om ligestilling", "arbejdsgruppe om digitalisering", "arbejdsgruppe om uddannelse",
    "arbejdsgruppe om sundhed",
]

# (name, English name, source) — FundingProgramme.Source values.
PROGRAMMES: list[tuple[str, str, str]] = [
    ("Horizon 2020", "Horizon 2020", "eu"),
    ("Horizon Europe", "Horizon Europe", "eu"),
    ("Interreg", "Interreg", "eu"),
    ("Interreg Øresund-Kattegat-Skagerrak", "Interreg Øresund-Kattegat-Skagerrak", "eu"),
    ("Interreg Deutschland-Danmark", "Interreg Germany-Denmark", "eu"),
    ("Interreg Østersøregionen", "Interreg Baltic Sea Region", "eu"),
    ("Interreg Nordsøregionen", "Interreg North Sea Region", "eu"),
    ("Erasmus+", "Erasmus+", "eu"),
    ("Den Europæiske Socialfond", "European Social Fund", "eu"),
    ("Den Europæiske Fond for Regionaludvikling", "European Regional Development Fund", "eu"),
    ("LIFE", "LIFE", "eu"),
    ("Kreativt Europa", "Creative Europe", "eu"),
    ("Nordplus", "Nordplus", "national"),
    ("Climate-KIC", "Climate-KIC", "eu"),
    ("Strategisk Sektorsamarbejde", "Strategic Sector Cooperation", "national"),
    ("A.P. Møller Fonden", "A.P. Møller Foundation", "foundation"),
    ("Realdania", "Realdania", "foundation"),
]
# EU programmes per CORDIS programme code prefix
CORDIS_PROGRAMME = "Horizon 2020"

THEMES: list[tuple[str, str]] = [
    ("Klima", "Climate"), ("Bæredygtig byudvikling", "Sustainable urban development"), ("Energi", "Energy"),
    ("Mobilitet og infrastruktur", "Mobility and infrastructure"), ("Erhverv og vækst", "Business and growth"),
    ("EU-midler", "EU funding"), ("Internationale medarbejdere", "International employees"),
    ("Kultur", "Culture"), ("Idræt og events", "Sport and events"), ("Sundhed", "Health"),
    ("Social", "Social affairs"), ("Børn og unge", "Children and young people"),
    ("Beskæftigelse og integration", "Employment and integration"), ("Bæredygtige indkøb", "Sustainable procurement"),
    ("Uddannelse", "Education"), ("Digitalisering", "Digitalisation"), ("Turisme", "Tourism"),
    ("Fred og demokrati", "Peace and democracy"), ("Vand og klimatilpasning", "Water and climate adaptation"),
]

# (code, name, English name, themes it usually works with)
DEPARTMENTS: list[tuple[str, str, str, list[str]]] = [
    ("BA", "Borgmesterens Afdeling", "Mayor's Department", ["EU-midler", "Erhverv og vækst", "Fred og demokrati"]),
    ("BUF", "Børn og Unge", "Children and Young People", ["Børn og unge", "Uddannelse"]),
    ("TMF", "Teknik og Miljø", "Technical and Environmental Services",
     ["Klima", "Mobilitet og infrastruktur", "Vand og klimatilpasning", "Energi", "Bæredygtig byudvikling"]),
    ("SUF", "Sundhed og Omsorg", "Health and Care", ["Sundhed", "Social"]),
    ("KFF", "Kultur og Fritid", "Culture and Leisure", ["Kultur", "Idræt og events", "Turisme"]),
    ("BEF", "Beskæftigelse og Erhverv", "Employment and Business",
     ["Beskæftigelse og integration", "Erhverv og vækst", "Internationale medarbejdere"]),
    ("SOF", "Social og Handicap", "Social Services and Disability", ["Social", "Sundhed"]),
]
UNITS = {
    "BA": ["Sekretariatet", "Erhverv og Internationalt"],
    "BUF": ["Dagtilbud", "Skoler og Uddannelse"],
    "TMF": ["Klima og Miljø", "Veje og Trafik"],
    "SUF": ["Ældre og Omsorg", "Forebyggelse"],
    "KFF": ["Kultur", "Idræt og Events"],
    "BEF": ["Jobcenter", "Erhvervsservice"],
    "SOF": ["Handicap", "Udsatte voksne"],
}
COMMITTEES = [
    ("Økonomiudvalget", "Finance Committee", "BA"),
    ("Børne- og Ungeudvalget", "Children and Youth Committee", "BUF"),
    ("Teknik- og Miljøudvalget", "Technical and Environmental Committee", "TMF"),
    ("Sundheds- og Ældreudvalget", "Health and Elderly Committee", "SUF"),
    ("Kultur- og Fritidsudvalget", "Culture and Leisure Committee", "KFF"),
    ("Beskæftigelses- og Erhvervsudvalget", "Employment and Business Committee", "BEF"),
]

FIRST_NAMES = [
    "Anne", "Kirsten", "Mette", "Hanne", "Helle", "Susanne", "Lene", "Maria", "Marianne", "Lone", "Camilla",
    "Pia", "Louise", "Charlotte", "Tina", "Gitte", "Bente", "Jette", "Karen", "Sofie", "Ida", "Emma",
    "Peter", "Michael", "Lars", "Thomas", "Jens", "Henrik", "Søren", "Christian", "Martin", "Jan", "Morten",
    "Jesper", "Anders", "Niels", "Mads", "Rasmus", "Kim", "Per", "Hans", "Jørgen", "Ole", "Frederik", "Mikkel",
]
LAST_NAMES = [
    "Nielsen", "Jensen", "Hansen", "Andersen", "Pedersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
    "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen", "Poulsen", "Johansen",
    "Møller", "Mortensen", "Knudsen", "Jakobsen", "Mikkelsen", "Olesen", "Frederiksen", "Laursen", "Henriksen",
    "Lund", "Schmidt", "Eriksen", "Holm", "Kristiansen", "Clausen", "Simonsen", "Svendsen", "Andreasen",
]
PARTIES = ["A", "V", "C", "F", "Ø", "B", "O", "I", "Æ", "M", "Å"]
STAFF_TITLES = [
    "international koordinator", "EU-konsulent", "chefkonsulent", "specialkonsulent", "kontorchef",
    "projektleder", "fuldmægtig", "direktør", "sekretariatschef",
]

# Countries partner cities are drawn from, with weights: the Nordic and Baltic neighbours and Germany
# most, then the rest of Europe, then the world (twin cities in China, Japan, the USA …).
CITY_COUNTRIES: dict[str, int] = {
    "SE": 12, "NO": 10, "DE": 10, "FI": 7, "IS": 3, "FO": 2, "GL": 2, "PL": 5, "LT": 3, "LV": 3, "EE": 3,
    "NL": 4, "GB": 4, "FR": 4, "IT": 3, "ES": 3, "BE": 2, "AT": 2, "CZ": 2, "HU": 1, "PT": 1, "IE": 1,
    "UA": 2, "CN": 4, "JP": 2, "US": 3, "KR": 1, "IN": 1, "BR": 1, "ZA": 1, "GH": 1, "KE": 1, "VN": 1,
    "TZ": 1, "AR": 1, "CA": 1, "TR": 1,
}

GOALS = [
    "Flere borgere i job og uddannelse", "Grøn omstilling og klimaneutralitet", "Børn og unge trives og lærer",
    "Et stærkt erhvervsliv med flere arbejdspladser", "Et aktivt kultur- og fritidsliv", "Sundhed og livskvalitet",
    "En attraktiv by at bo og arbejde i", "Internationale talenter bliver og bidrager",
]
PRINCIPLES = [
    ("Værdi", "Aktiviteten understøtter et eller flere af de politiske mål."),
    ("Forankring", "Aktiviteten er forankret i en forvaltning med ledelsens opbakning."),
    ("Økonomi", "Udgiften står mål med det, kommunen får ud af det."),
    ("Synlighed", "Resultaterne deles med borgere, politikere og kolleger."),
    ("Partnerskab", "Aktiviteten bygger varige partnerskaber."),
]

INQUIRY_ORGANISATIONS: list[tuple[str, str]] = [
    ("Ministry of Environment", "public_authority"), ("City Council", "public_authority"),
    ("Regional Government", "public_authority"), ("Municipal Association", "public_authority"),
    ("University", "university"), ("Technical University", "university"), ("High School", "school"),
    ("Folk High School", "school"), ("Chamber of Commerce", "business"), ("Architects' Association", "business"),
    ("Water Utility", "business"), ("Youth Council", "ngo"), ("Cycling Association", "ngo"),
    ("Red Cross branch", "ngo"),
]
INQUIRY_TOPICS = [
    "klimatilpasning", "cykelinfrastruktur", "affaldssortering", "ældrepleje", "dagtilbud", "jobcenter",
    "integration", "digital forvaltning", "fjernvarme", "byfornyelse", "biblioteker", "idrætsfaciliteter",
    "climate adaptation", "cycling", "waste management", "elderly care", "smart city", "district heating",
]
DECLINE_REASONS: list[tuple[str, str]] = [
    ("Vi har desværre ikke kapacitet til besøg i den ønskede periode.",
     "Unfortunately we cannot receive visits in the period you ask for."),
    ("Emnet ligger uden for kommunens opgaver.", "The topic lies outside the municipality's tasks."),
]
PROGRAMME_ITEMS = ["Velkomst og præsentation af kommunen", "Oplæg om {topic}", "Besigtigelse", "Spørgsmål og afrunding"]
