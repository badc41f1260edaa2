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

// SetRewriteToVacuum makes ReturnFreeSpace rewrite the file (true) or move
// pages into the holes (false), whatever is free; it returns a function
// that restores its choice.
func SetRewriteToVacuum(rewrite bool) (restore func()) {
	old := rewriteToVacuum
	rewriteToVacuum = func(int64, int64) bool { return rewrite }
	return func() { rewriteToVacuum = old }
}

// RewriteToVacuum is ReturnFreeSpace's own choice.
func RewriteToVacuum(free, used int64) bool { return rewriteToVacuum(free, used) }
