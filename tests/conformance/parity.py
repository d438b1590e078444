"""Parity: the whole flow on one synthetic municipality through the command line, through
Python and through C, each surface in its own folder with its own keys (but one master key, so
one run key and one set of pseudonyms), compared. They must agree on: the accounting, the
publications' records (pseudonyms, categories, months, age bands), the envelopes' contents once
opened (in the work lists), the statistics, the match's candidates, the work lists, verdicts and
selection, the one-citizen check, the disclosures, and every audit entry's party, action,
outcome, counts and kinds of output — candidate ids, nonces, receipt ids and times aside.

Usage: parity.py SAMKOER_BINARY C_EXAMPLES_FOLDER WORK_FOLDER   (the Python package installed)
"""

import csv
import json
import os
import subprocess
import sys

import samkoer

SAMKOER, C_EXAMPLES, WORK = (os.path.abspath(a) for a in sys.argv[1:4])
SECTORS = ["employment", "adult-social", "children-family", "health-elderly", "school-daycare"]
DATE = "2026-11-01"
CRITERIA = """format = "samkoer-criteria"
version = 1
[person]
min_sectors = 2
min_services = 3
[[person.combination]]
any = ["EMP-CASH-BENEFIT"]
with_any = ["ADS-SOCIO-PED", "ADS-CONTACT-PERSON"]
[defer]
services = ["CHF-PLACEMENT-CONSENT"]
[family]
require_child_and_adult = true
min_sectors = 3
"""


def run(*args, cwd=None, ok=True):
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True)
    if ok and done.returncode != 0:
        raise SystemExit(f"{args[0]} {args[1]} failed: {done.stderr}")
    return done


def caseworker(work_list, filled):
    """Every surface's caseworkers decide alike, by the citizen's CPR number."""
    rows = list(csv.DictReader(open(work_list, encoding="utf-8")))
    with open(filled, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()) if rows else ["candidate", "cpr", "verdict", "from"], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            digit = sum(int(ch) for ch in row["cpr"] if ch.isdigit()) % 10
            row["verdict"], row["from"] = ("not-suitable", "") if digit == 7 else ("suitable-from", "2027-03") if digit == 3 else ("suitable", "")
            writer.writerow(row)


def lists_of(folder):
    return {s: list(csv.DictReader(open(os.path.join(folder, f"{s}.worklist.csv"), encoding="utf-8"))) for s in SECTORS}


def chosen(folder):
    """The citizen to consent: of the selected persons, the one with the smallest CPR number who
    has services in at least two sectors; and those sectors."""
    selection = json.load(open(os.path.join(folder, "selection.json")))
    result = json.load(open(os.path.join(folder, "match", "result.json")))
    persons = {c["id"] for c in result["candidates"] if c["kind"] == "person"}
    selected = {s["candidate"] for s in selection["selected"]} & persons
    by_cpr = {}
    for sector, rows in lists_of(folder).items():
        for row in rows:
            if row["candidate"] in selected:
                by_cpr.setdefault(row["cpr"], set()).add(sector)
    cpr = min(c for c, sectors in by_cpr.items() if len(sectors) >= 2)
    return cpr, [s for s in SECTORS if s in by_cpr[cpr]]


