module github.com/actors-dev/actors/scripts/teststubs/aws

go 1.26.8

require github.com/jmespath/go-jmespath v0.4.0
