package database

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"time"

	"entgo.io/ent/dialect"
	entschema "entgo.io/ent/dialect/sql/schema"
	"entgo.io/ent/schema/field"
	"github.com/mattn/go-sqlite3"
)

// On SQLite, Gloss stores every time as an integer: nanoseconds since
// 1970-01-01 UTC, in a column declared timestamp_ns. go-sqlite3 alone
// writes a time as 35 bytes of text ("2006-01-02 15:04:05.999999999-07:00"),
// which made the timestamps and their two indexes most of a task's bytes on
// disk, and parsed it back on every read; an integer is 8 bytes, compares in
// time order whatever the zone it was written in, and is read without
// parsing. The instant is kept to the nanosecond, so nothing the API shows
// changes. PostgreSQL is untouched (timestamptz is already 8 bytes).
//
// The conversion lives in the driver (sqliteDriver wraps go-sqlite3), so ent,
// raw statements and every other caller keep binding and scanning time.Time:
//   - every time.Time argument is bound as its integer;
//   - every value read from a column declared timestamp_ns becomes a
//     time.Time again, in the process's zone (in UTC when that zone's offset
//     is zero), as go-sqlite3 gave back the text it wrote;
//   - migrate declares every time column of ent's schema timestamp_ns
//     (sqliteSchema), and
//     convertTimes turns the datetime columns of a database written before
//     (text) into it, once, in one transaction.
//
// An expression over a time column (MAX(created_at)) has no declared type,
// so it reads as the stored number: select the column itself, or turn the
// number into a time with time.Unix(0, n).
//
// Times outside the integer's range (before 1677 or after 2262; Gloss
// writes none, but the zero time.Time is year 1) are stored as a REAL number
// of nanoseconds, which SQLite orders with the integers; they keep their
// instant to about a microsecond.

// sqliteDriver is the name the wrapped driver is registered under.
const sqliteDriver = "gloss-sqlite3"

// timeType is the declared type of every time column on SQLite. It has
// SQLite's NUMERIC affinity, as "datetime" has, so integers are stored as
// integers and changing a column's declared type between the two changes
// nothing on disk.
const timeType = "timestamp_ns"

func init() {
	sql.Register(sqliteDriver, &timeDriver{})
}

// timeDriver is go-sqlite3 with times stored as integers.
type timeDriver struct{ sqlite3.SQLiteDriver }

func (d *timeDriver) Open(dsn string) (driver.Conn, error) {
	c, err := d.SQLiteDriver.Open(dsn)
	if err != nil {
		return nil, err
	}
	return &timeConn{c.(*sqlite3.SQLiteConn)}, nil
}

// timeConn binds times as integers and hands out statements and rows that
// read them back as times.
type timeConn struct{ *sqlite3.SQLiteConn }

// CheckNamedValue converts arguments as database/sql would (driver.Valuer,
// pointers, the basic kinds), then a time.Time to its stored number.
func (c *timeConn) CheckNamedValue(nv *driver.NamedValue) error {
	v, err := driver.DefaultParameterConverter.ConvertValue(nv.Value)
	if err != nil {
		return err
	}
	if t, ok := v.(time.Time); ok {
		v = encodeTime(t)
	}
	nv.Value = v
	return nil
}

func (c *timeConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *timeConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	s, err := c.SQLiteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return &timeStmt{s.(*sqlite3.SQLiteStmt)}, nil
}

func (c *timeConn) Query(query string, args []driver.Value) (driver.Rows, error) {
	return wrapRows(c.SQLiteConn.Query(query, args))
}

func (c *timeConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return wrapRows(c.SQLiteConn.QueryContext(ctx, query, args))
}

type timeStmt struct{ *sqlite3.SQLiteStmt }

func (s *timeStmt) Query(args []driver.Value) (driver.Rows, error) {
	return wrapRows(s.SQLiteStmt.Query(args))
}

func (s *timeStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	return wrapRows(s.SQLiteStmt.QueryContext(ctx, args))
}

func wrapRows(r driver.Rows, err error) (driver.Rows, error) {
	if err != nil {
		return nil, err
	}
	return &timeRows{SQLiteRows: r.(*sqlite3.SQLiteRows)}, nil
}

// timeRows turns the values of timestamp_ns columns into times.
type timeRows struct {
	*sqlite3.SQLiteRows
	times []int // the timestamp_ns columns; nil until the first row
}

func (r *timeRows) Next(dest []driver.Value) error {
	if err := r.SQLiteRows.Next(dest); err != nil {
		return err
	}
	if r.times == nil {
		r.times = []int{}
		for i, t := range r.SQLiteRows.DeclTypes() {
			if t == timeType {
				r.times = append(r.times, i)
			}
		}
	}
	for _, i := range r.times {
		if i < len(dest) {
			dest[i] = decodeTime(dest[i])
		}
	}
	return nil
}