def cli(folder):
    log = os.path.join(folder, "audit.log")
    s = lambda *args, ok=True: run(SAMKOER, "--audit-log", log, *args, cwd=folder, ok=ok)  # noqa: E731
    # A master key of its own, in a log of its own: one log holds one key per party, and the run
    # key below comes from the master key every surface shares.
    run(SAMKOER, "--audit-log", os.path.join(folder, "own.log"), "keygen", "master", "--municipality", "219", "--out", "own-master.key", cwd=folder)
    s("keygen", "run", "--master", "../master.key", "--run", "2026-11", "--reference-date", DATE, "--out", "run.key")
    for sector in SECTORS:
        s("keygen", "sealing", "--municipality", "219", "--sector", sector, "--out", f"{sector}.key")
    s("keygen", "consent-registry", "--municipality", "219", "--out", "registry.key")
    s("keygen", "public", "--key", "registry.key", "--out", "registry-public.key")
    s("keygen", "subject", "--registry-key", "registry.key", "--out", "subject.key")
    s("keygen", "matcher", "--municipality", "219", "--out", "matcher.key")
    s("keygen", "plan-team", "--municipality", "219", "--out", "plan-team.key")
    s("keygen", "public", "--key", "plan-team.key", "--out", "plan-team-public.key")
    for sector in SECTORS:
        relations = ["--relations", "../town/relations.csv"] if sector == "children-family" else []
        s("publish", "--run-key", "run.key", "--sealing-key", f"{sector}.key", "--export", f"../town/export-{sector}.csv", *relations, "--out", f"{sector}.pub")
    pubs = [f"{sector}.pub" for sector in SECTORS]
    s("match", "--matcher-key", "matcher.key", "--criteria", "../criteria.toml", "--out-dir", "match", *pubs)
    for sector in SECTORS:
        s("review", "--sealing-key", f"{sector}.key", "--flag-file", f"match/flags/{sector}.flag", "--out", f"{sector}.worklist.csv")
        caseworker(os.path.join(folder, f"{sector}.worklist.csv"), os.path.join(folder, f"{sector}.filled.csv"))
        s("verdict", "--sealing-key", f"{sector}.key", "--flag-file", f"match/flags/{sector}.flag", "--work-list", f"{sector}.filled.csv", "--out", f"{sector}.verdicts.json")
    s("select", "--matcher-key", "matcher.key", "--match-result", "match/result.json", "--out", "selection.json", *[f"{sector}.verdicts.json" for sector in SECTORS])
    cpr, sectors = chosen(folder)
    with open(os.path.join(folder, "person.txt"), "w") as person:
        person.write(cpr + "\n")
    s("check", "ask", "--run-key", "run.key", "--sealing-key", f"{sectors[0]}.key", "--persons", "person.txt", "--out", "request.json")
    s("check", "answer", "--matcher-key", "matcher.key", "--index", "match/check-index", "--request", "request.json", "--out", "answer.json")
    s("check", "read", "--run-key", "run.key", "--sealing-key", f"{sectors[0]}.key", "--persons", "person.txt", "--answer", "answer.json", "--out", "check.csv")
    scope, outside = sectors[:-1], sectors[-1]
    s("consent", "issue", "--registry-key", "registry.key", "--subject-key", "subject.key", "--person", "person.txt", "--sectors", ",".join(scope), "--out", "receipt.bin")
    s("consent", "state", "--registry-key", "registry.key", "--out", "state-1.bin")
    s("consent", "verify", "--registry-public", "registry-public.key", "--receipt", "receipt.bin", "--consent-state", "state-1.bin", "--sealing-key", f"{scope[0]}.key")
    for sector in scope + [outside]:
        s("disclose", "--receipt", "receipt.bin", "--consent-state", "state-1.bin", "--registry-public", "registry-public.key", "--subject-key", "subject.key", "--sealing-key", f"{sector}.key",
          "--export", f"../town/export-{sector}.csv", "--plan-team-public", "plan-team-public.key", "--out", f"{sector}.bundle", ok=sector != outside)
    for sector in scope:
        s("keygen", "public", "--key", f"{sector}.key", "--out", f"{sector}-public.key")
    s("open", "--plan-team-key", "plan-team.key", "--registry-public", "registry-public.key", "--receipt", "receipt.bin",
      *[a for sector in scope for a in ("--sector-public", f"{sector}-public.key")], "--out", "opened.json", *[f"{sector}.bundle" for sector in scope])
    s("consent", "withdraw", "--registry-key", "registry.key", "--receipt", "receipt.bin", "--out", "withdrawal.bin")
    s("consent", "state", "--registry-key", "registry.key", "--previous", "state-1.bin", "--withdrawal", "withdrawal.bin", "--out", "state-2.bin")
    run(SAMKOER, "audit", "verify", log)


