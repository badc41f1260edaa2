package where

import "testing"

// BenchmarkCompileTypical measures the clause the issue names: it must
// parse, validate and render in under 20 µs.
func BenchmarkCompileTypical(b *testing.B) {
	const clause = `"Name" LIKE 'T32%' AND CloudCover < 20 AND AcquisitionDate >= date '2020-01-01'`
	schema := itemSchema()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Compile(clause, schema); err != nil {
			b.Fatal(err)
		}
	}
}
