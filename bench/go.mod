module github.com/actors-dev/actors/bench

go 1.26.0

require github.com/actors-dev/actors v0.0.0

// The baseline serves this checkout's seed data.
replace github.com/actors-dev/actors => ..
