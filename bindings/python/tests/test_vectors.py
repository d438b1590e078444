"""The shared vectors give the same results in Python as in Rust."""
import json

import samkoer
from conftest import matcher_key, vectors


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


def write_publications(folder, population):
    """The population's publications as files, in their order."""
    folder.mkdir(exist_ok=True)
    paths = []
    for publication in population["publications"]:
        path = folder / publication["file"]
        path.write_bytes(bytes.fromhex(publication["bytes"]))
        paths.append(path)
    return paths


def match_case(tmp_path, name, population, criteria):
    """Matches the population's publications under the criteria text into a folder of its own."""
    folder = tmp_path / name
    publications = write_publications(folder, population)
    criteria_path = folder / "criteria.toml"
    criteria_path.write_text(criteria, encoding="utf-8")
    return samkoer.match(publications, matcher_key=matcher_key(tmp_path), criteria=criteria_path, out_dir=folder / "match")


def without_ids(candidates):
    """The candidates as a multiset, without the random ids (and the members, which only the vectors name)."""
    drop = ("id", "members")
    return sorted(json.dumps({k: v for k, v in c.items() if k not in drop}, sort_keys=True) for c in candidates)


def test_criteria_vectors(tmp_path):
    """Criteria are checked before any publication is read: each invalid file gives its rule and line."""
    data = vectors("criteria.json")
    population = vectors("match.json")["population"]
    for i, case in enumerate(data["valid"]):
        match_case(tmp_path, f"valid-{i}", population, case["text"])
    for i, case in enumerate(data["negative"]):
        try:
            match_case(tmp_path, f"negative-{i}", population, case["text"])
        except samkoer.InputError as error:
            assert (error.rule, error.line) == (case["expect"], case["line"]), case["case"]
            assert error.file.endswith("criteria.toml"), case["case"]
        else:
            raise AssertionError(case["case"])


def test_match_vectors(tmp_path):
    data = vectors("match.json")
    for i, case in enumerate(data["cases"]):
        matched = match_case(tmp_path, f"case-{i}", data["population"], case["criteria"])
        expected = case["result"]
        assert (matched.result["persons"], matched.result["families"]) == (expected["persons"], expected["families"])
        assert without_ids(matched.result["candidates"]) == without_ids(expected["candidates"]), case["case"]


def test_statistics_vectors(tmp_path):
    for i, case in enumerate(vectors("statistics.json")["cases"]):
        matched = match_case(tmp_path, f"case-{i}", case["population"], case["criteria"])
        assert matched.statistics == case["statistics"], case["case"]
        assert matched.statistics_csv() == case["csv"], case["case"]


