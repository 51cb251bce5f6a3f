"""PostgreSQL: let autovacuum analyse the small area tables after a few changes.

Its defaults wait for 50 changed rows plus 10% of the table: a city's 6
kecamatan or 44 kecamatan of a province are never analysed, the planner
then guesses one row per table and, at the size of a province, loops over
every Posyandu for each report (the city dashboard took 8 s instead of 1.5 s
in benchmarks/reports_speed.py). Other databases have nothing to set.
"""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

TABLES = (
    "areas_kota",
    "areas_kecamatan",
    "areas_kelurahan",
    "areas_puskesmas",
    "areas_puskesmas_kelurahan",
    "areas_posyandu",
)


def analyse_early(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} SET (autovacuum_analyze_threshold = 5, "
            "autovacuum_analyze_scale_factor = 0.02)"
        )
        schema_editor.execute(f"ANALYZE {table}")


def back_to_defaults(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"ALTER TABLE {table} RESET (autovacuum_analyze_threshold, "
            "autovacuum_analyze_scale_factor)"
        )


class Migration(migrations.Migration):
    dependencies = [("areas", "0001_initial")]

    operations = [migrations.RunPython(analyse_early, back_to_defaults)]
