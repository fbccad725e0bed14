"""Where the set-oriented stages run: DuckDB (default, embedded) or Apache Spark.

Each stage is written once, as DuckDB SQL over named tables (``coaction.py``); the
Spark engine renders that SQL for Spark (``spark_sql.py``) and runs the NumPy steps on
Spark's Arrow batches (``spark.py``). Everything after the pair tests works on small
tables and always runs in DuckDB.
"""

ENGINES = ("duckdb", "spark")