var timeScanType = reflect.TypeFor[sql.NullTime]()

func (r *timeRows) ColumnTypeScanType(i int) reflect.Type {
	if strings.EqualFold(r.SQLiteRows.ColumnTypeDatabaseTypeName(i), timeType) {
		return timeScanType
	}
	return r.SQLiteRows.ColumnTypeScanType(i)
}

// The instants an int64 of nanoseconds holds.
var (
	minNano = time.Unix(0, math.MinInt64)
	maxNano = time.Unix(0, math.MaxInt64)
)

// encodeTime returns what t is stored as: its nanoseconds since 1970, or
// for an instant outside their range the same number as a float64.
func encodeTime(t time.Time) any {
	if t.Before(minNano) || t.After(maxNano) {
		return float64(t.Unix())*1e9 + float64(t.Nanosecond())
	}
	return t.UnixNano()
}

// decodeTime turns a stored value back into a time. Text, as databases
// written before the conversion hold it, is read as go-sqlite3 reads it;
// NULL stays nil.
func decodeTime(v driver.Value) driver.Value {
	var t time.Time
	switch v := v.(type) {
	case int64:
		t = time.Unix(0, v)
	case float64:
		sec := math.Floor(v / 1e9)
		t = time.Unix(int64(sec), int64(v-sec*1e9))
	case string:
		return parseTimeText(v)
	case []byte:
		return parseTimeText(string(v))
	default:
		return v
	}
	if _, off := t.Zone(); off == 0 {
		return t.UTC()
	}
	return t
}

// parseTimeText reads a time as go-sqlite3 writes and reads text: one of
// its formats, a zero time when none fits.
func parseTimeText(s string) time.Time {
	s = strings.TrimSuffix(s, "Z")
	for _, f := range sqlite3.SQLiteTimestampFormats {
		if t, err := time.ParseInLocation(f, s, time.UTC); err == nil {
			return t
		}
	}
	return time.Time{}
}

// sqliteSchema is the migration hook for what Gloss declares differently
// on SQLite than its ent schema says for every dialect:
//   - every time column is declared timestamp_ns (see above);
//   - an index that ends with the table's integer primary key leaves it
//     out. SQLite keeps the rowid, which that key is, at the end of every
//     index entry already, and orders by it and seeks on it there, so the
//     column only stored the id twice (3 to 4 bytes a task in each of the
//     tasks' keyset indexes). PostgreSQL needs it in the index and keeps it.
//     Unique indexes keep it: leaving it out would change what they refuse.
//
// ent's tables are package-level, so the declarations are put back as they
// were once the migration is done.
func sqliteSchema(next entschema.Creator) entschema.Creator {
	return entschema.CreateFunc(func(ctx context.Context, tables ...*entschema.Table) error {
		var undo []func()
		defer func() {
			for _, u := range undo {
				u()
			}
		}()
		for _, t := range tables {
			for _, c := range t.Columns {
				if c.Type != field.TypeTime {
					continue
				}
				c, was := c, c.SchemaType
				undo = append(undo, func() { c.SchemaType = was })
				st := map[string]string{dialect.SQLite: timeType}
				for k, v := range c.SchemaType {
					if k != dialect.SQLite {
						st[k] = v
					}
				}
				c.SchemaType = st
			}
			if len(t.PrimaryKey) != 1 || t.PrimaryKey[0].Type != field.TypeInt && t.PrimaryKey[0].Type != field.TypeInt64 {
				continue
			}
			for _, idx := range t.Indexes {
				if n := len(idx.Columns); !idx.Unique && n > 1 && idx.Columns[n-1] == t.PrimaryKey[0] {
					idx, was := idx, idx.Columns
					undo = append(undo, func() { idx.Columns = was })
					idx.Columns = was[: n-1 : n-1]
				}
			}
		}
		return next.Create(ctx, tables...)
	})
}

