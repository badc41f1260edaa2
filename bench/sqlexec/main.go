// Command sqlexec runs SQL statements on a mosaic catalog through the
// same driver and connection settings as mosaic (modernc.org/sqlite, opened
// by catalog.Open), and prints the seconds they took, the close included.
// bench/delete_image.sh uses it to measure a bare DELETE in pure Go SQLite,
// so that the cost of the engine and the cost of DeleteImage's job can be
// told apart.
//
// Usage: go run ./bench/sqlexec CATALOG 'STATEMENT' ['STATEMENT' ...]
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"mosaic/catalog"
)

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: sqlexec CATALOG STATEMENT...")
		os.Exit(2)
	}
	start := time.Now()
	cat, err := catalog.Open(context.Background(), os.Args[1], catalog.Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, "sqlexec:", err)
		os.Exit(1)
	}
	for _, stmt := range os.Args[2:] {
		if _, err := cat.DB().Exec(stmt); err != nil {
			fmt.Fprintf(os.Stderr, "sqlexec: %s: %v\n", stmt, err)
			os.Exit(1)
		}
	}
	if err := cat.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "sqlexec:", err)
		os.Exit(1)
	}
	fmt.Printf("%.2f\n", time.Since(start).Seconds())
}
