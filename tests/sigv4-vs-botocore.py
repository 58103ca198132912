#!/usr/bin/python3
# sigv4-vs-botocore.py: Vetter's SigV4 signer against botocore's, over many requests
#
# s3rver does not check signatures, so the signer is checked here: AWS's
# published example (get-vanilla), then a few hundred generated S3
# requests (odd keys, unicode, query strings, extra headers, bodies),
# each signed by botocore and by sigv4-oracle, which must agree.
#
# usage: sigv4-vs-botocore.py PATH-TO-sigv4-oracle
#
# SPDX-License-Identifier: GPL-3.0-or-later

import hashlib
import json
import random
import re
import subprocess
import sys
import urllib.parse

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ORACLE = sys.argv[1]

# AWS's get-vanilla example from the Signature Version 4 test suite.
VANILLA = {
    "method": "GET", "path": "/", "query": [],
    "headers": [["Host", "example.amazonaws.com"], ["X-Amz-Date", "20150830T123600Z"]],
    "payload_hash": hashlib.sha256(b"").hexdigest(), "date": "20150830T123600Z",
    "region": "us-east-1", "service": "service",
    "access_key": "AKIDEXAMPLE", "secret_key": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
}
VANILLA_EXPECTED = ("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
                    "SignedHeaders=host;x-amz-date, "
                    "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")

KEY_PARTS = ["ads", "42", "1-thumb.jpg", "a b", "ü-ß", "x+y", "semi;colon", "tilde~", "q?mark",
             "percent%20", "star*", "paren(1)", "日本", "dot.", "comma,", "eq=", "at@", "$dollar"]
QUERY_NAMES = ["list-type", "prefix", "continuation-token", "max-keys", "delimiter", "uploads", "x-id", "a b"]
EXTRA_HEADERS = [("Content-Type", "image/jpeg"), ("Cache-Control", "max-age=60"),
                 ("X-Amz-Meta-Item", "  42   and  more "), ("Content-MD5", "1B2M2Y8AsgTpgAmY7PhCfg==")]


def generate(rng):
    bucket = rng.choice(["vetter", "ads-bucket", "my.bucket"])
    key = "/".join(rng.choice(KEY_PARTS) for _ in range(rng.randint(1, 4)))
    path = f"/{bucket}/{key}"
    method = rng.choice(["GET", "PUT", "HEAD", "DELETE", "POST"])
    query = [(rng.choice(QUERY_NAMES), rng.choice(["", "2", "ads/1/", "a b+c", "é/"]))
             for _ in range(rng.randint(0, 3))]
    body = rng.randbytes(rng.randint(0, 64)) if method in ("PUT", "POST") else b""
    host = rng.choice(["127.0.0.1:4568", "s3.eu-central-1.amazonaws.com", "minio.example.org:9000"])
    region = rng.choice(["us-east-1", "eu-central-1", "ir-thr-at1"])
    headers = {"Host": host}
    for name, value in rng.sample(EXTRA_HEADERS, rng.randint(0, len(EXTRA_HEADERS))):
        headers[name] = value
    url = f"http://{host}{urllib.parse.quote(path, safe='/~')}"
    if query:
        url += "?" + "&".join(f"{urllib.parse.quote(k, safe='-_.~')}={urllib.parse.quote(v, safe='-_.~')}"
                              for k, v in query)
    request = AWSRequest(method=method, url=url, data=body, headers=headers)
    credentials = Credentials("S3RVER" if rng.random() < .5 else "AKIA" + str(rng.randint(0, 9**9)),
                              rng.choice(["S3RVER", "secret/with+chars=", "wJalrXUtnFEMI/K7MDENG"]))
    S3SigV4Auth(credentials, "s3", region).add_auth(request)
    authorization = request.headers["Authorization"]
    signed = re.search(r"SignedHeaders=([^,]+)", authorization).group(1).split(";")
    sent = {k.lower(): v for k, v in request.headers.items()}
    return {
        "method": method, "path": path, "query": [list(q) for q in query],
        "headers": [[name, sent[name]] for name in signed],
        "payload_hash": sent["x-amz-content-sha256"], "date": sent["x-amz-date"],
        "region": region, "service": "s3",
        "access_key": credentials.access_key, "secret_key": credentials.secret_key,
    }, authorization


def main():
    rng = random.Random(20261121)
    cases = [(VANILLA, VANILLA_EXPECTED)] + [generate(rng) for _ in range(400)]
    lines = "".join(json.dumps(case, ensure_ascii=False) + "\n" for case, _ in cases)
    out = subprocess.run([ORACLE], input=lines, capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(out) == len(cases), (len(out), len(cases))
    failures = 0
    for (case, expected), got in zip(cases, out):
        if got != expected:
            failures += 1
            if failures <= 3:
                print(f"# mismatch for {json.dumps(case, ensure_ascii=False)}\n#   botocore {expected}\n#   vetter   {got}")
    print(f"# {len(cases) - failures} of {len(cases)} signatures agree")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
