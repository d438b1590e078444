"""Every step from Python, as a municipality's data-warehouse or case-system vendor would run
them: keys of every kind, publish from a CSV file and from a DataFrame or rows, match, the
one-citizen check, review into a DataFrame, verdicts from a DataFrame, selection, consent,
disclosure, opening, the audit log — each step's result, its errors and its audit entry."""

import datetime
import json
import os
import stat

import pytest

import samkoer
from conftest import vectors

# Two sectors' exports with invented CPR numbers: 0101901234 has services in both.
EMPLOYMENT = [
    {"cpr": "010190-1234", "service": "EMP-CASH-BENEFIT", "status": "active", "start": "2025-01-15", "end": "", "caseworker": "Mette Hansen", "case_ref": "B-1", "goal": "Job"},
    {"cpr": "0202024321", "service": "EMP-MENTOR", "status": "active", "start": "2025-02-01", "end": "", "caseworker": "Lars Nielsen", "case_ref": "B-2", "goal": "Uddannelse"},
    {"cpr": "3202901234", "service": "EMP-MENTOR", "status": "active", "start": "2025-02-01", "end": "", "caseworker": "", "case_ref": "", "goal": ""},
]
ADULT_SOCIAL = """cpr;service;status;start;end;caseworker;case_ref;goal
010190-1234;ADS-SOCIO-PED;active;2025-01-15;;Mette Hansen;A-1;Bolig
0101901234;ADS-CONTACT-PERSON;active;2025-03-01;;Mette Hansen;A-2;Netværk
0202024321;X-TRANSPORT;active;2025-01-15;;;;
"""
CRITERIA = 'format = "samkoer-criteria"\nversion = 1\n[person]\nmin_sectors = 2\n'
TODAY = "2026-11-01"


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def entries(log):
    return [json.loads(line) for line in open(log, encoding="utf-8")]


@pytest.fixture
def town(tmp_path):
    """Keys of every kind, made by the keygen steps into one audit log."""
    log = tmp_path / "audit.log"
    k = lambda name: tmp_path / name  # noqa: E731
    made = [
        samkoer.keygen.master("219", k("master.key"), audit_log=log),
        samkoer.keygen.run(k("master.key"), "2026-11", k("run.key"), reference_date=TODAY, audit_log=log),
        samkoer.keygen.sealing("219", "employment", k("employment.key"), audit_log=log),
        samkoer.keygen.sealing("219", "adult-social", k("adult-social.key"), audit_log=log),
        samkoer.keygen.consent_registry("219", k("registry.key"), audit_log=log),
        samkoer.keygen.public(k("registry.key"), k("registry-public.key"), audit_log=log),
        samkoer.keygen.subject(k("registry.key"), k("subject.key"), audit_log=log),
        samkoer.keygen.matcher("219", k("matcher.key"), audit_log=log),
        samkoer.keygen.plan_team("219", k("plan-team.key"), audit_log=log),
        samkoer.keygen.public(k("plan-team.key"), k("plan-team-public.key"), audit_log=log),
    ]
    assert [m["kind"] for m in made][:2] == ["master", "run"] and made[1]["run"] == "2026-11"
    assert made[1]["reference_date"] == TODAY and made[0]["reference_date"] is None
    assert samkoer.RunKey.from_file(k("run.key")).reference_date == TODAY
    assert all("secret" not in str(m) for m in made)
    (tmp_path / "adult-social.csv").write_text(ADULT_SOCIAL, encoding="utf-8")
    (tmp_path / "criteria.toml").write_text(CRITERIA, encoding="utf-8")
    return tmp_path


def publish_both(town, log):
    # One of the three rows is rejected: a third, within a limit of 34 % (the default 5 % refuses).
    employment = samkoer.publish(town / "run.key", town / "employment.key", EMPLOYMENT, town / "employment.pub", max_rejected=34, audit_log=log)
    adult = samkoer.publish(samkoer.RunKey.from_file(town / "run.key"), samkoer.SealingKey.from_file(town / "adult-social.key"), town / "adult-social.csv", town / "adult-social.pub", audit_log=log)
    return employment, adult


