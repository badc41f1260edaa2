package server

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"
	"unicode"
	"unicode/utf8"

	"mosaic/internal/textutil"
)

// Limits of a token file.
const (
	maxTokenFileBytes = 4 << 10 // a token file holds one line, not a document
	minTokenChars     = 16      // shorter secrets can be guessed over the network
)

// ReadTokenFile reads the shared secret of a server from path: the file's
// content without surrounding whitespace. The file must be a regular file
// (a FIFO would block the start forever, /dev/zero would fill memory) of at
// most 4 KiB, holding one line of at least 16 characters without control
// characters. Anything else is refused with a message saying what to fix.
func ReadTokenFile(path string) (string, error) {
	name := textutil.Escape(path)
	info, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("read token file %s: %w", name, reason(err))
	}
	if !info.Mode().IsRegular() {
		return "", fmt.Errorf("token file %s is not a regular file (%s): put the token in a plain file", name, fileKind(info.Mode()))
	}
	if info.Size() > maxTokenFileBytes {
		return "", fmt.Errorf("token file %s is %d bytes: a token file holds one token, at most %d bytes", name, info.Size(), maxTokenFileBytes)
	}
	// O_NONBLOCK: should the path become a FIFO after the Stat, the open
	// does not wait for a writer.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", fmt.Errorf("read token file %s: %w", name, reason(err))
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || !info.Mode().IsRegular() {
		return "", fmt.Errorf("token file %s is not a regular file: put the token in a plain file", name)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxTokenFileBytes+1))
	if err != nil {
		return "", fmt.Errorf("read token file %s: %w", name, reason(err))
	}
	if len(b) > maxTokenFileBytes {
		return "", fmt.Errorf("token file %s is longer than %d bytes: a token file holds one token", name, maxTokenFileBytes)
	}
	tok := strings.TrimSpace(string(b))
	switch {
	case tok == "":
		return "", fmt.Errorf("token file %s is empty: put the shared secret in it", name)
	case strings.ContainsAny(tok, "\r\n"):
		return "", fmt.Errorf("token file %s has more than one line: it holds one token", name)
	case !utf8.ValidString(tok) || strings.IndexFunc(tok, unicode.IsControl) >= 0:
		return "", fmt.Errorf("token file %s holds control characters or bytes that are not UTF-8: a token is one line of text", name)
	case utf8.RuneCountInString(tok) < minTokenChars:
		return "", fmt.Errorf("the token in %s has %d characters: use at least %d (for example: head -c 24 /dev/urandom | base64 > %s)", name, utf8.RuneCountInString(tok), minTokenChars, name)
	}
	return tok, nil
}

// TokenFileWarning returns a warning when other users can read or write the
// token file at path, or "" when only its owner can.
func TokenFileWarning(path string) string {
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm()&0o077 == 0 {
		return ""
	}
	return fmt.Sprintf("token file %s can be read by other users (mode %04o): chmod 600 %s", textutil.Escape(path), info.Mode().Perm(), textutil.Escape(path))
}

// reason is a file error without the path, which messages name themselves.
func reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	}
	return m.Type().String()
}
