package catalog

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"modernc.org/sqlite"

	"mosaic/where"
)

// policy is the authorizer of one connection. Unguarded, it allows
// everything (mosaic's own statements); guarded, while a statement carrying a
// user's where clause is prepared, it allows only reads of the named
// tables, the functions package where may render, and inserts into one
// table. It is defence in depth: package where already refuses everything
// else.
type policy struct {
	mu      sync.Mutex
	guarded bool
	read    map[string]bool
	insert  string
	denied  string // the first thing denied, for the error message
}

// ownFunctions are the functions mosaic's own SQL around a user clause uses.
var ownFunctions = []string{"count", "min", "max", "sum", "total", "avg", "mosaic_relate"}

var allowedFunctions = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range where.SQLiteFunctions {
		m[strings.ToLower(f)] = true
	}
	for _, f := range ownFunctions {
		m[f] = true
	}
	return m
}()

func (p *policy) authorize(action sqlite.AuthorizerActionCode, arg1, arg2, _, _ string) sqlite.AuthorizerReturnCode {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.guarded {
		return sqlite.AuthorizerOK
	}
	switch action {
	case sqlite.AuthSelect, sqlite.AuthTransaction, sqlite.AuthSavepoint:
		return sqlite.AuthorizerOK
	case sqlite.AuthRead:
		if p.read[strings.ToLower(arg1)] {
			return sqlite.AuthorizerOK
		}
		p.deny(fmt.Sprintf("read of %s.%s", arg1, arg2))
	case sqlite.AuthFunction:
		if allowedFunctions[strings.ToLower(arg2)] {
			return sqlite.AuthorizerOK
		}
		p.deny(fmt.Sprintf("function %s", arg2))
	case sqlite.AuthInsert:
		if p.insert != "" && strings.EqualFold(arg1, p.insert) {
			return sqlite.AuthorizerOK
		}
		p.deny(fmt.Sprintf("insert into %s", arg1))
	default:
		p.deny(fmt.Sprintf("operation %d on %s", action, arg1))
	}
	return sqlite.AuthorizerDeny
}

func (p *policy) deny(what string) {
	if p.denied == "" {
		p.denied = what
	}
}

// Guard runs fn with the transaction's connection restricted to reading the
// tables in read, the whitelisted functions, and inserting into insert (if
// not empty). Statements that carry a user's where clause are prepared and
// run inside Guard.
func (tx *Tx) Guard(ctx context.Context, read []string, insert string, fn func() error) error {
	if tx.pol == nil {
		tx.pol = &policy{}
		if err := tx.conn.Raw(func(dc any) error {
			reg, ok := dc.(sqlite.AuthorizerRegisterer)
			if !ok {
				return fmt.Errorf("the SQLite driver has no authorizer")
			}
			return reg.RegisterAuthorizer(tx.pol.authorize)
		}); err != nil {
			return fmt.Errorf("install authorizer: %w", err)
		}
	}
	tx.pol.mu.Lock()
	tx.pol.guarded, tx.pol.insert, tx.pol.denied = true, insert, ""
	tx.pol.read = map[string]bool{}
	for _, t := range read {
		tx.pol.read[strings.ToLower(t)] = true
	}
	tx.pol.mu.Unlock()
	err := fn()
	tx.pol.mu.Lock()
	denied := tx.pol.denied
	tx.pol.guarded = false
	tx.pol.mu.Unlock()
	if err != nil && denied != "" {
		return Errorf(Invalid, "where clause refused by the catalog: %s is not allowed (%w)", denied, err)
	}
	return err
}

// unguard removes the authorizer before the connection goes back to the pool.
func (tx *Tx) unguard() {
	if tx.pol == nil {
		return
	}
	tx.conn.Raw(func(dc any) error {
		if reg, ok := dc.(sqlite.AuthorizerRegisterer); ok {
			return reg.RegisterAuthorizer(nil)
		}
		return nil
	})
	tx.pol = nil
}
