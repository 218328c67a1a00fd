// Command pgcheck tells whether the PostgreSQL server at a URL can run
// Gloss's PostgreSQL test suite: it connects, runs a query and checks that
// the role may create databases (every test makes its own). It exits 0 and
// prints the server's version when it can, and exits 1 saying why when it
// cannot. `make test-pg` runs it before the suite.
//
//	go run ./internal/database/cmd/pgcheck 'postgres://postgres@127.0.0.1:5432/test?sslmode=disable'
package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
)

func main() {
	if len(os.Args) != 2 || os.Args[1] == "" {
		fmt.Fprintln(os.Stderr, "usage: pgcheck POSTGRES_URL")
		os.Exit(2)
	}
	msg, err := check(os.Args[1])
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	fmt.Println(msg)
}

// check returns a line describing the server, or an error saying why the
// suite cannot run there. Neither quotes a password in the URL.
func check(raw string) (string, error) {
	where := raw
	if u, err := url.Parse(raw); err == nil {
		where = u.Redacted()
	} else {
		return "", fmt.Errorf("%q is not a URL such as postgres://user@host:5432/db", raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg, err := pgx.ParseConfig(raw)
	if err != nil {
		return "", fmt.Errorf("%s is not a PostgreSQL URL: %v", where, err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 5 * time.Second
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return "", fmt.Errorf("cannot connect to %s: %v", where, err)
	}
	defer conn.Close(ctx)
	var version string
	var create bool
	err = conn.QueryRow(ctx, `SELECT current_setting('server_version'),
		(SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user)`).Scan(&version, &create)
	if err != nil {
		return "", fmt.Errorf("connected to %s but a query failed: %v", where, err)
	}
	if !create {
		return "", fmt.Errorf("connected to %s as %q, but that role may not create databases (each test creates its own)", where, cfg.User)
	}
	return fmt.Sprintf("PostgreSQL %s at %s", version, where), nil
}
