package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
)

// On PostgreSQL every transaction that appends to the audit chain takes
// the chain's advisory lock and then reads the chain's head, two round
// trips inside the one critical section that every writer of the log goes
// through (audit.Log), until the commit. AuditHead is a function that does
// both in one: it takes the lock, then reads the head with a snapshot of
// its own (a VOLATILE function's statements each take a fresh one at READ
// COMMITTED), so it sees the head that the last holder of the lock
// committed. One statement could not: its snapshot is taken before the
// lock is granted.
//
// In the label stream on 2 cores, with 8 annotators, the lock was waited
// for 1.6 ms on average, a round trip under load costing a few hundred
// microseconds of the time it is held.
//
// Like the task-project triggers (projectkey.go), it names the table with
// its schema and searches only pg_catalog. It runs with its caller's
// rights, so it grants nothing: whoever may call it may take the lock and
// read the table anyway. A role that may not create functions in the
// schema, or not execute the one there (made by another role that revoked
// the right), goes without it (audit keeps the two statements). It is
// called by its schema's name with a typed argument (AuditHeadCall): with
// an untyped one, a function of the same name taking text, in any schema
// of the search path, would be preferred to it.
const AuditHead = "gloss_audit_head"

// auditHeadVersion marks this version of the function; a start finding
// another (or none) installs it again.
const auditHeadVersion = "gloss audit head v1"

func auditHeadDDL(schema string) []string {
	ddl := []string{
		`CREATE OR REPLACE FUNCTION {s}.` + AuditHead + `(lock_key bigint, OUT seq bigint, OUT hash bytea)
		LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
		BEGIN
			PERFORM pg_advisory_xact_lock(lock_key);
			SELECT a.seq, a.hash INTO seq, hash FROM {s}.audit_events a
			WHERE a.seq IS NOT NULL ORDER BY a.seq DESC LIMIT 1;
		END $$`,
		`COMMENT ON FUNCTION {s}.` + AuditHead + `(bigint) IS '` + auditHeadVersion + `'`,
	}
	r := strings.NewReplacer("{s}", schema)
	for i, s := range ddl {
		ddl[i] = r.Replace(s)
	}
	return ddl
}

// auditHeadSQL reads the version of the installed function, NULL when
// there is none or the role may not execute it, and the schema it is in.
const auditHeadSQL = `SELECT CASE WHEN f IS NOT NULL AND has_function_privilege(f, 'EXECUTE') THEN obj_description(f, 'pg_proc') END, s
	FROM (SELECT to_regprocedure(quote_ident(current_schema()) || '.` + AuditHead + `(bigint)') AS f, quote_ident(current_schema()) AS s) AS h`

// installAuditHead installs AuditHead unless this version of it is in
// place. A role without the right to create it goes without.
func installAuditHead(ctx context.Context, db *sql.DB) error {
	var schema string
	var version sql.NullString
	if err := db.QueryRowContext(ctx, auditHeadSQL).Scan(&version, &schema); err != nil {
		return fmt.Errorf("read the audit head function: %w", err)
	}
	if version.String == auditHeadVersion {
		return nil
	}
	err := install(ctx, db, auditHeadDDL(schema))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == insufficientPrivilege {
		return nil
	}
	if err != nil {
		return fmt.Errorf("install the audit head function: %w", err)
	}
	return nil
}

// AuditHeadCall returns the statement that calls this version of
// AuditHead, by its schema's name, in the PostgreSQL database q reads, or
// "" when it is not there or the role may not execute it.
func AuditHeadCall(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) (string, error) {
	rows, err := q.QueryContext(ctx, auditHeadSQL)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var version, schema sql.NullString
	if rows.Next() {
		if err := rows.Scan(&version, &schema); err != nil {
			return "", err
		}
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if version.String != auditHeadVersion {
		return "", rows.Close()
	}
	return "SELECT seq, hash FROM " + schema.String + "." + AuditHead + "($1::bigint)", rows.Close()
}
