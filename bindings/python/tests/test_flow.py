"""A small flow in Python: publish, read, match, flag, review; and the error hierarchy."""
import os

import pytest

import samkoer

EXPORT = """cpr;service;status;start;end;caseworker;case_ref;goal
010190-1234;ADS-SOCIO-PED;active;2025-01-15;;Mette Hansen;A-1;Bolig
0101901234;ADS-CONTACT-PERSON;active;2025-03-01;;Mette Hansen;A-2;Netværk
0202024321;ADS-SOCIO-PED;active;2025-01-15;;Lars Nielsen;A-3;Bolig
0202024321;X-TRANSPORT;active;2025-01-15;;;;
3112999999;ADS-SOCIO-PED;ended;2024-01-15;2024-06-30;;;
01019O1234;ADS-SOCIO-PED;active;2025-01-15;;;;
"""

CRITERIA = 'format = "samkoer-criteria"\nversion = 1\n[person]\nmin_services = 2\n'


def test_publish_match_and_review(tmp_path, run_key_path, sealing_key_path):
    run_key = samkoer.RunKey.from_file(run_key_path)
    sealing_key = samkoer.SealingKey.from_file(sealing_key_path)
    assert "secret" not in repr(run_key) and sealing_key.sector == "adult-social"
    export = tmp_path / "export.csv"
    export.write_text(EXPORT, encoding="utf-8")
    report = samkoer.publish(run_key, sealing_key, export, tmp_path / "a.pub", reference_date="2026-11-01")
    assert (report["export"]["published"], report["export"]["excluded"], report["export"]["rejected"]) == (3, 2, 1)
    assert report["export"]["rejected_lines"][0]["line"] == 7
    assert "0101901234" not in str(report)

    publication = samkoer.read_publication(tmp_path / "a.pub")
    pseudonyms = {r["pseudonym"] for r in publication["services"]}
    assert pseudonyms == set(samkoer.pseudonymise(run_key, ["0101901234", "0202024321"]))

    criteria = tmp_path / "criteria.toml"
    criteria.write_text(CRITERIA, encoding="utf-8")
    match = samkoer.match_publications([tmp_path / "a.pub"], criteria=criteria)
    assert len(match.result["candidates"]) == 1
    assert match.result["candidates"][0]["services"] == ["ADS-SOCIO-PED", "ADS-CONTACT-PERSON"]
    person = samkoer.pseudonymise(run_key, ["0101901234"])[0]
    assert match.check("adult-social", person) == "candidate"
    assert match.statistics["threshold"] == 5
    try:
        frame = samkoer.statistics_frame(match)
    except ImportError:
        frame = None
    if frame is not None:
        assert set(frame.columns) == {"table", "cell", "value"}

    flags = tmp_path / "flags"
    flags.mkdir()
    [flag_file] = match.write_flag_files(flags)
    rows = samkoer.review(flag_file, sealing_key=sealing_key)
    assert {r["cpr"] for r in rows} == {"0101901234"}
    assert {r["service"] for r in rows} == {"ADS-SOCIO-PED", "ADS-CONTACT-PERSON"}


def test_errors_carry_code_rule_file_and_line(tmp_path, run_key_path):
    run_key = samkoer.RunKey.from_file(run_key_path)
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.pseudonymise(run_key, ["0101901234", "3202901234"])
    error = caught.value
    assert (error.rule, error.line, error.code) == ("cpr-date", 2, 103)
    assert "3202901234" not in str(error)
    assert isinstance(error, samkoer.SamkoerError)
    with pytest.raises(samkoer.FileError) as caught:
        samkoer.RunKey.from_file(tmp_path / "missing.key")
    assert caught.value.file.endswith("missing.key")
    os.chmod(run_key_path, 0o644)
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.RunKey.from_file(run_key_path)
    assert caught.value.rule == "key-file-permissions"
    assert samkoer.__version__
