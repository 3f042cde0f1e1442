module github.com/actors-dev/actors/scripts/teststubs/dnsserve

go 1.26.8
