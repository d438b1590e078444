"""Per-item cost of other privacy-preserving linkage approaches, as reference points.

Each library installed from PyPI is run on the same synthetic CPR numbers (bench_inputs.rs's
formula) on one core, and its cost per item is printed beside samkoer's (given on the command
line, from the same run of bench/compare.sh). A library that is not installed is reported as
such. These are different protocols with different guarantees, so the figures say what each
approach costs per item, not that one replaces another:

- clkhash: cryptographic long-term keys (Bloom-filter encodings) for fuzzy linkage; per item,
  one CLK of the CPR number's bigrams.
- openmined-psi: private set intersection over elliptic curves; per item, the client's blinded
  request and the server's answer to it.
- libpep-py: polymorphic pseudonyms (ElGamal on Ristretto); per item, one pseudonymisation of an
  encrypted pseudonym from one domain to another.

Usage: peers.py SAMKOER_NANOSECONDS_PER_ITEM [COUNT]
"""
import base64
import sys
import time


def benchmark_cpr(i: int) -> str:
    return "%02d%02d%02d%04d" % (1 + i % 28, 1 + (i // 28) % 12, (i // 336) % 100, (i * 7919) % 10_000)


def timed(action, count):
    """Seconds per item of the best of three runs."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - started)
    return best / count


def clkhash_cost(cprs):
    from clkhash import clk
    from clkhash.schema import from_json_dict

    schema = from_json_dict({
        "version": 3,
        "clkConfig": {
            "l": 1024,
            "kdf": {"type": "HKDF", "hash": "SHA256", "keySize": 64,
                    "salt": base64.b64encode(b"samkoer-bench-salt").decode(),
                    "info": base64.b64encode(b"samkoer-bench").decode()},
        },
        "features": [{
            "identifier": "cpr",
            "format": {"type": "string", "encoding": "ascii", "minLength": 10, "maxLength": 10},
            "hashing": {"comparison": {"type": "ngram", "n": 2},
                        "strategy": {"bitsPerToken": 30}, "hash": {"type": "doubleHash"}},
        }],
    })
    rows = [[cpr] for cpr in cprs]
    return timed(lambda: clk.generate_clks(rows, schema, "secret", max_workers=1), len(cprs))


def psi_cost(cprs):
    import private_set_intersection.python as psi

    server = psi.server.CreateWithNewKey(True)
    client = psi.client.CreateWithNewKey(True)
    setup = server.CreateSetupMessage(0.001, len(cprs), cprs, psi.DataStructure.RAW)

    def run():
        request = client.CreateRequest(cprs)
        response = server.ProcessRequest(request)
        client.GetIntersection(setup, response)

    return timed(run, len(cprs))


def libpep_cost(cprs):
    from libpep import client, transcryptor
    from libpep.contexts import EncryptionContext, PseudonymizationDomain
    from libpep.data import pseudonym_from_string_padded
    from libpep.factors import EncryptionSecret, PseudonymizationInfo, PseudonymizationSecret
    from libpep.keys import make_global_keys, make_session_keys

    _, secret = make_global_keys()
    encryption = EncryptionSecret(b"samkoer-bench-encryption")
    session = EncryptionContext("session")
    keys = make_session_keys(secret, session, encryption)
    encrypted = [client.encrypt(pseudonym_from_string_padded(cpr), keys.pseudonym.public)
                 for cpr in cprs]
    info = PseudonymizationInfo(PseudonymizationDomain("sector"), PseudonymizationDomain("matcher"),
                                session, session, PseudonymizationSecret(b"samkoer-bench"), encryption)
    return timed(lambda: [transcryptor.pseudonymize(e, info) for e in encrypted], len(cprs))


def main() -> None:
    samkoer_ns = float(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    cprs = [benchmark_cpr(i) for i in range(count)]
    print(f"reference points, {count} CPR numbers each, one core; samkoer {samkoer_ns:.0f} ns per pseudonym")
    for name, cost in (("clkhash (Bloom-filter CLK)", clkhash_cost),
                       ("openmined-psi (EC PSI, request + answer)", psi_cost),
                       ("libpep-py (polymorphic pseudonym)", libpep_cost)):
        try:
            seconds = cost(cprs)
        except ImportError:
            print(f"{name}: not installed")
            continue
        except Exception as error:  # a library whose API this script does not know
            print(f"{name}: could not be run here ({type(error).__name__}: {error})")
            continue
        print(f"{name}: {seconds * 1e6:.1f} us per item = {seconds * 1e9 / samkoer_ns:.0f}x samkoer's cost")


if __name__ == "__main__":
    main()
