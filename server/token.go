package server

import (
	"fmt"
	"os"
	"strings"
)

// ReadTokenFile reads the shared secret of a server from path: the file's
// content without surrounding whitespace. An empty file is refused: it
// would mean no secret at all.
func ReadTokenFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read token file: %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token file %s is empty: put the shared secret in it", path)
	}
	if strings.ContainsAny(tok, "\r\n") {
		return "", fmt.Errorf("token file %s has more than one line: it holds one token", path)
	}
	return tok, nil
}