def test_every_step_with_its_entry(town):
    pd = pytest.importorskip("pandas")
    log = town / "audit.log"
    employment, adult = publish_both(town, log)
    # Rows from a list of dicts: numbered as the lines of the CSV they make.
    assert (employment["export"]["published"], employment["export"]["rejected"]) == (2, 1)
    assert employment["export"]["rejected_lines"] == [{"line": 4, "rule": "cpr-date", "code": 103}]
    assert (adult["export"]["published"], adult["export"]["excluded"]) == (2, 1)
    assert mode(town / "employment.pub") == 0o600 and mode(town / "employment.pub.accounting.json") == 0o644
    # And from a DataFrame, which gives the same accounting.
    frame = pd.DataFrame(EMPLOYMENT).assign(start=lambda f: pd.to_datetime(f["start"]))
    again = samkoer.publish(town / "run.key", town / "employment.key", frame, town / "employment-frame.pub", max_rejected=34)
    assert again["export"] == {**employment["export"], "file": "DataFrame"}

    matched = samkoer.match([town / "employment.pub", town / "adult-social.pub"], matcher_key=town / "matcher.key", criteria=town / "criteria.toml", out_dir=town / "match", audit_log=log)
    [candidate] = matched.result["candidates"]
    assert candidate["sectors"] == ["employment", "adult-social"]
    assert {kind for kind, _, _ in matched.made} == {"match-result", "statistics-json", "statistics-csv", "check-index", "flag-file"}
    assert mode(town / "match" / "result.json") == 0o600 and mode(town / "match" / "flags" / "employment.flag") == 0o600
    assert set(samkoer.statistics_frame(matched).columns) == {"table", "cell", "value"}
    assert samkoer.candidates_frame(matched)["sectors"].tolist() == ["employment|adult-social"]

    # The one-citizen check: signed by the sector, answered from the check index, read back.
    request = samkoer.check.ask(town / "run.key", town / "employment.key", ["0101901234"], town / "request.json", audit_log=log)
    assert "0101901234" not in json.dumps(request)
    answered = samkoer.check.answer(town / "match" / "check-index", town / "request.json", town / "answer.json", matcher_key=town / "matcher.key", audit_log=log)
    assert [a["answer"] for a in answered["answers"]] == ["candidate"]
    assert samkoer.check.read(town / "run.key", town / "employment.key", ["0101901234"], town / "answer.json", town / "check.csv", audit_log=log) == [(1, "candidate")]
    assert (town / "check.csv").read_text() == "cpr;answer\n010190-1234;candidate\n" and mode(town / "check.csv") == 0o600
    # Asked in adult-social's name with employment's key: refused.
    (town / "forged.json").write_text((town / "request.json").read_text().replace('"employment"', '"adult-social"'))
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.check.answer(town / "match" / "check-index", town / "forged.json", town / "forged-answer.json", matcher_key=town / "matcher.key")
    assert caught.value.rule == "check-signature" and not (town / "forged-answer.json").exists()

    # Review into a DataFrame; the caseworkers' verdicts from one.
    verdicts = []
    for sector in ["employment", "adult-social"]:
        work_list = samkoer.review(town / f"{sector}.key", town / "match" / "flags" / f"{sector}.flag", town / f"{sector}.worklist.csv", audit_log=log)
        frame = work_list.frame()
        assert (work_list.sector, set(frame["cpr"])) == (sector, {"010190-1234"})
        assert mode(town / f"{sector}.worklist.csv") == 0o600
        filled = frame.assign(verdict="suitable", **{"from": ""})
        made = samkoer.verdict(town / f"{sector}.key", town / "match" / "flags" / f"{sector}.flag", filled, town / f"{sector}.verdicts.json", audit_log=log)
        assert list(made["verdicts"][0].values())[1:] == ["suitable"]
        verdicts.append(town / f"{sector}.verdicts.json")
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.review(town / "employment.key", town / "match" / "flags" / "employment.flag", town / "employment.worklist.csv", audit_log=log)
    assert (caught.value.rule, caught.value.code) == ("output-exists", 1301)
    selection = samkoer.select(town / "match" / "result.json", verdicts, town / "selection.json", matcher_key=town / "matcher.key", audit_log=log)
    assert [s["candidate"] for s in selection["selected"]] == [candidate["id"]]

    # Consent in employment only; verified, disclosed, refused outside it, opened, withdrawn.
    receipt_id = samkoer.consent.issue(town / "registry.key", town / "subject.key", "0101901234", ["employment"], town / "receipt.bin", audit_log=log)
    with pytest.raises(samkoer.InputError) as caught:  # no consent state: nothing is checked
        samkoer.consent.verify(town / "registry-public.key", town / "receipt.bin", town / "employment.key", audit_log=log)
    assert (caught.value.rule, caught.value.code, caught.value.form) == ("consent-state-missing", 1214, "parameter")
    first = samkoer.consent.state(town / "registry.key", town / "state-1.bin", audit_log=log)
    assert (first["sequence"], first["withdrawals"], first["added"]) == (1, 0, 0)
    assert mode(town / "state-1.bin") == 0o644
    state = town / "state-1.bin"
    assert samkoer.consent.verify(town / "registry-public.key", town / "receipt.bin", town / "employment.key", consent_state=state, audit_log=log) == receipt_id
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.consent.verify(town / "registry-public.key", town / "receipt.bin", town / "adult-social.key", consent_state=state, audit_log=log)
    assert (caught.value.rule, caught.value.form) == ("consent-scope", "input") and caught.value.remedy
    disclosed = samkoer.disclose(town / "registry-public.key", town / "subject.key", town / "employment.key", town / "plan-team-public.key", town / "receipt.bin", EMPLOYMENT, town / "employment.bundle", consent_state=state, ongoing_on=TODAY, audit_log=log)
    assert disclosed == {"receipt": receipt_id, "sector": "employment", "services": 1, "ongoing_on": TODAY}
    with pytest.raises(samkoer.InputError) as caught:  # on a date before the service began, nothing is ongoing
        samkoer.disclose(town / "registry-public.key", town / "subject.key", town / "employment.key", town / "plan-team-public.key", town / "receipt.bin", EMPLOYMENT, town / "early.bundle", consent_state=state, ongoing_on="1990-01-01", audit_log=log)
    assert caught.value.rule == "consent-other-person" and not (town / "early.bundle").exists()
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.disclose(town / "registry-public.key", town / "subject.key", town / "adult-social.key", town / "plan-team-public.key", town / "receipt.bin", town / "adult-social.csv", town / "adult-social.bundle", consent_state=state, audit_log=log)
    assert caught.value.rule == "consent-scope" and not (town / "adult-social.bundle").exists()
    assert samkoer.keygen.public(town / "employment.key", town / "employment-public.key", audit_log=log)["kind"] == "sector-public"
    assert samkoer.keygen.public(town / "adult-social.key", town / "adult-social-public.key", audit_log=log)["kind"] == "sector-public"
    with pytest.raises(samkoer.InputError) as caught:  # checked against another sector's key: not employment's bundle
        samkoer.open(town / "plan-team.key", town / "registry-public.key", town / "receipt.bin", [town / "adult-social-public.key"], [town / "employment.bundle"], audit_log=log)
    assert (caught.value.rule, caught.value.code) == ("disclosure-signature", 1218)
    opened = samkoer.open(town / "plan-team.key", town / "registry-public.key", town / "receipt.bin", [town / "employment-public.key"], [town / "employment.bundle"], out=town / "opened.json", audit_log=log)
    assert (opened["receipt"], opened["consented"]) == (receipt_id, ["employment"])
    assert [s["code"] for s in opened["disclosures"][0]["services"]] == ["EMP-CASH-BENEFIT"]
    assert mode(town / "opened.json") == 0o600
    assert samkoer.consent.withdraw(town / "registry.key", town / "receipt.bin", town / "withdrawal.bin", audit_log=log) == receipt_id
    # Only the registry is told; its next state reaches the sector, which refuses.
    second = samkoer.consent.state(town / "registry.key", town / "state-2.bin", previous=state, withdrawals=[town / "withdrawal.bin"], audit_log=log)
    assert (second["sequence"], second["withdrawals"], second["added"]) == (2, 1, 1)
    late = lambda state, **more: samkoer.disclose(town / "registry-public.key", town / "subject.key", town / "employment.key", town / "plan-team-public.key", town / "receipt.bin", EMPLOYMENT, town / "late.bundle", consent_state=state, audit_log=log, **more)  # noqa: E731
    with pytest.raises(samkoer.InputError) as caught:
        late(town / "state-2.bin")
    assert caught.value.rule == "consent-withdrawn"
    with pytest.raises(samkoer.InputError) as caught:  # the old state, handed on again
        late(state)
    assert caught.value.rule == "consent-state-older"
    with pytest.raises(samkoer.InputError) as caught:  # two days on, the state is stale
        late(town / "state-2.bin", now=datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=2))
    assert caught.value.rule == "consent-state-stale"
    assert not (town / "late.bundle").exists()

    # The log: every step and refusal by its party, what it made, no CPR number.
    head = samkoer.audit.verify(log)
    assert samkoer.audit.verify(log, head=head, evidence=[town / "employment.pub"]) == head
    said = [(e["party"], e["action"], e["outcome"]) for e in entries(log)]
    assert said[:3] == [("custodian", "keygen", "done"), ("custodian", "keygen", "done"), ("sector:employment", "keygen", "done")]
    for step in [
        ("sector:employment", "publish", "done"), ("matcher", "match", "done"), ("sector:employment", "check-request", "done"),
        ("matcher", "check", "done"), ("sector:employment", "check-read", "done"), ("sector:adult-social", "review", "done"), ("sector:employment", "review", "output-exists"),
        ("sector:adult-social", "verdict", "done"), ("matcher", "select", "done"), ("registry", "consent", "done"),
        ("sector:employment", "verify-consent", "done"), ("sector:adult-social", "verify-consent", "consent-scope"),
        ("sector:employment", "disclose", "done"), ("sector:adult-social", "disclose", "consent-scope"),
        ("plan-team", "open", "done"), ("registry", "withdraw", "done"), ("sector:employment", "disclose", "consent-withdrawn"),
        ("registry", "consent-state", "done"), ("sector:employment", "verify-consent", "consent-state-missing"),
        ("sector:employment", "disclose", "consent-state-older"), ("sector:employment", "disclose", "consent-state-stale"),
    ]:
        assert step in said, step
    publish_entry = next(e for e in entries(log) if e["action"] == "publish")
    assert publish_entry["counts"] == {"excluded": 0, "published": 2, "rejected": 1, "rows": 3}
    assert [m["kind"] for m in publish_entry["made"]] == ["publication", "accounting-report"]
    assert "0101901234" not in log.read_text() and "010190-1234" not in log.read_text()


