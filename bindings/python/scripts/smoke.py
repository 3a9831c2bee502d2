"""Smoke test of an installed idn-toto (a wheel or an sdist build): run it
from outside the source tree with the interpreter it was installed into.

    python bindings/python/scripts/smoke.py [EXPECTED_VERSION]

Checks the import comes from site-packages, the version, the typing files,
one request build (token redacted) and one parse (exact Decimal).
"""

import sys
from decimal import Decimal
from pathlib import Path

import idn_toto

package = Path(idn_toto.__file__).parent
assert "site-packages" in package.parts, f"imported from {package}, not an installed package"
if len(sys.argv) > 1:
    assert idn_toto.__version__ == sys.argv[1], (idn_toto.__version__, sys.argv[1])
assert (package / "py.typed").is_file(), "py.typed is missing"
assert (package / "_native.pyi").is_file(), "the generated _native.pyi stub is missing"
client = idn_toto.Client("https://agent.example.com/home.php", "SMOKE-TOKEN")
request = client.prepare.user_balance("LOREM")
assert "SMOKE-TOKEN" not in repr(request), repr(request)
body = b'{"success":true,"message":"Success","user":"u","balance":"1.10"}'
balance = client.parse(request, 200, body).balance
assert balance == Decimal("1.10") and isinstance(balance, Decimal), repr(balance)
assert idn_toto.parse("user_balance", 200, body)["balance"] == "1.10"
ids = [e["id"] for e in idn_toto.endpoints()]
assert "user_balance" in ids, ids
missing = [i for i in ids if not callable(getattr(idn_toto.Client, i, None))]
assert not missing, f"endpoints without a client method: {missing}"
print(f"idn_toto {idn_toto.__version__} on Python {sys.version.split()[0]}: import, build, parse ok ({package})")
