"""Python's hmac on the same CPR numbers and key as the core's benchmark (bench_inputs.rs).

Prints the rate and a digest of all pseudonyms, which must equal the Rust example's.
"""
import hashlib
import hmac
import sys
import time

LABEL = b"samkoer/v1/pseudonym"
KEY = bytes(range(32))


def benchmark_cpr(i: int) -> bytes:
    day = 1 + i % 28
    month = 1 + (i // 28) % 12
    year = (i // 336) % 100
    serial = (i * 7919) % 10_000
    return b"%02d%02d%02d%04d" % (day, month, year, serial)


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000_000
    cprs = [benchmark_cpr(i) for i in range(count)]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        # The fastest plain-Python form: a pre-keyed object copied per item, like the core does.
        keyed = hmac.new(KEY, LABEL, hashlib.sha256)
        out = []
        append = out.append
        for cpr in cprs:
            mac = keyed.copy()
            mac.update(cpr)
            append(mac.digest())
        best = min(best, time.perf_counter() - started)
    digest = hashlib.sha256(b"".join(out)).hexdigest()
    print(f"python hmac: {count} pseudonyms, best of 3: {best:.4f} s, {count / best:.0f} per second")
    print(f"digest of all pseudonyms: {digest}")


if __name__ == "__main__":
    main()
