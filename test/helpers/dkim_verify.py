#!/usr/bin/python3
# Verifies every DKIM-Signature of every message in a folder with dkimpy (Debian's python3-dkim, and
# python3-nacl for Ed25519): an independent implementation of RFC 6376 and RFC 8463. The selectors' TXT
# records come from a JSON file instead of DNS.
# usage: dkim_verify.py RECORDS.json FOLDER
#   prints {"messages": n, "signatures": n, "passed": n, "failed": [names], "algorithms": {a: passed}, "reasons": {name: why}}
import json
import os
import sys

import dkim

records = {name.encode(): txt.encode() for name, txt in json.load(open(sys.argv[1])).items()}


def dnsfunc(name, timeout=5):
    return records.get(name.rstrip(b'.'), None)


out = {'messages': 0, 'signatures': 0, 'passed': 0, 'failed': [], 'algorithms': {}}
for name in sorted(os.listdir(sys.argv[2])):
    message = open(os.path.join(sys.argv[2], name), 'rb').read()
    d = dkim.DKIM(message)
    count = sum(1 for k, _ in d.headers if k.lower() == b'dkim-signature')
    out['messages'] += 1
    ok = count > 0
    for idx in range(count):
        out['signatures'] += 1
        try:
            passed = d.verify(idx=idx, dnsfunc=dnsfunc)
        except dkim.DKIMException as e:
            passed = False
            out.setdefault('reasons', {})[name] = str(e)[:200]
        algo = d.signature_fields.get(b'a', b'?').decode()
        out['algorithms'][algo] = out['algorithms'].get(algo, 0) + (1 if passed else 0)
        if passed:
            out['passed'] += 1
        ok = ok and passed
    if not ok:
        out['failed'].append(name)
print(json.dumps(out))
