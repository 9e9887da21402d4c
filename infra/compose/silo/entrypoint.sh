#!/bin/sh
# Entrypoint of the analytics silo image (src/Analytics.Silo/Dockerfile): fills in the address this silo advertises
# to the cluster, then execs the command (`dotnet Analytics.Silo.dll`).
#
# Why: with ADO.NET clustering every silo writes into the PostgreSQL membership table the IP address the others must
# use to reach it (Orleans:AdvertisedIPAddress, an IP address, not a name). In a container that address is only known
# at run time. When the variable is unset or empty this script takes the container's own IPv4 address, so one image
# and one compose block serve any number of silos. Set Orleans__AdvertisedIPAddress to override (e.g. behind NAT).
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

if [ -z "${Orleans__AdvertisedIPAddress:-}" ] && [ "${Orleans__Clustering:-Localhost}" != "Localhost" ]; then
    ip="$(container_ipv4)"
    [ -n "${ip}" ] || ip="$(local_ipv4_from_kernel)"
    if [ -z "${ip}" ]; then
        echo "entrypoint: cannot determine this container's IPv4 address; set Orleans__AdvertisedIPAddress" >&2
        exit 1
    fi
    Orleans__AdvertisedIPAddress="${ip}"
    export Orleans__AdvertisedIPAddress
    echo "entrypoint: advertising ${ip} to the cluster (Orleans__AdvertisedIPAddress)" >&2
fi

exec "$@"
