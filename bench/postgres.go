package main

import (
	"database/sql"
	"fmt"
	"net/url"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the driver Gloss uses for PostgreSQL
)

// createPG creates a fresh database on the -pg server for Gloss, points
// glossURL at it and returns a function that drops it.
func (r *run) createPG() (func(), error) {
	admin, err := sql.Open("pgx", r.pg)
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("gloss_bench_%d", time.Now().UnixNano())
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		return nil, err
	}
	u, err := url.Parse(r.pg)
	if err != nil {
		admin.Close()
		return nil, err
	}
	u.Path = "/" + name
	r.glossURL = u.String()
	return func() {
		if _, err := admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			fmt.Println("bench: drop", name+":", err)
		}
		admin.Close()
	}, nil
}

// pgBytes is the size of Gloss's PostgreSQL database after a checkpoint.
func (r *run) pgBytes() (int64, error) {
	db, err := sql.Open("pgx", r.glossURL)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	_, _ = db.Exec(`CHECKPOINT`) // needs superuser or pg_checkpoint; the size is the same without it
	var size int64
	err = db.QueryRow(`SELECT pg_database_size(current_database())`).Scan(&size)
	return size, err
}