def python(folder):
    p = lambda name: os.path.join(folder, name)  # noqa: E731
    log = p("audit.log")
    samkoer.keygen.master("219", p("own-master.key"), audit_log=p("own.log"))
    samkoer.keygen.run(os.path.join(WORK, "master.key"), "2026-11", p("run.key"), reference_date=DATE, audit_log=log)
    for sector in SECTORS:
        samkoer.keygen.sealing("219", sector, p(f"{sector}.key"), audit_log=log)
    samkoer.keygen.consent_registry("219", p("registry.key"), audit_log=log)
    samkoer.keygen.public(p("registry.key"), p("registry-public.key"), audit_log=log)
    samkoer.keygen.subject(p("registry.key"), p("subject.key"), audit_log=log)
    samkoer.keygen.matcher("219", p("matcher.key"), audit_log=log)
    samkoer.keygen.plan_team("219", p("plan-team.key"), audit_log=log)
    samkoer.keygen.public(p("plan-team.key"), p("plan-team-public.key"), audit_log=log)
    town = os.path.join(WORK, "town")
    for sector in SECTORS:
        relations = os.path.join(town, "relations.csv") if sector == "children-family" else None
        samkoer.publish(p("run.key"), p(f"{sector}.key"), os.path.join(town, f"export-{sector}.csv"), p(f"{sector}.pub"), relations=relations, audit_log=log)
    pubs = [p(f"{sector}.pub") for sector in SECTORS]
    samkoer.match(pubs, matcher_key=p("matcher.key"), criteria=os.path.join(WORK, "criteria.toml"), out_dir=p("match"), audit_log=log)
    for sector in SECTORS:
        flag = p(f"match/flags/{sector}.flag")
        samkoer.review(p(f"{sector}.key"), flag, p(f"{sector}.worklist.csv"), audit_log=log)
        caseworker(p(f"{sector}.worklist.csv"), p(f"{sector}.filled.csv"))
        samkoer.verdict(p(f"{sector}.key"), flag, p(f"{sector}.filled.csv"), p(f"{sector}.verdicts.json"), audit_log=log)
    samkoer.select(p("match/result.json"), [p(f"{sector}.verdicts.json") for sector in SECTORS], p("selection.json"), matcher_key=p("matcher.key"), audit_log=log)
    cpr, sectors = chosen(folder)
    samkoer.check.ask(p("run.key"), p(f"{sectors[0]}.key"), [cpr], p("request.json"), audit_log=log)
    samkoer.check.answer(p("match/check-index"), p("request.json"), p("answer.json"), matcher_key=p("matcher.key"), audit_log=log)
    samkoer.check.read(p("run.key"), p(f"{sectors[0]}.key"), [cpr], p("answer.json"), p("check.csv"), audit_log=log)
    scope, outside = sectors[:-1], sectors[-1]
    samkoer.consent.issue(p("registry.key"), p("subject.key"), cpr, scope, p("receipt.bin"), audit_log=log)
    samkoer.consent.state(p("registry.key"), p("state-1.bin"), audit_log=log)
    samkoer.consent.verify(p("registry-public.key"), p("receipt.bin"), p(f"{scope[0]}.key"), consent_state=p("state-1.bin"), audit_log=log)
    for sector in scope + [outside]:
        try:
            samkoer.disclose(p("registry-public.key"), p("subject.key"), p(f"{sector}.key"), p("plan-team-public.key"), p("receipt.bin"), os.path.join(town, f"export-{sector}.csv"), p(f"{sector}.bundle"), consent_state=p("state-1.bin"), audit_log=log)
        except samkoer.InputError as refusal:
            assert sector == outside and refusal.rule == "consent-scope", refusal
    for sector in scope:
        samkoer.keygen.public(p(f"{sector}.key"), p(f"{sector}-public.key"), audit_log=log)
    samkoer.open(p("plan-team.key"), p("registry-public.key"), p("receipt.bin"), [p(f"{sector}-public.key") for sector in scope],
                 [p(f"{sector}.bundle") for sector in scope], out=p("opened.json"), audit_log=log)
    samkoer.consent.withdraw(p("registry.key"), p("receipt.bin"), p("withdrawal.bin"), audit_log=log)
    samkoer.consent.state(p("registry.key"), p("state-2.bin"), previous=p("state-1.bin"), withdrawals=[p("withdrawal.bin")], audit_log=log)
    samkoer.audit.verify(log)


