#!/usr/bin/env python3
"""Times Apache Libcloud's EC2 `list_nodes()` against an EC2-compatible
endpoint (moto's server), for comparison with Overcast's EC2 driver
(`cargo bench -p cloud --bench ec2_vs_libcloud`, which runs this script).

Usage: libcloud_list.py URL [RUNS]   (URL like http://127.0.0.1:5000/)
Prints one line: `libcloud list_nodes: nodes=<n> median_s=<s> runs=<k>`.
Needs apache-libcloud (python3 -m venv /tmp/lc && /tmp/lc/bin/pip install
apache-libcloud); exits 2 saying so when it is missing.
"""

import statistics
import sys
import time
from urllib.parse import urlparse

try:
    import libcloud
    from libcloud.compute.providers import get_driver
    from libcloud.compute.types import Provider
except ImportError:
    print("skipped: apache-libcloud is not installed in this Python", file=sys.stderr)
    sys.exit(2)

from libcloud.compute.drivers import ec2 as libcloud_ec2

# moto answers in `http://ec2.amazonaws.com/doc/2016-11-15` (no trailing
# slash); Libcloud looks elements up in AWS's namespace, which ends in a
# slash, and would find no instance at all. Its answers are put in AWS's
# namespace before Libcloud parses them (one string replace, timed with the
# rest).
_parse_body = libcloud_ec2.EC2Response.parse_body
_MOTO_NS = 'xmlns="http://ec2.amazonaws.com/doc/%s"' % libcloud_ec2.API_VERSION
_AWS_NS = 'xmlns="%s"' % libcloud_ec2.NAMESPACE


def _parse_in_aws_namespace(self):
    if isinstance(self.body, str):
        self.body = self.body.replace(_MOTO_NS, _AWS_NS, 1)
    return _parse_body(self)


libcloud_ec2.EC2Response.parse_body = _parse_in_aws_namespace


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
    url = urlparse(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    cls = get_driver(Provider.EC2)
    driver = cls(
        "AKIAOVERCASTBENCH",
        "moto-checks-no-signature",
        region="us-east-1",
        host=url.hostname,
        port=url.port,
        secure=url.scheme == "https",
        # v4, as AWS requires everywhere today; moto also routes by its
        # credential scope (a v2 request reaches its S3 stand-in).
        signature_version="4",
    )
    nodes = driver.list_nodes()  # unmeasured: the connection warms up
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        nodes = driver.list_nodes()
        times.append(time.perf_counter() - start)
    print(
        "libcloud list_nodes: nodes=%d median_s=%.6f runs=%d version=%s python=%s"
        % (
            len(nodes),
            statistics.median(times),
            runs,
            libcloud.__version__,
            sys.version.split()[0],
        )
    )


if __name__ == "__main__":
    main()
