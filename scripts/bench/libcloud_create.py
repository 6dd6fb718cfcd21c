#!/usr/bin/env python3
"""Times Apache Libcloud's EC2 `create_node()`, COUNT machines one after
another, against an EC2-compatible endpoint (moto's server) in
ap-northeast-1, for comparison with an Overcast stack applying the same
machines (`cargo bench -p server --bench stacks`, which runs this script).

Usage: libcloud_create.py URL COUNT IMAGE [SIZE]
Prints one line: `libcloud create_node: count=<n> total_s=<s> version=<v>`.
Needs apache-libcloud (scripts/peers.sh ensure_libcloud); exits 2 saying so
when it is missing.
"""

import sys
import time
from urllib.parse import urlparse

try:
    import libcloud
    from libcloud.compute.base import NodeImage, NodeSize
    from libcloud.compute.providers import get_driver
    from libcloud.compute.types import Provider
except ImportError:
    print("skipped: apache-libcloud is not installed in this Python", file=sys.stderr)
    sys.exit(2)

# moto's answers put in AWS's namespace before Libcloud parses them (see
# libcloud_list.py, which patches Libcloud's EC2 response on import).
import libcloud_list  # noqa: F401,E402


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        sys.exit(1)
    url = urlparse(sys.argv[1])
    count = int(sys.argv[2])
    image_id = sys.argv[3]
    size_id = sys.argv[4] if len(sys.argv) > 4 else "t2.micro"
    cls = get_driver(Provider.EC2)
    driver = cls(
        "AKIAJDZLA",
        "moto-checks-no-signature",
        region="ap-northeast-1",
        host=url.hostname,
        port=url.port,
        secure=url.scheme == "https",
        signature_version="4",
    )
    image = NodeImage(id=image_id, name=None, driver=driver)
    size = NodeSize(id=size_id, name=size_id, ram=0, disk=0, bandwidth=None, price=None, driver=driver)
    start = time.perf_counter()
    for n in range(count):
        node = driver.create_node(name="libcloud-%d" % n, image=image, size=size)
        assert node.id, "no node id"
    total = time.perf_counter() - start
    print(
        "libcloud create_node: count=%d total_s=%.6f version=%s python=%s"
        % (count, total, libcloud.__version__, sys.version.split()[0])
    )


if __name__ == "__main__":
    main()
