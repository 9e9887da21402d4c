#!/bin/bash
# Docker HEALTHCHECK of the analytics silo image (src/Analytics.Silo/Dockerfile).
# Healthy (exit 0) iff GET /healthz on the silo's own HTTP port answers 200, i.e. the silo is an Active cluster
# member (Analytics.Silo.Http.SiloHealthCheck). Anything else, including no listener yet, is unhealthy (exit 1).
#
# Why bash and not curl/wget: the mcr.microsoft.com/dotnet/aspnet image ships neither, and installing one adds
# packages (and their CVEs) to every silo image just for a probe. bash is in the image; its /dev/tcp redirection
# speaks enough HTTP/1.1 for one GET. The port follows HEALTHCHECK_PORT (8081, the port in Urls).
set -u

port="${HEALTHCHECK_PORT:-8081}"

if ! exec 3<>"/dev/tcp/127.0.0.1/${port}"; then
    echo "unhealthy: nothing listens on 127.0.0.1:${port}"
    exit 1
fi 2>/dev/null

printf 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nUser-Agent: docker-healthcheck\r\nConnection: close\r\n\r\n' "${port}" >&3

# Status line, e.g. "HTTP/1.1 200 OK". Every read is bounded so a stuck server cannot hang the probe.
if ! IFS= read -r -t 4 status <&3; then
    echo "unhealthy: no answer from http://127.0.0.1:${port}/healthz"
    exit 1
fi
status="${status%$'\r'}"

# Skip the headers; the body ("Healthy", "Unhealthy", ...) goes into docker inspect's health log.
chunked=0
while IFS= read -r -t 2 line <&3; do
    line="${line%$'\r'}"
    [[ -z "${line}" ]] && break
    shopt -s nocasematch
    [[ "${line}" == "transfer-encoding:"*chunked* ]] && chunked=1
    shopt -u nocasematch
done
body=""
if [[ "${chunked}" == 1 ]]; then
    IFS= read -r -t 2 _ <&3 || true   # the chunk size line
fi
IFS= read -r -t 2 body <&3 || true
exec 3<&-

case "${status}" in
    "HTTP/1."[01]" 200"*) echo "healthy: ${status} ${body%$'\r'}"; exit 0 ;;
    *) echo "unhealthy: ${status} ${body%$'\r'}"; exit 1 ;;
esac
