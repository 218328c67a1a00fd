package database

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	entschema "entgo.io/ent/dialect/sql/schema"

	"gloss/ent"
	"gloss/ent/task"
	"gloss/ent/throttle"
	"gloss/internal/viewer"
)

// sampleTimes are times a database may hold: now to the nanosecond, in
// the process's zone, in UTC and in another zone, the zero time and
// instants outside an int64 of nanoseconds.
func sampleTimes() map[string]time.Time {
	now := time.Now()
	return map[string]time.Time{
		"now":        now,
		"utc":        time.Date(2026, 12, 5, 1, 10, 17, 201836768, time.UTC),
		"other zone": time.Date(2026, 3, 1, 23, 59, 59, 999999999, time.FixedZone("", 5*3600+30*60)),
		"1970":       time.Unix(0, 0),
		"before":     time.Date(1969, 7, 20, 20, 17, 40, 123456789, time.UTC),
		"zero":       {},
		"year 1600":  time.Date(1600, 1, 2, 3, 4, 5, 0, time.UTC),
		"year 3000":  time.Date(3000, 1, 2, 3, 4, 5, 0, time.UTC),
	}
}

// shown is a time as the API writes it (GraphQL's Time is RFC 3339 with
// nanoseconds).
func shown(t time.Time) string { return t.Format(time.RFC3339Nano) }