def test_pseudonymise_a_column_with_nulls_for_bad_rows(run_key_path):
    key = samkoer.RunKey.from_file(run_key_path)
    good = samkoer.pseudonymise(key, ["0101901234"])[0]
    column = ["0101901234", "3202901234", None, "010190-1234", "01019O1234"]
    values, rejected = samkoer.pseudonymise(key, column, errors="null")
    assert values == [good, None, None, good, None]
    assert rejected == [
        {"position": 1, "rule": "cpr-date", "code": 103},
        {"position": 2, "rule": "cpr-length", "code": 101},
        {"position": 4, "rule": "cpr-characters", "code": 102},
    ]
    assert "3202901234" not in str(rejected)
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.pseudonymise(key, column)
    assert (caught.value.line, caught.value.rule) == (2, "cpr-date")
    assert samkoer.pseudonymise(key, [], errors="null") == ([], [])
    with pytest.raises(ValueError):
        samkoer.pseudonymise(key, column, errors="ignore")
    pd = pytest.importorskip("pandas")
    series = pd.Series(column, index=[10, 11, 12, 13, 14], name="cpr")
    values, rejected = samkoer.pseudonymise(key, series, errors="null")
    assert values.index.tolist() == [10, 11, 12, 13, 14] and values[10] == good and values[11] is None
    assert [r["position"] for r in rejected] == [1, 2, 4]
    pa = pytest.importorskip("pyarrow")
    values, rejected = samkoer.pseudonymise(key, pa.array(column), errors="null")
    assert values.type == pa.binary(32) and values.null_count == 3 and values[0].as_py() == good