// convertTimes turns the datetime columns of an SQLite database written
// before times were integers into timestamp_ns columns holding integers,
// all in one transaction: each value is read as go-sqlite3 reads the text
// and written back as its number, then each table's declared column types
// are edited in place, as SQLite's documentation describes for changes
// that leave the stored records as they are (both types have NUMERIC
// affinity), and the schema version is raised so that every connection
// reads the new declarations. A database with no datetime column is left
// alone, so this runs once.
func convertTimes(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	old, err := datetimeColumns(ctx, conn)
	if err != nil || len(old) == 0 {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	tables := make([]string, 0, len(old))
	for t := range old {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	for _, t := range tables {
		if err := convertValues(ctx, tx, t, old[t]); err != nil {
			return fmt.Errorf("convert the times of %s: %w", t, err)
		}
	}
	var version int64
	if err := tx.QueryRowContext(ctx, "PRAGMA schema_version").Scan(&version); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA writable_schema = ON"); err != nil {
		return err
	}
	for _, t := range tables {
		var ddl string
		if err := tx.QueryRowContext(ctx, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", t).Scan(&ddl); err != nil {
			return err
		}
		edited, err := redeclare(ddl, old[t])
		if err != nil {
			return fmt.Errorf("table %s: %w", t, err)
		}
		if _, err := tx.ExecContext(ctx, "UPDATE sqlite_schema SET sql = ? WHERE type = 'table' AND name = ?", edited, t); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA schema_version = %d", version+1)); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, "PRAGMA writable_schema = OFF"); err != nil {
		return err
	}
	// The edited declarations must read back as intended before they are
	// committed.
	for _, t := range tables {
		cols, err := declaredTypes(ctx, tx, t)
		if err != nil {
			return err
		}
		for _, c := range old[t] {
			if cols[c] != timeType {
				return fmt.Errorf("convert the times of %s: column %s is declared %q after the edit", t, c, cols[c])
			}
		}
	}
	var check string
	if err := tx.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&check); err != nil {
		return err
	}
	if check != "ok" {
		return fmt.Errorf("convert times: the database fails its check: %s", check)
	}
	return tx.Commit()
}

// datetimeColumns returns the columns declared datetime, by table.
func datetimeColumns(ctx context.Context, conn *sql.Conn) (map[string][]string, error) {
	rows, err := conn.QueryContext(ctx, "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
	if err != nil {
		return nil, err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return nil, err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for _, t := range tables {
		cols, err := declaredTypes(ctx, conn, t)
		if err != nil {
			return nil, err
		}
		for c, typ := range cols {
			if typ == "datetime" {
				out[t] = append(out[t], c)
			}
		}
		slices.Sort(out[t])
	}
	return out, nil
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// declaredTypes returns the lower-case declared type of each column of t.
func declaredTypes(ctx context.Context, q queryer, t string) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT name, type FROM pragma_table_info(?)", t)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, err
		}
		out[name] = strings.ToLower(typ)
	}
	return out, rows.Err()
}

// convertBatch is how many rows convertValues reads before writing them.
const convertBatch = 1000

// convertValues rewrites the columns cols of table t as numbers, a batch
// of rows at a time in rowid order (never updating a table while a read of
// it is open).
func convertValues(ctx context.Context, tx *sql.Tx, t string, cols []string) error {
	quoted := make([]string, len(cols))
	sets := make([]string, len(cols))
	for i, c := range cols {
		quoted[i] = quoteIdent(c)
		sets[i] = quoted[i] + " = ?"
	}
	read := fmt.Sprintf("SELECT rowid, %s FROM %s WHERE rowid > ? ORDER BY rowid LIMIT %d", strings.Join(quoted, ", "), quoteIdent(t), convertBatch)
	write, err := tx.PrepareContext(ctx, fmt.Sprintf("UPDATE %s SET %s WHERE rowid = ?", quoteIdent(t), strings.Join(sets, ", ")))
	if err != nil {
		return err
	}
	defer write.Close()
	type row struct {
		id   int64
		vals []any
	}
	last := int64(math.MinInt64)
	for {
		rows, err := tx.QueryContext(ctx, read, last)
		if err != nil {
			return err
		}
		var batch []row
		for rows.Next() {
			r := row{vals: make([]any, len(cols))}
			dest := []any{&r.id}
			for i := range r.vals {
				dest = append(dest, &r.vals[i])
			}
			if err := rows.Scan(dest...); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, r := range batch {
			// go-sqlite3 hands a datetime column's text over as a
			// time.Time, which the argument becomes a number from.
			if _, err := write.ExecContext(ctx, append(r.vals, r.id)...); err != nil {
				return err
			}
		}
		if len(batch) < convertBatch {
			return nil
		}
		last = batch[len(batch)-1].id
	}
}

// redeclare returns the CREATE TABLE statement ddl with the columns cols,
// declared datetime in it, declared timestamp_ns instead.
func redeclare(ddl string, cols []string) (string, error) {
	for _, c := range cols {
		found := false
		for _, q := range []string{"`" + c + "`", `"` + c + `"`, "[" + c + "]", c} {
			for _, typ := range []string{"datetime", "DATETIME"} {
				if old := q + " " + typ; strings.Contains(ddl, old) {
					ddl = strings.Replace(ddl, old, q+" "+timeType, 1)
					found = true
					break
				}
			}
			if found {
				break
			}
		}
		if !found {
			return "", fmt.Errorf("the declaration of column %s was not found", c)
		}
	}
	return ddl, nil
}

// quoteIdent quotes an SQL identifier, for SQLite and PostgreSQL alike.
func quoteIdent(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