def write_key(tmp_path, text, name="sealing.key"):
    """A key file of the vectors, owner-only as a key file must be."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_work_list_vectors(tmp_path):
    """Review gives the work list's exact bytes; every saved form of the filled-in list gives
    the same verdict file, byte for byte; each mistake its rule and line."""
    data = vectors("work_lists.json")
    key = write_key(tmp_path, data["sealing_key_file"])
    flag_file = tmp_path / "adult-social.flag"
    flag_file.write_bytes(bytes.fromhex(data["flag_file"]))
    work_list = samkoer.review(key, flag_file, tmp_path / "worklist.csv")
    assert (tmp_path / "worklist.csv").read_bytes() == data["work_list"].encode("utf-8")
    assert (work_list.sector, work_list.run) == (data["sector"], "2026-11")
    assert work_list.rows == data["work_list_json"]
    for i, case in enumerate(data["filled"]):
        out = tmp_path / f"verdicts-{i}.json"
        returned = samkoer.verdict(key, flag_file, bytes.fromhex(case["bytes"]), out)
        assert out.read_text(encoding="utf-8") == data["verdicts"], case["case"]
        assert returned == json.loads(data["verdicts"]), case["case"]
    for i, case in enumerate(data["negative"]):
        try:
            samkoer.verdict(key, flag_file, bytes.fromhex(case["bytes"]), tmp_path / f"bad-{i}.json")
        except samkoer.InputError as error:
            assert (error.rule, error.line) == (case["expect"], case["line"]), (case["case"], case["saved"])
        else:
            raise AssertionError(case["case"])


def test_selection_vectors(tmp_path):
    data = vectors("selection.json")
    # The matcher key the vectors' result is signed with (a key file: owner-only).
    key = tmp_path / "vector-matcher.key"
    key.write_text(data["matcher_key_file"], encoding="utf-8")
    key.chmod(0o600)
    result = tmp_path / "result.json"
    result.write_text(data["match_result"], encoding="utf-8")
    files = []
    for verdicts in data["verdicts"]:
        path = tmp_path / verdicts["file"]
        path.write_text(verdicts["text"], encoding="utf-8")
        files.append(path)
    selection = samkoer.select(result, files, tmp_path / "selection.json", matcher_key=key)
    assert selection == json.loads(data["selection"])
    assert (tmp_path / "selection.json").read_text(encoding="utf-8") == data["selection"]
    for i, case in enumerate(data["negative"]):
        folder = tmp_path / f"extra-{i}"
        folder.mkdir()
        added = []
        for j, added_file in enumerate([*case["before"], case]):
            path = folder / f"{j}-{added_file['file']}"
            path.write_text(added_file["text"], encoding="utf-8")
            added.append(path)
        extra = added[-1]
        try:
            samkoer.select(result, [*files, *added], tmp_path / f"selection-{i}.json", matcher_key=key)
        except samkoer.InputError as error:
            assert (error.rule, error.line) == (case["expect"], case["line"]), case["case"]
            assert error.file == str(extra), case["case"]
        else:
            raise AssertionError(case["case"])


def publish_case(tmp_path, name, run_key, sealing_key, export, mapping):
    """Publishes an export's bytes (as the file export.csv) under a mapping's text, with no limits."""
    folder = tmp_path / name
    folder.mkdir()
    path = folder / "export.csv"
    path.write_bytes(export)
    mapping_path = None
    if mapping:
        mapping_path = folder / "mapping.toml"
        mapping_path.write_text(mapping, encoding="utf-8")
    report = samkoer.publish(run_key, sealing_key, path, folder / "out.pub", mapping=mapping_path,
                             max_rejected=100, allow_all_excluded=True)
    return path, report, samkoer.read_publication(folder / "out.pub")


def check_published(case, path, report, publication):
    assert report["export"] == dict(case["accounting"], file=str(path)), case["case"]
    assert [s["pseudonym"].hex() for s in publication["services"]] == [r["pseudonym"] for r in case["records"]], case["case"]
    assert [s["service"] for s in publication["services"]] == [r["service"] for r in case["records"]], case["case"]


def vector_run_key():
    text = next(c for c in vectors("key_files.json")["cases"] if c["kind"] == "run" and "expect" not in c)["text"]
    return samkoer.RunKey.from_key_file_text(text)


def test_mapping_vectors(tmp_path):
    data = vectors("mappings.json")
    run_key = vector_run_key()
    keys = {k["sector"]: write_key(tmp_path, k["key_file"], f"{k['sector']}.key") for k in data["sealing_keys"]}
    for i, case in enumerate(data["cases"]):
        published = publish_case(tmp_path, f"case-{i}", run_key, keys[case["sector"]], bytes.fromhex(case["export"]), case["mapping"])
        check_published(case, *published)
        rows = case["rows"]
        assert [(r["line"], r["rule"]) for r in rows if r["outcome"] == "rejected"] == \
            [(r["line"], r["rule"]) for r in published[1]["export"]["rejected_lines"]], case["case"]
    for i, case in enumerate(data["negative"] + data["header_faults"]):
        try:
            publish_case(tmp_path, f"negative-{i}", run_key, keys[case.get("sector", "employment")],
                         bytes.fromhex(case.get("export", "")) or b"cpr;service;status;start\n", case["mapping"])
        except samkoer.InputError as error:
            assert (error.rule, error.line) == (case["expect"], case["line"]), case["case"]
        else:
            raise AssertionError(case["case"])


def test_encoding_vectors(tmp_path):
    data = vectors("encodings.json")
    run_key = vector_run_key()
    key = write_key(tmp_path, data["sealing_key_file"])
    for i, case in enumerate(data["cases"]):
        check_published(case, *publish_case(tmp_path, f"case-{i}", run_key, key, bytes.fromhex(case["export"]), ""))
    for i, case in enumerate(data["negative"]):
        try:
            publish_case(tmp_path, f"negative-{i}", run_key, key, bytes.fromhex(case["export"]), case["mapping"])
        except samkoer.InputError as error:
            assert (error.rule, error.line) == (case["expect"], case["line"]), case["case"]
        else:
            raise AssertionError(case["case"])
