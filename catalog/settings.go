package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Setting returns the value of catalog setting name, and whether it is
// set (see `mosaic config`).
func (tx *Tx) Setting(ctx context.Context, name string) (string, bool, error) {
	var v string
	err := tx.QueryRowContext(ctx, "SELECT value FROM settings WHERE name = ?", name).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("read setting %s: %w", name, err)
	}
	return v, true, nil
}

// SetSetting sets catalog setting name to value; an empty value unsets it.
// Package catalog stores settings; their meaning and checks belong to the
// packages that read them.
func (tx *Tx) SetSetting(ctx context.Context, name, value string) error {
	var err error
	if value == "" {
		_, err = tx.ExecContext(ctx, "DELETE FROM settings WHERE name = ?", name)
	} else {
		_, err = tx.ExecContext(ctx, "INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value", name, value)
	}
	if err != nil {
		return fmt.Errorf("set %s: %w", name, err)
	}
	return nil
}
