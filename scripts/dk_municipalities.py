"""Write data/reference/dk-municipalities.yaml from a DAWA dump of /kommuner and /regioner.

    python scripts/dk_municipalities.py ../shared/data/dk-kommuner > data/reference/dk-municipalities.yaml
"""

import json
import sys
from pathlib import Path

HEADER = """\
# Denmark's five regions and 98 municipalities.
# Source: DAWA / Dataforsyningen (https://api.dataforsyningen.dk/kommuner and /regioner), Danish public
# address and geodata from Klimadatastyrelsen, as dumped 2024-11-15 in
# https://github.com/sshine/sish-2024-jpa-many-to-many (data/kommuner.json, data/regioner.json).
# Christiansø (0411) is left out: it lies outside the municipal division. Coordinates are DAWA's
# visual centre of each municipality. Regenerate with scripts/dk_municipalities.py."""


def main(source: Path) -> None:
    regions = json.loads((source / "regioner.json").read_text(encoding="utf-8"))
    municipalities = json.loads((source / "kommuner.json").read_text(encoding="utf-8"))
    lines = [HEADER, "regions:"]
    for region in sorted(regions, key=lambda r: r["kode"]):
        lines += [f'  - code: "{region["kode"]}"', f"    name: {region['navn']}", f"    nuts2: {region['nuts2']}"]
    lines.append("municipalities:")
    for m in sorted(municipalities, key=lambda m: m["kode"]):
        if m.get("udenforkommuneinddeling"):
            continue
        longitude, latitude = m["visueltcenter"]
        lines += [
            f'  - code: "{m["kode"]}"', f"    name: {m['navn']}", f'    region: "{m["regionskode"]}"',
            f"    latitude: {round(latitude, 5)}", f"    longitude: {round(longitude, 5)}",
        ]
    sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
