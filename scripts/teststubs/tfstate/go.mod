module github.com/actors-dev/actors/scripts/teststubs/tfstate

go 1.26.8
