package catalog_test

import (
	"testing"

	"mosaic/catalog"
)

func TestCheckJSONKeys(t *testing.T) {
	for _, tc := range []struct {
		in      string
		fold    bool
		wantErr string
	}{
		{`{"itemId":"a"}`, false, ""},
		{`{"itemId":"A","itemId":"B"}`, false, `key "itemId" appears twice`},
		{`{"Cc":1,"cc":2}`, false, ""},
		{`{"Cc":1,"cc":2,"CC":3}`, true, `keys "Cc" and "cc" differ only in case`},
		{`{"a":{"x":1,"x":2}}`, false, `key "x" appears twice`},
		{`[{"name":"a","type":"TEXT"},{"name":"b","NAME":"c"}]`, true, `keys "name" and "NAME" differ only in case`},
		{`{"a":[{"k":1},{"k":2}],"b":{"k":3}}`, false, ""},
		{`{"a":"a","b":"a"}`, false, ""},
		{`{"a":["a","a"]}`, false, ""},
		{`{"a":{"a":1},"a2":{"a":1}}`, false, ""},
		{`{"a":1,`, false, ""}, // not JSON: the caller's decoding says so
		{`"x"`, false, ""},
	} {
		err := catalog.CheckJSONKeys([]byte(tc.in), tc.fold)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tc.wantErr {
			t.Errorf("CheckJSONKeys(%s, %v) = %q, want %q", tc.in, tc.fold, got, tc.wantErr)
		}
	}
}
