package main

import (
	"database/sql"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the driver Gloss uses for PostgreSQL
)

// createPG creates two fresh databases on the -pg server, one for Gloss
// and one for the baseline, points glossURL and baseURL at them and
// returns a function that drops them.
func (r *run) createPG() (func(), error) {
	admin, err := sql.Open("pgx", r.pg)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(r.pg)
	if err != nil {
		admin.Close()
		return nil, err
	}
	var names []string
	drop := func() {
		for _, name := range names {
			if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
				fmt.Println("bench: drop", name+":", err)
			}
		}
		admin.Close()
	}
	stamp := time.Now().UnixNano()
	for _, to := range []*string{&r.glossURL, &r.baseURL} {
		name := fmt.Sprintf("gloss_bench_%d_%d", stamp, len(names))
		if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
			drop()
			return nil, err
		}
		names = append(names, name)
		u.Path = "/" + name
		*to = u.String()
	}
	return drop, nil
}

// pgBytes is the size of the PostgreSQL database at dbURL after a
// checkpoint.
func pgBytes(dbURL string) (int64, error) {
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	_, _ = db.Exec(`CHECKPOINT`) // needs superuser or pg_checkpoint; the size is the same without it
	var size int64
	err = db.QueryRow(`SELECT pg_database_size(current_database())`).Scan(&size)
	return size, err
}
