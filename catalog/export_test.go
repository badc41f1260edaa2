package catalog

// SetExactBelow makes EstimateMatches count only collections of at most n
// items, and sample bigger ones; it returns a function that restores it.
func SetExactBelow(n int64) (restore func()) {
	old := exactBelow
	exactBelow = n
	return func() { exactBelow = old }
}

// SetRestoreWindow makes Restore cover n OBJECTIDs a statement; it returns
// a function that restores it.
func SetRestoreWindow(n int64) (restore func()) {
	old := restoreWindow
	restoreWindow = n
	return func() { restoreWindow = old }
}

// SetVacuumAbove makes ReturnFreeSpace rewrite the file above n free
// pages; it returns a function that restores it.
func SetVacuumAbove(n int64) (restore func()) {
	old := vacuumAbove
	vacuumAbove = n
	return func() { vacuumAbove = old }
}
