"""Loading of the reference data shipped with the code (used by migrations and tests)."""

import csv
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def load_provinces(province_model) -> int:
    """Create or update the 77 provinces; returns how many there are. Idempotent."""
    with open(DATA / "provinces.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        province_model.objects.update_or_create(
            code=row["code"], defaults={"name_th": row["name_th"], "name_en": row["name_en"]}
        )
    return len(rows)