def c(folder):
    log = "audit.log"
    x = lambda program, *args, ok=True: run(os.path.join(C_EXAMPLES, program), *args, cwd=folder, ok=ok)  # noqa: E731
    x("parties", "master", "219", "own-master.key", "own.log")
    x("parties", "run", "../master.key", "2026-11", DATE, "run.key", log)
    for sector in SECTORS:
        x("sector", "keygen", "219", sector, f"{sector}.key", log)
    x("parties", "key", "consent-registry", "219", "registry.key", log)
    x("parties", "public", "registry.key", "registry-public.key", log)
    x("parties", "subject", "registry.key", "subject.key", log)
    x("parties", "key", "matcher", "219", "matcher.key", log)
    x("parties", "key", "plan-team", "219", "plan-team.key", log)
    x("parties", "public", "plan-team.key", "plan-team-public.key", log)
    for sector in SECTORS:
        relations = "../town/relations.csv" if sector == "children-family" else "-"
        x("sector", "publish", "run.key", f"{sector}.key", f"../town/export-{sector}.csv", relations, f"{sector}.pub", log)
    pubs = [f"{sector}.pub" for sector in SECTORS]
    x("central", "match", "matcher.key", "../criteria.toml", "match", log, *pubs)
    for sector in SECTORS:
        x("sector", "review", f"{sector}.key", f"match/flags/{sector}.flag", f"{sector}.worklist.csv", log)
        caseworker(os.path.join(folder, f"{sector}.worklist.csv"), os.path.join(folder, f"{sector}.filled.csv"))
        x("sector", "verdict", f"{sector}.key", f"match/flags/{sector}.flag", f"{sector}.filled.csv", f"{sector}.verdicts.json", log)
    x("central", "select", "matcher.key", "match/result.json", "selection.json", log, *[f"{sector}.verdicts.json" for sector in SECTORS])
    cpr, sectors = chosen(folder)
    with open(os.path.join(folder, "person.txt"), "w") as person:
        person.write(cpr + "\n")
    x("sector", "ask", "run.key", f"{sectors[0]}.key", "person.txt", "request.json", log)
    x("central", "answer", "matcher.key", "match/check-index", "request.json", "answer.json", log)
    x("sector", "read-check", "run.key", f"{sectors[0]}.key", "person.txt", "answer.json", "check.csv", log)
    scope, outside = sectors[:-1], sectors[-1]
    x("parties", "issue", "registry.key", "subject.key", "person.txt", "receipt.bin", log, *scope)
    x("parties", "state", "registry.key", "-", "state-1.bin", log)
    x("sector", "verify", "registry-public.key", "receipt.bin", "state-1.bin", f"{scope[0]}.key", log)
    for sector in scope + [outside]:
        x("sector", "disclose", "registry-public.key", "subject.key", f"{sector}.key", "plan-team-public.key", "receipt.bin", "state-1.bin", f"../town/export-{sector}.csv", "-", f"{sector}.bundle", log, ok=sector != outside)
    for sector in scope:
        x("parties", "public", f"{sector}.key", f"{sector}-public.key", log)
    x("parties", "open", "plan-team.key", "registry-public.key", "receipt.bin", "opened.json", log,
      *[f"{sector}-public.key" for sector in scope], "--", *[f"{sector}.bundle" for sector in scope])
    x("parties", "withdraw", "registry.key", "receipt.bin", "withdrawal.bin", log)
    x("parties", "state", "registry.key", "state-1.bin", "state-2.bin", log, "withdrawal.bin")
    x("central", "verify", log)


