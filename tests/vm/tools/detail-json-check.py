#!/usr/bin/env python3
"""Checks of t0110 on our --json output, in one python start (each start
costs seconds under TCG).  Arguments, any number of each, in any order:

  --pair JSON TEXT      --detail --json of one array equals its --detail text
  --scan JSON N         --detail --scan --json lists N arrays
  --examine JSON UUID   --examine --json of two disks of the test's container
                        (volumes r5, r0; container UUID as the peer's -E)
  --reshape JSON        mid-OLCE 4 -> 5: the reshape object
  --health JSON WORD    the array's health
  --platform JSON       --detail-platform --json over the faked AHCI function

Exits non-zero with the first difference.
"""
import json
import re
import sys


def load(path):
    with open(path) as f:
        return json.load(f)


def fields(text):
    return dict((m.group(1), m.group(2).rstrip())
                for m in re.finditer(r"^ *([A-Za-z ]+?) : (.*)$", text, re.M))


def check_rows(jpath, text, a):
    rows = [l.split() for l in text.splitlines()
            if re.match(r"^ +(-|\d+) +\d+ +\d+ +(-|\d+)", l)]
    if len(rows) != len(a["devices"]):
        sys.exit("%s: device rows: text %d, json %d" % (jpath, len(rows), len(a["devices"])))
    for r, d in zip(rows, a["devices"]):
        want = (None if r[0] == "-" else int(r[0]), int(r[1]), int(r[2]),
                None if r[3] == "-" else int(r[3]),
                [w for w in r[4:] if not w.startswith("/dev/")],
                r[-1] if r[-1].startswith("/dev/") else None)
        got = (d["number"], d["major"], d["minor"], d["raid_device"], d["state"], d["device"])
        if got != want:
            sys.exit("%s: row %r: json %r" % (jpath, want, got))


def check_pair(jpath, tpath):
    a = load(jpath)["arrays"][0]
    with open(tpath) as f:
        text = f.read()
    f = fields(text)

    def eq(key, want):
        if a[key] != want:
            sys.exit("%s: %s: json %r, text %r" % (jpath, key, a[key], want))

    eq("level", f["Raid Level"])
    eq("total_devices", int(f["Total Devices"]))
    if "Container" in f:
        c, m = f["Container"].split(", member ")
        eq("container", c)
        eq("member", m)
        eq("raid_devices", int(f["Raid Devices"]))
        eq("array_size_kib", int(f["Array Size"].split()[0]))
        eq("state", f["State"])
        for k in ("Active", "Working", "Failed"):
            eq(k.lower() + "_devices", int(f[k + " Devices"]))
        eq("chunk_size_kib", int(f["Chunk Size"].rstrip("K")))
        eq("consistency_policy", f["Consistency Policy"])
        eq("layout", f.get("Layout"))
        if "Used Dev Size" in f:
            eq("used_dev_size_kib", int(f["Used Dev Size"].split()[0]))
    eq("uuid", f["UUID"])
    check_rows(jpath, text, a)


def check_examine(jpath, uuid):
    d = load(jpath)["disks"]
    assert len(d) == 2 and [v["name"] for v in d[0]["volumes"]] == ["r5", "r0"], d
    assert d[0]["volumes"][0]["map"]["raid_level"] == 5, d[0]["volumes"][0]
    assert d[0]["volumes"][1]["map"]["chunk_size_kib"] == 64, d[0]["volumes"][1]
    assert d[0]["uuid"] == uuid, (d[0]["uuid"], uuid)


def check_reshape(jpath):
    r = load(jpath)["arrays"][0]["reshape"]
    assert (r["delta_devices"], r["old_raid_devices"], r["new_raid_devices"]) == (1, 4, 5), r


def check_platform(jpath):
    c = load(jpath)["controllers"]
    assert len(c) == 1 and c[0]["type"] == "SATA" and c[0]["pci_address"] == "0000:00:1f.2", c
    caps = c[0]["capabilities"]
    assert caps["raid_levels"] == ["raid0", "raid1", "raid10", "raid5"], caps
    assert caps["chunk_sizes_kib"] == [4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048], caps
    assert (caps["max_disks"], caps["max_volumes_per_array"],
            caps["max_volumes_per_controller"]) == (6, 2, 4), caps
    assert c[0]["ports"] == [{"port": 0, "device": None, "serial": None}], c[0]["ports"]


def main(args):
    i = 0
    while i < len(args):
        op = args[i]
        if op == "--pair":
            check_pair(args[i + 1], args[i + 2])
            i += 3
        elif op == "--scan":
            n = len(load(args[i + 1])["arrays"])
            assert n == int(args[i + 2]), "scan: %d arrays" % n
            i += 3
        elif op == "--examine":
            check_examine(args[i + 1], args[i + 2])
            i += 3
        elif op == "--reshape":
            check_reshape(args[i + 1])
            i += 2
        elif op == "--health":
            h = load(args[i + 1])["arrays"][0]["health"]
            assert h == args[i + 2], h
            i += 3
        elif op == "--platform":
            check_platform(args[i + 1])
            i += 2
        else:
            sys.exit("unknown check " + op)


main(sys.argv[1:])