// TestSQLiteTimes: on SQLite every time is stored as an integer of
// nanoseconds (a REAL outside their range), in columns declared
// timestamp_ns, and reads back as the same instant, shown as the API shows
// it; comparisons and ordering in SQL follow time, whatever the zone a time
// was written in.
func TestSQLiteTimes(t *testing.T) {
	ctx := viewer.NewSystemContext(t.Context())
	d, err := Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	times := sampleTimes()
	for key, at := range times {
		if err := d.Client.Throttle.Create().SetKey(key).SetWindowStart(at).Exec(ctx); err != nil {
			t.Fatalf("store %s: %v", key, err)
		}
	}
	for key, want := range times {
		got, err := d.Client.Throttle.Query().Where(throttle.Key(key)).Only(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !sameInstant(key, got.WindowStart, want) {
			t.Errorf("%s: read back %v, stored %v", key, got.WindowStart, want)
		}
		if key == "now" && shown(got.WindowStart) != shown(want) {
			t.Errorf("%s is shown as %s, was %s", key, shown(got.WindowStart), shown(want))
		}
		var kind string
		if err := d.Read.QueryRowContext(ctx, "SELECT typeof(window_start) FROM throttles WHERE key = ?", key).Scan(&kind); err != nil {
			t.Fatal(err)
		}
		if want := map[bool]string{true: "real", false: "integer"}[key == "zero" || key == "year 1600" || key == "year 3000"]; kind != want {
			t.Errorf("%s is stored as %s, want %s", key, kind, want)
		}
	}
	// Precision is kept where Gloss writes times: to the nanosecond.
	got, _ := d.Client.Throttle.Query().Where(throttle.Key("utc")).Only(ctx)
	if shown(got.WindowStart) != "2026-12-05T01:10:17.201836768Z" {
		t.Errorf("a UTC time is shown as %s", shown(got.WindowStart))
	}
	// Order and comparisons are by instant.
	keys, err := d.Client.Throttle.Query().Where(throttle.WindowStartGT(times["before"])).
		Order(throttle.ByWindowStart()).Select(throttle.FieldKey).Strings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(keys) != "[1970 other zone utc now year 3000]" {
		t.Errorf("times after 1969 in order: %v", keys)
	}
	types, err := declaredTypes(ctx, d.Read, "throttles")
	if err != nil || types["window_start"] != timeType {
		t.Fatalf("window_start is declared %q (%v)", types["window_start"], err)
	}
	// A raw statement binds and scans times the same way.
	var at time.Time
	if err := d.Read.QueryRowContext(ctx, "SELECT window_start FROM throttles WHERE window_start = ?", times["utc"]).Scan(&at); err != nil || !at.Equal(times["utc"]) {
		t.Fatalf("raw read by time: %v %v", at, err)
	}
}

// TestConvertSQLiteTimes: a database written before times were integers
// (go-sqlite3's text, columns declared datetime) is converted when it is
// opened: every time reads back as the same instant, shown as before, the
// columns hold integers and are declared timestamp_ns, the database passes
// its integrity check, and opening it again changes nothing.
func TestConvertSQLiteTimes(t *testing.T) {
	ctx := viewer.NewSystemContext(t.Context())
	dir := t.TempDir()
	times := sampleTimes()

	// The old database: go-sqlite3 as it is, ent's schema as it was.
	raw, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, FileName)+"?_fk=1")
	if err != nil {
		t.Fatal(err)
	}
	old := ent.NewClient(ent.Driver(entsql.OpenDB(dialect.SQLite, raw)))
	migrating.Lock()
	err = old.Schema.Create(ctx)
	migrating.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	before := map[string]string{}
	for key, at := range times {
		if err := old.Throttle.Create().SetKey(key).SetWindowStart(at).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Enough rows for several batches of the conversion.
	for i := range 2*convertBatch + 7 {
		if err := old.Throttle.Create().SetKey(fmt.Sprintf("row %d", i)).SetWindowStart(time.Unix(1_700_000_000, int64(i))).Exec(ctx); err != nil {
			t.Fatal(err)
		}
	}
	org, err := old.Organization.Create().SetTitle("Old").Save(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := old.Throttle.Query().All(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		before[r.Key] = shown(r.WindowStart)
	}
	var kind string
	if err := raw.QueryRowContext(ctx, "SELECT typeof(window_start) FROM throttles WHERE key = 'now'").Scan(&kind); err != nil || kind != "text" {
		t.Fatalf("the old database stores %q (%v), want text", kind, err)
	}
	old.Close()

	for round := range 2 {
		d, err := Open(ctx, "", dir)
		if err != nil {
			t.Fatalf("open %d: %v", round, err)
		}
		rows, err := d.Client.Throttle.Query().All(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != len(before) {
			t.Fatalf("open %d: %d throttles, want %d", round, len(rows), len(before))
		}
		for _, r := range rows {
			want, sample := times[r.Key]
			if sample && !sameInstant(r.Key, r.WindowStart, want) {
				t.Errorf("open %d: %s reads %v, stored %v", round, r.Key, r.WindowStart, want)
			}
			// What Gloss writes (time.Now(), in the process's zone) is
			// shown as before, to the nanosecond.
			if got := shown(r.WindowStart); (!sample || r.Key == "now") && got != before[r.Key] {
				t.Errorf("open %d: %s is shown as %s, was %s", round, r.Key, got, before[r.Key])
			}
		}
		o, err := d.Client.Organization.Get(ctx, org.ID)
		if err != nil || !o.CreatedAt.Equal(org.CreatedAt) || shown(o.CreatedAt) != shown(org.CreatedAt) {
			t.Fatalf("open %d: the organization was created at %v, reads %v (%v)", round, org.CreatedAt, o, err)
		}
		var texts int
		if err := d.Read.QueryRowContext(ctx, "SELECT count(*) FROM throttles WHERE typeof(window_start) = 'text'").Scan(&texts); err != nil || texts != 0 {
			t.Fatalf("open %d: %d times are still text (%v)", round, texts, err)
		}
		left, err := func() (map[string][]string, error) {
			c, err := d.SQL.Conn(ctx)
			if err != nil {
				return nil, err
			}
			defer c.Close()
			return datetimeColumns(ctx, c)
		}()
		if err != nil || len(left) != 0 {
			t.Fatalf("open %d: columns still declared datetime: %v (%v)", round, left, err)
		}
		// ent finds the schema as it wants it: nothing left to change.
		var plan strings.Builder
		migrating.Lock()
		err = d.Client.Schema.WriteTo(ctx, &plan, entschema.WithHooks(sqliteSchema))
		migrating.Unlock()
		if err != nil || strings.Contains(plan.String(), "CREATE") || strings.Contains(plan.String(), "ALTER") {
			t.Fatalf("open %d: the migration would still change: %s (%v)", round, plan.String(), err)
		}
		// Indexes leave out a trailing rowid (sqliteSchema), old ones too;
		// unique ones keep every column.
		for idx, want := range map[string]string{
			"task_project_id_created_at_id":        "[project_id created_at]",
			"task_project_id_total_annotations_id": "[project_id total_annotations]",
			"task_project_id_inner_id":             "[project_id inner_id]",
		} {
			if got := indexColumns(t, d, idx); got != want {
				t.Errorf("open %d: index %s has the columns %s, want %s", round, idx, got, want)
			}
		}
		var check string
		if err := d.Read.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
			t.Fatalf("open %d: integrity check: %s %v", round, check, err)
		}
		// The converted column still orders and compares by time.
		first, err := d.Client.Throttle.Query().Where(throttle.WindowStartGT(times["1970"])).
			Order(throttle.ByWindowStart()).First(ctx)
		if err != nil || first.Key != "row 0" {
			t.Fatalf("open %d: the first time after 1970 is %v (%v)", round, first, err)
		}
		d.Close()
	}
}

// sameInstant reports whether got is the instant want: exactly, or, for
// the instants outside an int64 of nanoseconds other than the zero time,
// within a few microseconds (a float64 of nanoseconds).
func sameInstant(key string, got, want time.Time) bool {
	if key == "year 1600" || key == "year 3000" {
		return got.Sub(want).Abs() < 10*time.Microsecond
	}
	return got.Equal(want) && got.IsZero() == want.IsZero()
}

// TestStatement: Statement hands over the query ent builds, privacy
// filters included, which runs on the database as ent would run it; it
// fails when no single query was made or the policy refused.
func TestStatement(t *testing.T) {
	sys := viewer.NewSystemContext(t.Context())
	d, err := Open(sys, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, k := range []string{"a", "b", "c"} {
		if err := d.Client.Throttle.Create().SetKey(k).SetWindowStart(time.Now()).Exec(sys); err != nil {
			t.Fatal(err)
		}
	}
	query, args, err := Statement(sys, dialect.SQLite, func(c *ent.Client) error {
		return c.Throttle.Query().Where(throttle.KeyGT("a")).Order(throttle.ByKey()).
			Select(throttle.FieldKey).Scan(sys, &[]struct{}{})
	})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	rows, err := d.Read.QueryContext(sys, query, args...)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		rows.Scan(&k)
		keys = append(keys, k)
	}
	rows.Close()
	if fmt.Sprint(keys) != "[b c]" {
		t.Fatalf("the statement %s %v read %v", query, args, keys)
	}
	// The task policy's organization filter is in the statement.
	member := viewer.NewContext(t.Context(), &viewer.Viewer{UserID: 5, OrgID: 77, Role: "OWNER"})
	query, args, err = Statement(member, dialect.SQLite, func(c *ent.Client) error {
		return c.Task.Query().Select(task.FieldID).Scan(member, &[]struct{}{})
	})
	if err != nil || !strings.Contains(query, "organization_id") || !slices.Contains(args, any(77)) {
		t.Fatalf("a member's task statement: %s %v (%v)", query, args, err)
	}
	// No viewer: the policy refuses, and there is no statement.
	if q, _, err := Statement(t.Context(), dialect.SQLite, func(c *ent.Client) error {
		return c.Task.Query().Select(task.FieldID).Scan(t.Context(), &[]struct{}{})
	}); err == nil {
		t.Fatalf("an anonymous task statement: %s", q)
	}
	// Two queries, or none, are refused.
	if _, _, err := Statement(sys, dialect.SQLite, func(c *ent.Client) error {
		c.Throttle.Query().IDs(sys)
		_, err := c.Throttle.Query().IDs(sys)
		return err
	}); err == nil {
		t.Fatal("two queries made one statement")
	}
	if _, _, err := Statement(sys, dialect.SQLite, func(*ent.Client) error { return nil }); err == nil {
		t.Fatal("no query made a statement")
	}
	if _, _, err := Statement(sys, dialect.SQLite, func(c *ent.Client) error {
		return c.Throttle.Create().SetKey("x").SetWindowStart(time.Now()).Exec(sys)
	}); err == nil {
		t.Fatal("a write made a statement")
	}
}

// indexColumns lists the columns of an index.
func indexColumns(t *testing.T, d *DB, index string) string {
	t.Helper()
	rows, err := d.Read.QueryContext(t.Context(), "SELECT name FROM pragma_index_info(?) ORDER BY seqno", index)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var cols []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			t.Fatal(err)
		}
		cols = append(cols, c)
	}
	return fmt.Sprint(cols)
}
