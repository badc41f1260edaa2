package cli

import (
	"io"
	"reflect"
	"strings"
	"testing"
)

func TestInterspersed(t *testing.T) {
	app := NewApp(strings.NewReader(""), io.Discard, io.Discard)
	for _, tc := range []struct{ in, want string }{
		{"mosaic", "mosaic"},
		{"mosaic --help", "mosaic --help"},
		{"mosaic -h", "mosaic -h"},
		{"mosaic --nope list-collections", "mosaic --nope list-collections"},
		{"mosaic --catalog c.db list-collections -f table", "mosaic --catalog c.db list-collections -f table"},
		{"mosaic create-image-collection scenes --srs EPSG:32632 --field A:REAL", "mosaic create-image-collection --srs EPSG:32632 --field A:REAL -- scenes"},
		{"mosaic add-image -i scenes a.tif b.tif --attr K=V --catalog x.db", "mosaic --catalog x.db add-image -i scenes --attr K=V -- a.tif b.tif"},
		{"mosaic add-image -i scenes a.tif -- --odd-name.tif", "mosaic add-image -i scenes -- a.tif --odd-name.tif"},
		{"mosaic delete-image -i s --where=1=1 --dry-run", "mosaic delete-image -i s --where=1=1 --dry-run"},
		{"mosaic jobs undo j1 -f text", "mosaic jobs undo -f text -- j1"},
		{"mosaic jobs result j1 removedItems", "mosaic jobs result -- j1 removedItems"},
		{"mosaic add-image -i scenes a.tif --bogus", "mosaic add-image -i scenes --bogus -- a.tif"},
		{"mosaic nosuchcommand --x", "mosaic nosuchcommand --x"},
		{"mosaic list-images -i", "mosaic list-images -i"},
	} {
		got := interspersed(app, strings.Fields(tc.in))
		if want := strings.Fields(tc.want); !reflect.DeepEqual(got, want) {
			t.Errorf("interspersed(%q) = %q, want %q", tc.in, got, want)
		}
	}
}
