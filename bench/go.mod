module github.com/actors-dev/actors/bench

go 1.27.3

require github.com/actors-dev/actors v0.0.0

// The baseline serves this checkout's seed data.
replace github.com/actors-dev/actors => ..
