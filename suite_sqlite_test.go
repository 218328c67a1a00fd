//go:build !pg

package main

import "testing"

// freshDatabaseURL is the database of one test server: in the SQLite suite
// always "" (SQLite in the server's fresh data dir), whatever DATABASE_URL
// says. The PostgreSQL suite (`go test -tags pg`, see replicas_test.go)
// gives each test a fresh PostgreSQL database instead.
func freshDatabaseURL(t testing.TB) string { return "" }
