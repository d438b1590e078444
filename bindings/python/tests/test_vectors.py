"""The shared vectors give the same results in Python as in Rust."""
import samkoer
from conftest import vectors


def test_cpr_vectors():
    data = vectors("cpr.json")
    for case in data["cases"]:
        if "expect" in case:
            try:
                samkoer.parse_cpr(case["input"], reference_date=data["reference_date"])
            except samkoer.InputError as error:
                assert error.rule == case["expect"], case
            else:
                raise AssertionError(f"accepted {case['input']!r}")
        else:
            digits, born, band = samkoer.parse_cpr(case["input"], reference_date=data["reference_date"])
            assert (digits, born, band) == (case["normalised"], case["birth_date"], case["age_band"])


def test_pseudonym_vectors():
    data = vectors("pseudonyms.json")
    key_text = next(c for c in vectors("key_files.json")["cases"] if c["kind"] == "run" and "expect" not in c)["text"]
    key = samkoer.RunKey.from_key_file_text(key_text)
    run = next(r for r in data["runs"] if r["run"] == key.run)
    cprs = [case["cpr"] for case in run["cases"]]
    expected = [bytes.fromhex(case["pseudonym"]) for case in run["cases"]]
    assert samkoer.pseudonymise(key, cprs) == expected
    assert samkoer.pseudonymise_packed(key, cprs) == b"".join(expected)
    # Any iterable of str works, and every accepted form gives the same pseudonym.
    assert samkoer.pseudonymise(key, (c[:6] + "-" + c[6:] for c in cprs)) == expected

    # Objects that are not str (as Arrow scalars are) count by their str().
    class Scalar:
        def __init__(self, value):
            self.value = value

        def __str__(self):
            return self.value

    assert samkoer.pseudonymise(key, [Scalar(c) for c in cprs]) == expected
    try:
        import numpy
    except ImportError:
        numpy = None
    if numpy is not None:
        column = numpy.array(cprs)
        assert samkoer.pseudonymise_packed(key, column) == b"".join(expected)
        assert numpy.frombuffer(samkoer.pseudonymise_packed(key, column), dtype="V32").shape == (len(cprs),)


def test_key_file_vectors(tmp_path):
    for case in vectors("key_files.json")["cases"]:
        if case["kind"] != "run":
            continue
        if "expect" in case:
            try:
                samkoer.RunKey.from_key_file_text(case["text"])
            except samkoer.InputError as error:
                assert error.rule == case["expect"]
            else:
                raise AssertionError("a bad key file was accepted")
        else:
            assert samkoer.RunKey.from_key_file_text(case["text"]).municipality == "219"


def test_publication_vectors(tmp_path):
    data = vectors("publications.json")
    path = tmp_path / "vector.pub"
    path.write_bytes(bytes.fromhex(data["bytes"]))
    publication = samkoer.read_publication(path)
    expected_header = dict(data["decoded"]["header"], municipality=f'{data["decoded"]["header"]["municipality"]:03}')
    assert publication["header"] == expected_header
    services = [r for r in data["decoded"]["records"] if r["type"] == "service"]
    assert [r["pseudonym"].hex() for r in publication["services"]] == [r["pseudonym"] for r in services]
    assert [r["service"] for r in publication["services"]] == [r["service"] for r in services]
    for case in data["negative"]:
        bad = tmp_path / "bad.pub"
        bad.write_bytes(bytes.fromhex(case["bytes"]))
        try:
            samkoer.read_publication(bad)
        except samkoer.InputError as error:
            assert error.rule == case["expect"], case["case"]
            assert error.file == str(bad)
        else:
            raise AssertionError(case["case"])
