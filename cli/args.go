package cli

import (
	"strings"

	ucli "github.com/urfave/cli/v2"

	"mosaic/internal/textutil"
)

// interspersed reorders a command line so that urfave/cli v2, which stops
// parsing flags at the first positional argument, sees every flag: flags
// written after positional arguments (mosaic add-image -i scenes *.tif
// --attr K=V) move before them, and global flags written after the command
// move before it. "--" still ends the flags.
func interspersed(app *ucli.App, args []string) []string {
	if len(args) < 2 {
		return args
	}
	out := []string{args[0]}
	rest := args[1:]
	// Global flags before the command.
	var globals []string
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") && rest[0] != "--" {
		n := max(1, flagWidth(app.Flags, rest)) // unknown (--help): leave it to urfave/cli
		globals = append(globals, rest[:n]...)
		rest = rest[n:]
	}
	if len(rest) == 0 {
		return append(out, globals...)
	}
	// The command path: command, then subcommands.
	var path []string
	cmds := app.Commands
	var cmd *ucli.Command
	for len(rest) > 0 {
		c := findCommand(cmds, rest[0])
		if c == nil {
			break
		}
		cmd = c
		path = append(path, rest[0])
		rest = rest[1:]
		cmds = c.Subcommands
		if len(cmds) == 0 {
			break
		}
	}
	if cmd == nil {
		return args
	}
	var flags, positional []string
	for len(rest) > 0 {
		a := rest[0]
		switch {
		case a == "--":
			positional = append(positional, rest[1:]...)
			rest = nil
		case strings.HasPrefix(a, "-") && a != "-":
			if n := flagWidth(cmd.Flags, rest); n > 0 {
				flags = append(flags, rest[:n]...)
				rest = rest[n:]
			} else if n := flagWidth(app.Flags, rest); n > 0 {
				globals = append(globals, rest[:n]...)
				rest = rest[n:]
			} else {
				flags = append(flags, a) // unknown: let urfave/cli report it
				rest = rest[1:]
			}
		default:
			positional = append(positional, a)
			rest = rest[1:]
		}
	}
	out = append(out, globals...)
	out = append(out, path...)
	out = append(out, flags...)
	if len(positional) > 0 {
		out = append(out, "--")
	}
	return append(out, positional...)
}

// flagWidth returns how many arguments the flag at args[0] takes up (1 or 2)
// if it is one of flags, else 0.
func flagWidth(flags []ucli.Flag, args []string) int {
	name := strings.TrimLeft(args[0], "-")
	hasValue := false
	if i := strings.IndexByte(name, '='); i >= 0 {
		name, hasValue = name[:i], true
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if _, isBool := f.(*ucli.BoolFlag); isBool || hasValue || len(args) < 2 {
				return 1
			}
			return 2
		}
	}
	return 0
}

func findCommand(cmds []*ucli.Command, name string) *ucli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// repeatedFlag refuses a single-valued flag given more than once:
// urfave/cli keeps the last, so `delete-image --where "OBJECTID=1" --where
// "1=1"` would delete every item and `-i a -i b` act on b. Repeatable flags
// (--attr, --field, --status) may repeat. args are as interspersed returns
// them: global flags, the command path, its flags, then "--" and the
// positional arguments.
func repeatedFlag(app *ucli.App, args []string) error {
	if len(args) < 2 {
		return nil
	}
	flags := app.Flags
	cmds := app.Commands
	seen := map[string]string{} // first name of the flag → how it was first given
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			if c := findCommand(cmds, a); c != nil {
				flags, cmds = c.Flags, c.Subcommands
			}
			continue
		}
		f := findFlag(flags, a)
		if f == nil {
			f = findFlag(app.Flags, a)
		}
		if f == nil {
			continue // unknown, or --help: urfave/cli says
		}
		given := a
		if _, isBool := f.(*ucli.BoolFlag); !isBool && !strings.Contains(a, "=") && i+1 < len(args) {
			i++
			given += " " + args[i]
		}
		if repeatable(f) {
			continue
		}
		key := f.Names()[0]
		if first, dup := seen[key]; dup {
			return invalid("%s is given twice (%s, then %s): it takes one value; give it once", flagName(key),
				textutil.Quote(first), textutil.Quote(given))
		}
		seen[key] = given
	}
	return nil
}

// findFlag returns the flag of flags that arg (-x, --name or --name=value)
// names, or nil.
func findFlag(flags []ucli.Flag, arg string) ucli.Flag {
	name := strings.TrimLeft(arg, "-")
	if i := strings.IndexByte(name, '='); i >= 0 {
		name = name[:i]
	}
	for _, f := range flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// repeatable reports whether a flag takes a list, one value per use.
func repeatable(f ucli.Flag) bool {
	switch f.(type) {
	case *ucli.StringSliceFlag, *ucli.IntSliceFlag, *ucli.Int64SliceFlag, *ucli.Float64SliceFlag,
		*ucli.UintSliceFlag, *ucli.Uint64SliceFlag:
		return true
	}
	return false
}

// flagName writes a flag's name as a user types it.
func flagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}
