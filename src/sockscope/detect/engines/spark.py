"""The co-action stages on Apache Spark (``detect --engine spark``).

Per trace, the plan of ``coaction.py`` (first actions, key numbering, windowed counts,
the null model's per-key counts, account activity) runs as Spark SQL rendered from the
same DuckDB SQL (``spark_sql.to_spark``); the pair enumeration runs the same NumPy
function (``enumerate_pairs``) on Spark's Arrow batches, a bucket of whole keys at a
time. What comes back to DuckDB is what the pair tests read: the pairs that meet often
enough, the actions and keys they name, the keys' counts and the accounts' activity.
The pair tests, groups, evidence and outputs then run as on DuckDB alone.

Tables travel as Parquet through a working folder that the driver and every executor
can read (``workdir``; local mode: a temporary folder). The canonical posts and the
key tables prepared on the driver (account codes, canonical URLs, normalised texts,
near-duplicate families) are written there once per run, when a stage first reads them.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from sockscope.detect.coaction import CoactionPlan, enumerate_pairs
from sockscope.detect.engines.spark_sql import tables_read, to_spark
from sockscope.errors import SockscopeError

# actions per enumeration bucket, roughly: a bucket (whole keys) is one Arrow table
# in one Python worker
BUCKET_ACTIONS = 1_000_000
SHIPPED_ROWS = 1_000_000  # rows per Arrow batch when DuckDB tables are written for Spark
LOG_CONFIG = Path(__file__).with_name("log4j2.properties")  # local mode: errors only
PAIRS_SCHEMA = ("pair LONG, account_a INT, account_b INT, kid INT, g_a LONG, g_b LONG, "
                "dt DOUBLE, rare BOOLEAN")


def spark_session(master: str = "local[*]"):
    """The process's Spark session (created on first use), on UTC time, quiet."""
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master(master).appName("sockscope")
    if master.startswith("local"):
        from sockscope.store.database import default_memory_limit

        # the Python workers are this interpreter, with sockscope and its dependencies;
        # the executors live in the driver's JVM, which gets what DuckDB would get
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
        builder = (builder
                   .config("spark.driver.memory",
                           default_memory_limit().lower().removesuffix("b"))
                   .config("spark.driver.extraJavaOptions",
                           f"-Dlog4j2.configurationFile={LOG_CONFIG.as_uri()}"))
    try:
        session = (builder
                   .config("spark.sql.session.timeZone", "UTC")
                   .config("spark.ui.enabled", "false")
                   .config("spark.ui.showConsoleProgress", "false")
                   .config("spark.sql.shuffle.partitions", str(_default_partitions(master)))
                   .config("spark.sql.ansi.enabled", "false")
                   .getOrCreate())
    except Exception as exc:  # the JVM did not start: say what is missing
        raise SockscopeError(f"Spark did not start ({exc.__class__.__name__}: {exc}); the "
                             "Spark engine needs Java 17 or later (Debian: "
                             "default-jre-headless)") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


def _default_partitions(master: str) -> int:
    from sockscope.keys.threads import cores

    return 4 * cores() if master.startswith("local") else 200


