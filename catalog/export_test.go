package catalog

// SetExactBelow makes EstimateMatches count only collections of at most n
// items, and sample bigger ones; it returns a function that restores it.
func SetExactBelow(n int64) (restore func()) {
	old := exactBelow
	exactBelow = n
	return func() { exactBelow = old }
}