def what(folder):
    """Everything the surfaces must agree on, with candidate ids replaced by their citizens."""
    j = lambda name: json.load(open(os.path.join(folder, name), encoding="utf-8"))  # noqa: E731
    lists = lists_of(folder)
    members = {}
    for rows in lists.values():
        for row in rows:
            members.setdefault(row["candidate"], set()).add(row["cpr"])
    who = lambda candidate: "|".join(sorted(members.get(candidate, {"(deferred)"})))  # noqa: E731
    view = {}
    for sector in SECTORS:
        report = j(f"{sector}.pub.accounting.json")
        for part in ("export", "relations"):
            if report.get(part):
                report[part].pop("file")
        view[f"accounting {sector}"] = report
        publication = samkoer.read_publication(os.path.join(folder, f"{sector}.pub"))
        view[f"records {sector}"] = sorted((r["pseudonym"].hex(), r["service"], r["start"], r["age_band"], r["major_change"]) for r in publication["services"])
        view[f"relations {sector}"] = sorted((a.hex(), b.hex()) for a, b in publication["relations"])
        view[f"work list {sector}"] = sorted((who(r["candidate"]), *(r[k] for k in r if k not in ("candidate", "verdict", "from"))) for r in lists[sector])
        view[f"verdicts {sector}"] = sorted((who(v["candidate"]), v["verdict"], v.get("from", "")) for v in j(f"{sector}.verdicts.json")["verdicts"])
    view["statistics"] = j("match/statistics.json")
    result = j("match/result.json")
    view["candidates"] = sorted(json.dumps({k: v for k, v in c.items() if k != "id"}, sort_keys=True) for c in result["candidates"])
    view["persons"] = (result["persons"], result["families"])
    selection = j("selection.json")
    view["selection"] = {kind: sorted(json.dumps({**e, "candidate": who(e["candidate"])}, sort_keys=True) for e in selection[kind]) for kind in selection}
    answer = j("answer.json")
    view["check"] = (answer["sector"], [(a["pseudonym"], a["answer"]) for a in answer["answers"]])
    view["check results"] = open(os.path.join(folder, "check.csv"), encoding="utf-8").read()
    view["disclosures"] = [{**d, "receipt": None} for d in j("opened.json")["disclosures"]]
    entries = [json.loads(line) for line in open(os.path.join(folder, "audit.log"), encoding="utf-8")]
    view["audit"] = [(e["party"], e["action"], e["outcome"], e["run"], e["counts"], [m["kind"] for m in e["made"]]) for e in entries]
    return view


def main():
    os.makedirs(WORK, exist_ok=True)
    run(SAMKOER, "synth", "--people", "2500", "--seed", "17", "--reference-date", DATE, "--out-dir", "town", cwd=WORK)
    run(SAMKOER, "keygen", "master", "--municipality", "219", "--out", "master.key", cwd=WORK)
    with open(os.path.join(WORK, "criteria.toml"), "w") as criteria:
        criteria.write(CRITERIA)
    views = {}
    for name, surface in (("cli", cli), ("python", python), ("c", c)):
        folder = os.path.join(WORK, name)
        os.makedirs(folder)
        surface(folder)
        views[name] = what(folder)
    reference = views["cli"]
    assert reference["candidates"] and reference["disclosures"] and reference["selection"]["selected"], "the flow went through"
    differences = [(name, key) for name, view in views.items() for key in reference if view[key] != reference[key]]
    for name, key in differences:
        print(f"{name} differs from the command line in {key}:\n  cli:   {str(reference[key])[:300]}\n  {name}: {str(views[name][key])[:300]}")
    if differences:
        raise SystemExit(1)
    entries = len(reference["audit"])
    print(f"parity: the command line, Python and C agree on {len(reference)} views of one run ({entries} audit entries each)")


if __name__ == "__main__":
    main()
