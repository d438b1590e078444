"""DuckDB's and pandas' group-by on the same pseudonyms as the samkoer match benchmark.

Reads `records.bin` written by `match_bench generate ... --dump` (per service record: the
32-byte pseudonym, the sector index, the service index as little-endian u16), loads it into
each engine (not timed), then times the per-person aggregation the matcher's grouping does:
the set of sectors and the number of distinct services per pseudonym. The pseudonym is the
group key as four 64-bit columns, the form a columnar engine handles best.

Usage: match_engines.py RECORDS_BIN [THREADS]
"""
import sys
import time

import duckdb
import numpy as np
import pandas as pd


def best_of(runs, action):
    best = float("inf")
    result = None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - started)
    return best, result


def main() -> None:
    path = sys.argv[1]
    threads = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    record = np.dtype([("pseudonym", "V32"), ("sector", "u1"), ("service", "<u2")])
    raw = np.fromfile(path, dtype=record)
    words = np.frombuffer(raw["pseudonym"].tobytes(), dtype="<u8").reshape(-1, 4)
    frame = pd.DataFrame(
        {
            "p0": words[:, 0],
            "p1": words[:, 1],
            "p2": words[:, 2],
            "p3": words[:, 3],
            "sector": raw["sector"].astype(np.uint8),
            "service": raw["service"].astype(np.uint16),
        }
    )
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    con.register("frame", frame)
    con.execute("CREATE TABLE records AS SELECT * FROM frame")
    query = """
        SELECT count(*), sum(sectors), sum(services) FROM (
            SELECT bit_count(bit_or(1::UBIGINT << sector)) AS sectors, count(DISTINCT service) AS services
            FROM records GROUP BY p0, p1, p2, p3
        )
    """
    duckdb_seconds, duckdb_result = best_of(3, lambda: con.execute(query).fetchone())
    print(f"duckdb group-by ({threads} thread): {duckdb_seconds:.3f} s, persons {duckdb_result[0]}")

    def pandas_groupby():
        grouped = frame.groupby(["p0", "p1", "p2", "p3"], sort=False).agg(
            sectors=("sector", "nunique"), services=("service", "nunique")
        )
        return len(grouped)

    pandas_seconds, persons = best_of(1, pandas_groupby)
    print(f"pandas group-by: {pandas_seconds:.3f} s, persons {persons}")


if __name__ == "__main__":
    main()