def test_errors_carry_code_rule_form_file_line_and_remedy(tmp_path, run_key_path):
    run_key = samkoer.RunKey.from_file(run_key_path)
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.pseudonymise(run_key, ["0101901234", "3202901234"])
    error = caught.value
    assert (error.rule, error.line, error.code, error.form, error.file) == ("cpr-date", 2, 103, "input", "column")
    assert "3202901234" not in str(error) and error.remedy
    assert isinstance(error, samkoer.SamkoerError)
    with pytest.raises(samkoer.FileError) as caught:
        samkoer.RunKey.from_file(tmp_path / "missing.key")
    assert caught.value.file.endswith("missing.key") and caught.value.rule is None
    os.chmod(run_key_path, 0o644)
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.RunKey.from_file(run_key_path)
    assert caught.value.rule == "key-file-permissions"
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.keygen.master("21", tmp_path / "m.key")
    assert (caught.value.rule, caught.value.form, caught.value.file) == ("municipality-code", "parameter", None)
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.audit.verify(run_key_path, head="3:zz")
    assert caught.value.rule == "audit-head"
    assert samkoer.__version__


def test_the_rules_table_is_the_vectors():
    vector = vectors("rules.json")
    assert [(code, name, form) for code, name, form, _, _ in samkoer.RULES] == [(r["code"], r["name"], r["form"]) for r in vector["rules"]]
    assert all(description and remedy for _, _, _, description, remedy in samkoer.RULES)


