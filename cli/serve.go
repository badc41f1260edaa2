package cli

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	ucli "github.com/urfave/cli/v2"

	"mosaic/catalog"
	"mosaic/jobs"
	"mosaic/server"
)

func serveCommand() *ucli.Command {
	return &ucli.Command{
		Name:  "serve",
		Usage: "answer the ArcGIS REST paths of the Raster Analysis tasks (submitJob, jobs, results) and of each collection's image service, over the catalog",
		Description: "Binds 127.0.0.1:8080 by default. Binding any other than a loopback address needs --token-file: every request\n" +
			"must then present the token (token=… or an Authorization: Bearer header). Unfinished jobs resume at start;\n" +
			"SIGINT or SIGTERM stops taking jobs, lets the running batch commit and exits (a second one exits at once).\n" +
			"Collection URLs point at the address served unless --base-url is given.",
		Flags: []ucli.Flag{
			&ucli.StringFlag{Name: "addr", Value: "127.0.0.1:8080", Usage: "the address to listen on, HOST:PORT"},
			&ucli.StringFlag{Name: "token-file", Usage: "a file holding the shared secret every request must present as its token (required off loopback)"},
			&ucli.StringSliceFlag{Name: "cors-origin", Usage: "a web origin (scheme://host[:port]) whose pages may use the server (CORS); repeatable; '*' for any, only with --token-file"},
		},
		Action: serve,
	}
}

func serve(c *ucli.Context) error {
	var token string
	if path := c.String("token-file"); path != "" {
		var err error
		if token, err = server.ReadTokenFile(path); err != nil {
			return invalid("--token-file: %v", err)
		}
		if w := server.TokenFileWarning(path); w != "" {
			fmt.Fprintf(c.App.ErrWriter, "mosaic: warning: %s\n", w)
		}
	}
	origins := c.StringSlice("cors-origin")
	if err := server.CheckCORSOrigins(origins, token); err != nil {
		return invalid("%v", err)
	}
	addr := c.String("addr")
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return &exitError{code: ExitFailed, err: fmt.Errorf("listen on %s: %w", addr, err)}
	}
	if token == "" && !server.IsLoopback(ln.Addr()) {
		ln.Close()
		return invalid("refusing to serve on %s without --token-file: anyone who can reach that address could submit jobs that delete items; give --token-file, or bind a loopback address such as 127.0.0.1:8080", listenName(addr, ln.Addr()))
	}
	base := c.String("base-url")
	if !c.IsSet("base-url") {
		base = baseURLFor(ln.Addr())
	}
	path := c.String("catalog")
	if strings.TrimSpace(path) == "" {
		ln.Close()
		return invalid("--catalog is empty")
	}
	cat, err := catalog.Open(c.Context, path, catalog.Options{BaseURL: base})
	if err != nil {
		ln.Close()
		return err
	}
	defer cat.Close()
	s := server.New(jobs.NewManager(cat), server.Options{Token: token, CORSOrigins: origins, Log: c.App.ErrWriter})
	fmt.Fprintf(c.App.ErrWriter, "mosaic: serving %s at %s/arcgis/rest/services (collection URLs under %s)\n", path, "http://"+ln.Addr().String(), base)

	// A second interrupt stops at once: the running job's last transaction
	// rolls back and the job resumes at the next start.
	served := make(chan struct{})
	defer close(served)
	go func() {
		select {
		case <-c.Context.Done():
		case <-served:
			return
		}
		again := make(chan os.Signal, 1)
		signal.Notify(again, os.Interrupt, syscall.SIGTERM)
		defer signal.Stop(again)
		select {
		case <-again:
			fmt.Fprintln(c.App.ErrWriter, "mosaic: interrupted again: stopping now; unfinished jobs resume at the next start")
			s.Close()
		case <-served:
		}
	}()
	return s.Serve(c.Context, ln)
}

// baseURLFor is the base of collection URLs for a server listening on
// addr: the address itself, or this machine's name when it listens on all
// interfaces.
func baseURLFor(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok {
		return "http://" + addr.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		if h, err := os.Hostname(); err == nil && h != "" {
			host = h
		} else {
			host = "localhost"
		}
	}
	return "http://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port))
}
