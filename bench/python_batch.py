"""samkoer's Python batch API against Python's own hmac loop, same CPRs, same run.

Usage: python bench/python_batch.py [COUNT]   (needs the samkoer package installed)
"""
import hashlib
import hmac
import os
import sys
import tempfile
import time

import samkoer

sys.path.insert(0, os.path.dirname(__file__))
from pseudonyms_python import KEY, LABEL, benchmark_cpr  # noqa: E402


def best(runs, action):
    fastest, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        fastest = min(fastest, time.perf_counter() - started)
    return fastest, result


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    cprs = [benchmark_cpr(i).decode() for i in range(count)]
    # The run key of bench_inputs.rs (bytes 0..31), as a key file the package can read.
    key_text = samkoer_bench_key_file()
    with tempfile.NamedTemporaryFile("w", suffix=".key", delete=False) as handle:
        handle.write(key_text)
    os.chmod(handle.name, 0o600)
    key = samkoer.RunKey.from_file(handle.name)
    os.unlink(handle.name)

    def python_loop():
        keyed = hmac.new(KEY, LABEL, hashlib.sha256)
        out = []
        for cpr in cprs:
            mac = keyed.copy()
            mac.update(cpr.encode())
            out.append(mac.digest())
        return b"".join(out)

    python_seconds, python_out = best(3, python_loop)
    packed_seconds, packed = best(3, lambda: samkoer.pseudonymise_packed(key, cprs))
    list_seconds, listed = best(3, lambda: samkoer.pseudonymise(key, cprs))
    assert packed == python_out == b"".join(listed), "the pseudonyms differ"
    print(f"python hmac loop: {count / python_seconds / 1e6:.2f} M/s")
    print(f"samkoer.pseudonymise_packed: {count / packed_seconds / 1e6:.2f} M/s, {python_seconds / packed_seconds:.1f}x the hmac loop")
    print(f"samkoer.pseudonymise (list of bytes): {count / list_seconds / 1e6:.2f} M/s, {python_seconds / list_seconds:.1f}x the hmac loop")


def samkoer_bench_key_file() -> str:
    """A run-key file for the benchmark key, made with the samkoer CLI format (spec §4.5)."""
    secret = bytes(range(32))
    fingerprint = hmac.new(secret, b"samkoer/v1/fingerprint" + bytes([2]), hashlib.sha256).digest()[:16].hex()
    fingerprint = "-".join(fingerprint[i : i + 8] for i in range(0, 32, 8))
    body = f"samkoer-key-file 1\nkind: run\nmunicipality: 219\nrun: bench\nfingerprint: {fingerprint}\nsecret: {secret.hex()}\n"
    check = hashlib.sha256(b"samkoer/v1/key-file" + body.encode()).digest()[:16].hex()
    return body + f"check: {check}\n"


if __name__ == "__main__":
    main()