def test_a_failed_publish_leaves_nothing_and_records_its_outcome(town):
    log = town / "audit.log"
    (town / "bad.csv").write_text("cpr;service\n0101901234;EMP-MENTOR\n", encoding="utf-8")
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.publish(town / "run.key", town / "employment.key", town / "bad.csv", town / "bad.pub", audit_log=log)
    assert (caught.value.rule, caught.value.line) == ("column-missing", 1)
    assert not (town / "bad.pub").exists() and not (town / "bad.pub.partial").exists()
    last = entries(log)[-1]
    assert (last["party"], last["action"], last["outcome"], last["made"]) == ("sector:employment", "publish", "column-missing", [])
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.keygen.master("219", town / "master.key", audit_log=log)
    assert caught.value.rule == "key-file-exists"
    with pytest.raises(TypeError):
        samkoer.publish(town / "run.key", town / "employment.key", [("0101901234",)], town / "x.pub")


def test_a_publish_that_would_lose_rows_fails_and_writes_nothing(town):
    log = town / "audit.log"
    for limit in (None, 33):  # the default 5 %, and 33 %: one rejected row of three is more
        kwargs = {} if limit is None else {"max_rejected": limit}
        with pytest.raises(samkoer.InputError) as caught:
            samkoer.publish(town / "run.key", town / "employment.key", EMPLOYMENT, town / "lossy.pub", audit_log=log, **kwargs)
        assert (caught.value.rule, caught.value.code, caught.value.form) == ("rejected-limit", 216, "input")
        assert "3 rows: 2 published, 0 excluded, 1 rejected" in str(caught.value) and "cpr-date 1" in str(caught.value)
        assert not (town / "lossy.pub").exists() and not (town / "lossy.pub.accounting.json").exists()
    assert entries(log)[-1]["outcome"] == "rejected-limit"
    report = samkoer.publish(town / "run.key", town / "employment.key", EMPLOYMENT, town / "lossy.pub", max_rejected=34)
    assert (report["version"], report["export"]["encoding"]) == (2, "utf-8")
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.publish(town / "run.key", town / "employment.key", EMPLOYMENT, town / "other.pub", max_rejected=101)
    assert caught.value.rule == "limit-given"
    # Another sector's export: every row excluded as other-sector, refused unless allowed.
    adult_rows = [{**EMPLOYMENT[0], "service": "ADS-SOCIO-PED"}, {**EMPLOYMENT[1], "service": "ADS-CONTACT-PERSON"}]
    with pytest.raises(samkoer.InputError) as caught:
        samkoer.publish(town / "run.key", town / "employment.key", adult_rows, town / "wrong.pub")
    assert caught.value.rule == "all-excluded" and "other-sector 2" in str(caught.value)
    allowed = samkoer.publish(town / "run.key", town / "employment.key", adult_rows, town / "wrong.pub", allow_all_excluded=True)
    assert allowed["export"]["excluded_by_rule"] == {"other-sector": 2}
