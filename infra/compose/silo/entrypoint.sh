#!/bin/sh
# Entrypoint of the analytics silo image (src/Analytics.Silo/Dockerfile): fills in the address this silo advertises
# to the cluster, then execs the command (`dotnet Analytics.Silo.dll`).
#
# Why: with ADO.NET clustering every silo writes into the PostgreSQL membership table the IP address the others must
# use to reach it (Silo:AdvertisedIPAddress, an IP address, not a name). In a container that address is only known at
# run time. When the variable is unset or empty this script takes the container's own IPv4 address, so one image and
# one compose block serve any number of silos. Set Silo__AdvertisedIPAddress to override (e.g. behind NAT).
#
# The silo's settings live in the `Silo` section, not `Orleans`: Orleans 10 itself reads `Orleans:Clustering`,
# `Orleans:GrainStorage`, ... as provider definitions, and a value there stops the silo at start-up
# ("Could not find Clustering provider named 'Default'"). The script warns when such a variable is set.
#
# `exec` makes the .NET process PID 1: it gets docker's SIGTERM directly and shuts the silo down gracefully
# (hands its grains and queues over to the other silos) within the stop grace period.
set -eu

# The first IPv4 address of this container that is not loopback.
container_ipv4() {
    # Docker maps the container's hostname to its address on the (first) network in /etc/hosts.
    getent ahostsv4 "$(cat /proc/sys/kernel/hostname)" 2>/dev/null \
        | awk '$1 !~ /^127\./ { print $1; exit }'
}

# Fallback when the hostname resolves to loopback only (custom /etc/hosts): the kernel's table of local addresses.
local_ipv4_from_kernel() {
    awk '/32 host LOCAL/ { print prev } { prev = $2 }' /proc/net/fib_trie 2>/dev/null \
        | awk '$1 !~ /^127\./ { print $1; exit }'
}

for name in Orleans__Clustering Orleans__Persistence Orleans__AdvertisedIPAddress; do
    if env | grep -q "^${name}="; then
        echo "entrypoint: warning: ${name} is set; the silo reads Silo__${name#Orleans__} (Orleans:* keys belong to Orleans)" >&2
    fi
done

if [ -z "${Silo__AdvertisedIPAddress:-}" ] && [ "${Silo__Clustering:-Localhost}" != "Localhost" ]; then
    ip="$(container_ipv4)"
    [ -n "${ip}" ] || ip="$(local_ipv4_from_kernel)"
    if [ -z "${ip}" ]; then
        echo "entrypoint: cannot determine this container's IPv4 address; set Silo__AdvertisedIPAddress" >&2
        exit 1
    fi
    Silo__AdvertisedIPAddress="${ip}"
    export Silo__AdvertisedIPAddress
    echo "entrypoint: advertising ${ip} to the cluster (Silo__AdvertisedIPAddress)" >&2
fi

exec "$@"