class SparkEngine:
    """Runs co-action plans on Spark for one detection run at a time."""

    def __init__(self, master: str = "local[*]", workdir: str | Path | None = None) -> None:
        self.master = master
        self.spark = spark_session(master)
        self._root = Path(workdir) if workdir is not None else None
        self._run: Path | None = None
        self._shipped: set[str] = set()  # DuckDB tables already written for Spark
        self._views: set[str] = set()  # every Spark view of the run

    # -- the run's working folder ------------------------------------------------------

    @property
    def run_dir(self) -> Path:
        """This run's folder under the work folder (made on first use)."""
        if self._run is None:
            root = self._root or Path(tempfile.gettempdir())
            root.mkdir(parents=True, exist_ok=True)
            self._run = Path(tempfile.mkdtemp(prefix="sockscope-spark-", dir=root))
        return self._run

    def end_run(self) -> None:
        """Forget the run's tables and delete its working folder."""
        for name in sorted(self._views):
            self.spark.catalog.dropTempView(name)
        self._views.clear()
        self._shipped.clear()
        if self._run is not None:
            shutil.rmtree(self._run, ignore_errors=True)
            self._run = None

    # -- moving tables -------------------------------------------------------------------

    def _view(self, frame, name: str) -> None:
        """Register ``frame`` as the run's view ``name`` (dropped when the run ends)."""
        frame.createOrReplaceTempView(name)
        self._views.add(name)

    def _ship(self, con, table: str) -> None:
        """Make DuckDB's ``table`` readable by Spark (once per run), streamed to Parquet
        in batches. Paths never enter SQL text."""
        if table in self._shipped:
            return
        path = self.run_dir / "in" / table
        path.mkdir(parents=True)
        reader = con.sql(f"SELECT * FROM {table}").to_arrow_reader(SHIPPED_ROWS)
        with pq.ParquetWriter(path / "part.parquet", reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
        self._view(self.spark.read.parquet(str(path)), table)
        self._shipped.add(table)

    def _materialise(self, name: str, select: str):
        """Run ``select`` (DuckDB SQL) on Spark into the view ``name``, written out so
        that later stages read a table rather than recompute its lineage."""
        path = str(self.run_dir / "stage" / name)
        self.spark.sql(to_spark(select)).write.mode("overwrite").parquet(path)
        frame = self.spark.read.parquet(path)
        self._view(frame, name)
        return frame

    def _bring_back(self, con, name: str, frame) -> Path:
        """Spark's ``frame`` as DuckDB's temp table ``name`` (through Parquet files that
        DuckDB reads as an Arrow dataset); returns the files' folder."""
        path = self.run_dir / "out" / name
        frame.write.mode("overwrite").parquet(str(path))
        if not any(path.glob("*.parquet")):  # no file for an empty result
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({_duckdb_columns(frame)})")
            return path
        view = f"spark_{name}"
        con.register(view, ds.dataset(str(path), format="parquet"))
        try:
            con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM {view}")
        finally:
            con.unregister(view)
        return path

    # -- the co-action stage -----------------------------------------------------------

    def build_coactions(self, scratch, plan: CoactionPlan, min_shared: int) -> int:
        """Run ``plan`` on Spark; leave in DuckDB the tables the pair tests read
        (``coacts``, and the ``acts``, ``keys``, ``key_names`` rows they refer to,
        ``activity`` and ``stratum_activity``). Returns the number of actions."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        con = scratch.con
        stage_names = {table for table, _ in plan.steps}
        reads = [set(tables_read(select)) for _, select in plan.steps]
        reads.append(set(tables_read(plan.reach)))
        actions = 0
        for step, (table, select) in enumerate(plan.steps):
            for source in reads[step] - stage_names:
                self._ship(con, source)
            if table == "key_names":
                actions = self._number_keys()
            elif any(table in later for later in reads[step + 1:]):
                self._materialise(table, select)
            else:  # read only once, when it goes back to DuckDB: no need to write it twice
                self._view(self.spark.sql(to_spark(select)), table)
        buckets = max(_default_partitions(self.master), -(-actions // BUCKET_ACTIONS))
        walked = self.spark.sql(to_spark(plan.reach)).selectExpr(
            "*", f"pmod(kid, {buckets}) AS bucket")
        enumerate_bucket = _bucket_enumerator(plan.widest, plan.rare, plan.rare_scale)
        pairs = walked.groupBy("bucket").applyInArrow(enumerate_bucket, PAIRS_SCHEMA)
        if min_shared > 1:
            # Spark counts each pair's co-actions in one shuffle on the pair code (a window
            # per pair: the pairs are enumerated once); DuckDB's path enumerates twice
            # instead, sorting all pair codes at once, which needs every key on one machine
            met = Window.partitionBy("pair")
            pairs = (pairs.withColumn("met", F.count("*").over(met))
                     .where(F.col("met") >= int(min_shared)).drop("met"))
        path = self._bring_back(con, "coacts", pairs)  # written once, read by both engines
        self._view(self.spark.read.schema(PAIRS_SCHEMA).parquet(str(path)), "coacts")
        kept = {
            "acts": """SELECT a.* FROM acts a LEFT SEMI JOIN (
                           SELECT g_a AS g FROM coacts UNION SELECT g_b AS g FROM coacts
                       ) c ON a.g = c.g""",
            "keys": "SELECT * FROM keys WHERE n > 1",
            "key_names": """SELECT k.* FROM key_names k
                            LEFT SEMI JOIN coacts c ON k.kid = c.kid""",
            "activity": "SELECT * FROM activity",
            "stratum_activity": "SELECT * FROM stratum_activity",
        }
        for name, select in kept.items():
            self._bring_back(con, name, self.spark.sql(select))
        return actions

    def _number_keys(self) -> int:
        """The view ``key_names`` (key, kid, first_g) as the plan's SQL defines it: keys
        numbered in key order, and each key's first action number the running sum of
        the counts before it. The SQL's window over the whole table would put every
        key in one Spark partition; here the keys are range-partitioned and sorted, each
        partition numbers its own rows, and the partitions' totals give the offsets.
        Returns the number of actions."""
        from pyspark.sql import Window
        from pyspark.sql import functions as F

        counted = self.spark.sql("SELECT key, count(*) AS n FROM acts_raw GROUP BY key")
        path = str(self.run_dir / "stage" / "key_parts")
        (counted.repartitionByRange(_default_partitions(self.master), "key")
         .withColumn("part", F.spark_partition_id()).write.mode("overwrite").parquet(path))
        parts = self.spark.read.parquet(path)
        totals = parts.groupBy("part").agg(F.count("*").alias("rows"),
                                           F.sum("n").alias("actions")).collect()
        before, rows, actions = [], 0, 0  # (part, rows before it, actions before it)
        for total in sorted(totals, key=lambda t: t["part"]):
            before.append((total["part"], rows, actions))
            rows, actions = rows + total["rows"], actions + total["actions"]
        offsets = self.spark.createDataFrame(
            before, "part INT, rows_before LONG, actions_before LONG")
        order = Window.partitionBy("part").orderBy("key")
        numbered = (parts.join(F.broadcast(offsets), "part")
                    .withColumn("r", F.row_number().over(order))
                    .withColumn("s", F.sum("n").over(order.rowsBetween(
                        Window.unboundedPreceding, Window.currentRow)))
                    .selectExpr("key", "CAST(rows_before + r AS INT) AS kid",
                                "actions_before + s - n AS first_g"))
        path = str(self.run_dir / "stage" / "key_names")
        numbered.write.mode("overwrite").parquet(path)
        self._view(self.spark.read.parquet(path), "key_names")
        return actions


def _bucket_enumerator(widest: int | None, rare: int, rare_scale: bool):
    """The function Spark applies to each bucket of whole keys: its actions in ``g``
    order through ``enumerate_pairs`` (every pair; the ``min_shared`` filter is Spark's)."""

    def enumerate_bucket(table: pa.Table) -> pa.Table:
        table = table.sort_by("g")
        acts = {name: table[name].to_numpy() for name in
                ("g", "account", "kid", "t", "n", "reach")}
        return pa.table(enumerate_pairs(acts, widest, rare, rare_scale, 1))  # PAIRS_SCHEMA

    return enumerate_bucket


def _duckdb_columns(frame) -> str:
    """A Spark frame's columns as DuckDB column definitions (for empty results)."""
    types = {"bigint": "BIGINT", "int": "INTEGER", "double": "DOUBLE", "string": "VARCHAR",
             "boolean": "BOOLEAN", "timestamp": "TIMESTAMP", "timestamp_ntz": "TIMESTAMP"}
    return ", ".join(f'"{name}" {types.get(kind, "VARCHAR")}' for name, kind in frame.dtypes)
