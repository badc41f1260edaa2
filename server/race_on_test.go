//go:build race

package server

// raceDetector slows everything down several times: the tests' time
// bounds are for builds without it.
const raceDetector = true
