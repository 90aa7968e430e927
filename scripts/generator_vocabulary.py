"""Write udsyn/generate/data/cordis-city-projects.csv: the Horizon 2020 projects (CORDIS, up to mid-2016)
in which a city, municipality or region takes part, with their partners, for ``udsyn generate``.

    python3 scripts/generator_vocabulary.py ../shared/data/cordis-sod2016

Source: CORDIS-derived data of the Spaghetti Open Data hackathon 2016,
https://github.com/spaghetti-open-data/eu-research-funding-network (MIT License, Copyright (c) 2016
Spaghetti Open Data), files H2020/H2020_Data/projects.csv, unique_org.csv and edges.csv.
"""

import csv
import re
import sys
from pathlib import Path

LOCAL = re.compile(
    r"\b(KOMMUNE|KOMMUN|MUNICIPALITY|MUNICIPAL|CITY OF|COMUNE|GEMEENTE|STADT|KAUPUNKI|AYUNTAMIENTO|MUNICIPIO|"
    r"GEMEINDE|CITY COUNCIL|MIASTO|REGION|LANDSTING|COUNTY COUNCIL|MAIRIE|VILLE DE|CONCELLO|CAMARA MUNICIPAL)\b",
    re.IGNORECASE,
)
UNIVERSITY = re.compile(r"UNIVERSI|HOGSKOLE|HOEGSKOLE|HOCHSCHULE|COLLEGE|POLITECNICO|POLYTECHN|INSTITUTE OF TECH",
                        re.IGNORECASE)
RESEARCH = re.compile(r"INSTITUT|FORSCHUNG|RESEARCH|CENTRE|CENTER|FOUNDATION|STIFTUNG|FONDAZIONE|FUNDACION",
                      re.IGNORECASE)
COMPANY = re.compile(r"\b(AS|A/S|APS|AB|GMBH|AG|SA|SAS|SRL|SPA|BV|NV|LTD|LIMITED|OY|OYJ|SL|PLC|SARL|KFT|SP Z O O)\b",
                     re.IGNORECASE)
MAX_PARTNERS = 8


def kind(name: str) -> str:
    if LOCAL.search(name):
        return "public_authority"
    if UNIVERSITY.search(name):
        return "university"
    if COMPANY.search(name):
        return "company"
    if RESEARCH.search(name):
        return "other"
    return "other"


def tidy(name: str) -> str:
    """CORDIS writes names in capitals; keep them, but drop doubled spaces and stray separators."""
    return re.sub(r"\s+", " ", name.replace("|", " ").replace(";", ",")).strip()[:200]


def main(source: Path) -> None:
    data = source / "H2020" / "H2020_Data"
    read = lambda name: list(csv.DictReader((data / name).open(encoding="utf-8"), delimiter="\t"))  # noqa: E731
    organisations = {row["new_org_id"]: row for row in read("unique_org.csv")}
    projects = {row["rcn"]: row for row in read("projects.csv")}
    members: dict[str, list[str]] = {}
    for edge in read("edges.csv"):
        members.setdefault(edge["projectRcn"], []).append(edge["new_org_id"])
    local = {key for key, org in organisations.items() if LOCAL.search(org["name"])}
    rows = []
    for rcn, ids in sorted(members.items(), key=lambda item: int(item[0])):
        project = projects.get(rcn)
        if project is None or not local.intersection(ids) or not project["acronym"].strip():
            continue
        partners = [organisations[i] for i in ids if i in organisations][:MAX_PARTNERS]
        rows.append({
            "acronym": project["acronym"].strip()[:60],
            "programme": project["programme"].split(";")[0],
            "start": project["startDate"],
            "end": project["endDate"],
            "ec_contribution_eur": project["ecMaxContribution"].replace(",", ".").split(".")[0] or "",
            "partners": ";".join(f"{tidy(p['name'])}|{p['country']}|{kind(p['name'])}" for p in partners),
        })
    out = Path(__file__).resolve().parent.parent / "udsyn/generate/data/cordis-city-projects.csv"
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} projects written to {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
