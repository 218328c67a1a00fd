package main

import (
	"bytes"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/mattn/go-sqlite3" // the driver Gloss uses for SQLite
)

// The baseline is the plain Go program each scenario is measured against:
// net/http and database/sql with the SQLite driver Gloss uses, the same
// connection settings (WAL, synchronous=NORMAL, immediate write
// transactions), one writer connection beside a pool of readers, and a
// plain schema holding the same task data. It runs as a child process of
// the benchmark (bench -serve-baseline DIR -port P) so that its start-up
// and memory are measured the way Gloss's are.

const baselineSchema = `
CREATE TABLE IF NOT EXISTS tokens (hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS tasks (
	id INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL,
	inner_id INTEGER NOT NULL,
	data TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	total_annotations INTEGER NOT NULL DEFAULT 0,
	locked_by INTEGER,
	locked_until INTEGER
);
CREATE INDEX IF NOT EXISTS tasks_project ON tasks (project_id, id);
CREATE INDEX IF NOT EXISTS tasks_stream ON tasks (project_id, total_annotations, id);
CREATE TABLE IF NOT EXISTS annotations (
	id INTEGER PRIMARY KEY,
	task_id INTEGER NOT NULL REFERENCES tasks (id),
	user_id INTEGER NOT NULL,
	result TEXT NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS annotations_task ON annotations (task_id);
CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, salt BLOB NOT NULL, key BLOB NOT NULL);
`

// baselineUsers is how many token holders the baseline knows: user 1 (the
// owner) and the annotators; user i holds the token baselineToken(i).
const baselineUsers = 1 + streamWorkers

func baselineToken(user int) string { return fmt.Sprintf("baseline-token-%d", user) }

type baseline struct {
	w, r *sql.DB // one writer connection; a pool of readers
}

// serveBaseline opens (or creates) the baseline database in dir and serves
// on 127.0.0.1:port until killed.
func serveBaseline(dir string, port int) error {
	dsn := "file:" + filepath.Join(dir, "baseline.db") + "?_fk=1&_journal_mode=WAL&_busy_timeout=10000&_synchronous=NORMAL"
	w, err := sql.Open("sqlite3", dsn+"&_txlock=immediate")
	if err != nil {
		return err
	}
	w.SetMaxOpenConns(1)
	r, err := sql.Open("sqlite3", dsn+"&_query_only=1")
	if err != nil {
		return err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	if _, err := w.Exec(baselineSchema); err != nil {
		return err
	}
	for u := 1; u <= baselineUsers; u++ {
		h := sha256.Sum256([]byte(baselineToken(u)))
		if _, err := w.Exec(`INSERT OR IGNORE INTO tokens (hash, user_id) VALUES (?, ?)`, h[:], u); err != nil {
			return err
		}
	}
	b := &baseline{w: w, r: r}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	mux.HandleFunc("POST /viewer", b.viewer)
	mux.HandleFunc("POST /import", b.importCSV)
	mux.HandleFunc("GET /tasks", b.tasks)
	mux.HandleFunc("GET /export", b.export)
	mux.HandleFunc("POST /next", b.next)
	mux.HandleFunc("POST /annotate", b.annotate)
	mux.HandleFunc("POST /users", b.addUser)
	mux.HandleFunc("POST /login", b.login)
	mux.HandleFunc("POST /checkpoint", func(w http.ResponseWriter, r *http.Request) {
		if _, err := b.w.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
			http.Error(w, err.Error(), 500)
		}
	})
	return http.ListenAndServe(fmt.Sprintf("127.0.0.1:%d", port), mux)
}

// user answers the token's user with one indexed read, or 0.
func (b *baseline) user(r *http.Request) int {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Token ")
	if !ok {
		return 0
	}
	h := sha256.Sum256([]byte(tok))
	var id int
	if err := b.r.QueryRowContext(r.Context(), `SELECT user_id FROM tokens WHERE hash = ?`, h[:]).Scan(&id); err != nil {
		return 0
	}
	return id
}

func (b *baseline) viewer(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	u := b.user(r)
	if u == 0 {
		http.Error(w, "unauthenticated", 401)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"data":{"viewer":{"id":"%d"}}}`, u)
}

func projectParam(r *http.Request) int64 {
	p, _ := strconv.ParseInt(r.URL.Query().Get("project"), 10, 64)
	return p
}

// importCSV stores every row of the uploaded CSV files as a task whose data
// maps the header's names to the row's values: rows are parsed while the
// upload streams, then written with a prepared multi-row INSERT in one
// transaction.
func (b *baseline) importCSV(w http.ResponseWriter, r *http.Request) {
	if b.user(r) == 0 {
		http.Error(w, "unauthenticated", 401)
		return
	}
	project := projectParam(r)
	mr, err := r.MultipartReader()
	if err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	var datas [][]byte
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		cr := csv.NewReader(part)
		cr.ReuseRecord = true
		header, err := cr.Read()
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		header = append([]string(nil), header...)
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			var buf bytes.Buffer
			buf.WriteByte('{')
			for i, k := range header {
				if i > 0 {
					buf.WriteByte(',')
				}
				kb, _ := json.Marshal(k)
				vb, _ := json.Marshal(rec[i])
				buf.Write(kb)
				buf.WriteByte(':')
				buf.Write(vb)
			}
			buf.WriteByte('}')
			datas = append(datas, buf.Bytes())
		}
	}
	const rowsPer = 200
	now := time.Now().UnixMicro()
	tx, err := b.w.BeginTx(r.Context(), nil)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer tx.Rollback()
	var next int64
	if err := tx.QueryRow(`SELECT COALESCE(MAX(inner_id), 0) FROM tasks WHERE project_id = ?`, project).Scan(&next); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	insert := func(n int) (*sql.Stmt, error) {
		q := "INSERT INTO tasks (project_id, inner_id, data, created_at, updated_at) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?),", n), ",")
		return tx.Prepare(q)
	}
	full, err := insert(rowsPer)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	args := make([]any, 0, rowsPer*5)
	for i := 0; i < len(datas); i += rowsPer {
		chunk := datas[i:min(i+rowsPer, len(datas))]
		args = args[:0]
		for _, d := range chunk {
			next++
			args = append(args, project, next, d, now, now)
		}
		st := full
		if len(chunk) < rowsPer {
			if st, err = insert(len(chunk)); err != nil {
				http.Error(w, err.Error(), 500)
				return
			}
		}
		if _, err := st.Exec(args...); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"taskCount":%d}`, len(datas))
}

type pageNode struct {
	ID               string          `json:"id"`
	Data             json.RawMessage `json:"data"`
	TotalAnnotations int             `json:"totalAnnotations"`
}

// tasks answers one keyset page of 100 tasks after the cursor, shaped as
// the GraphQL connection is.
func (b *baseline) tasks(w http.ResponseWriter, r *http.Request) {
	if b.user(r) == 0 {
		http.Error(w, "unauthenticated", 401)
		return
	}
	var after int64
	if c := r.URL.Query().Get("after"); c != "" {
		raw, err := base64.RawURLEncoding.DecodeString(c)
		if err != nil {
			http.Error(w, "bad cursor", 400)
			return
		}
		after, _ = strconv.ParseInt(string(raw), 10, 64)
	}
	rows, err := b.r.QueryContext(r.Context(), `SELECT id, data, total_annotations FROM tasks WHERE project_id = ? AND id > ? ORDER BY id LIMIT 101`, projectParam(r), after)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer rows.Close()
	type edge struct {
		Node pageNode `json:"node"`
	}
	var page struct {
		Data struct {
			Tasks struct {
				Edges    []edge `json:"edges"`
				PageInfo struct {
					EndCursor   *string `json:"endCursor"`
					HasNextPage bool    `json:"hasNextPage"`
				} `json:"pageInfo"`
			} `json:"tasks"`
		} `json:"data"`
	}
	t := &page.Data.Tasks
	t.Edges = []edge{}
	var last int64
	for rows.Next() {
		var id int64
		var n pageNode
		var data []byte
		if err := rows.Scan(&id, &data, &n.TotalAnnotations); err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		if len(t.Edges) == 100 {
			t.PageInfo.HasNextPage = true
			break
		}
		n.ID, n.Data, last = strconv.FormatInt(id, 10), data, id
		t.Edges = append(t.Edges, edge{n})
	}
	if len(t.Edges) > 0 {
		c := base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(last, 10)))
		t.PageInfo.EndCursor = &c
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(&page)
}

// export streams the project's tasks as Label Studio JSON or CSV straight
// from one scan.
func (b *baseline) export(w http.ResponseWriter, r *http.Request) {
	if b.user(r) == 0 {
		http.Error(w, "unauthenticated", 401)
		return
	}
	project := projectParam(r)
	format := r.URL.Query().Get("format")
	rows, err := b.r.QueryContext(r.Context(), `SELECT id, inner_id, data, created_at, updated_at, total_annotations FROM tasks WHERE project_id = ? ORDER BY id`, project)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer rows.Close()
	var cw *csv.Writer
	var keys []string
	switch format {
	case "JSON":
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "[")
	case "CSV":
		w.Header().Set("Content-Type", "text/csv")
		cw = csv.NewWriter(w)
	default:
		http.Error(w, "format: JSON or CSV", 400)
		return
	}
	first := true
	var rec []string
	for rows.Next() {
		var id, inner, created, updated int64
		var total int
		var data []byte
		if err := rows.Scan(&id, &inner, &data, &created, &updated, &total); err != nil {
			return
		}
		ca := time.UnixMicro(created).UTC().Format(time.RFC3339Nano)
		ua := time.UnixMicro(updated).UTC().Format(time.RFC3339Nano)
		if cw == nil {
			if !first {
				io.WriteString(w, ", ")
			}
			fmt.Fprintf(w, `{"id": %d, "annotations": [], "file_upload": "", "drafts": [], "predictions": [], "data": %s, "meta": {}, "created_at": %q, "updated_at": %q, "inner_id": %d, "total_annotations": %d, "cancelled_annotations": 0, "total_predictions": 0, "project": %d}`,
				id, data, ca, ua, inner, total, project)
			first = false
			continue
		}
		var obj map[string]string
		if err := json.Unmarshal(data, &obj); err != nil {
			return
		}
		if keys == nil {
			for k := range obj {
				keys = append(keys, k)
			}
			cw.Write(append([]string{"annotation_id", "annotator", "created_at", "id", "lead_time", "updated_at"}, keys...))
		}
		rec = append(rec[:0], "", "", ca, strconv.FormatInt(id, 10), "", ua)
		for _, k := range keys {
			rec = append(rec, obj[k])
		}
		cw.Write(rec)
	}
	if cw != nil {
		cw.Flush()
	} else {
		io.WriteString(w, "]")
	}
}

// next takes the first task of the project that still needs an annotation
// and is not locked by someone else, locking it for the caller for an hour,
// in one conditional UPDATE on the writer connection.
func (b *baseline) next(w http.ResponseWriter, r *http.Request) {
	u := b.user(r)
	if u == 0 {
		http.Error(w, "unauthenticated", 401)
		return
	}
	now := time.Now().Unix()
	var id int64
	var data []byte
	err := b.w.QueryRowContext(r.Context(), `UPDATE tasks SET locked_by = ?, locked_until = ?
		WHERE id = (SELECT id FROM tasks WHERE project_id = ? AND total_annotations < 1
			AND (locked_by IS NULL OR locked_by = ? OR locked_until < ?) ORDER BY total_annotations, id LIMIT 1)
		RETURNING id, data`, u, now+3600, projectParam(r), u, now).Scan(&id, &data)
	w.Header().Set("Content-Type", "application/json")
	if errors.Is(err, sql.ErrNoRows) {
		io.WriteString(w, `{"data":{"nextTask":null}}`)
		return
	}
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	fmt.Fprintf(w, `{"data":{"nextTask":{"id":"%d","data":%s}}}`, id, data)
}

// annotate stores the caller's annotation on a task it holds: one
// transaction that releases the lock and counts the annotation (only while
// the task still needs one) and inserts it.
func (b *baseline) annotate(w http.ResponseWriter, r *http.Request) {
	u := b.user(r)
	if u == 0 {
		http.Error(w, "unauthenticated", 401)
		return
	}
	var in struct {
		TaskID string          `json:"taskId"`
		Result json.RawMessage `json:"result"`
	}
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	var check any
	if err := json.Unmarshal(in.Result, &check); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	task, _ := strconv.ParseInt(in.TaskID, 10, 64)
	tx, err := b.w.BeginTx(r.Context(), nil)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	defer tx.Rollback()
	res, err := tx.Exec(`UPDATE tasks SET total_annotations = total_annotations + 1, locked_by = NULL, locked_until = NULL, updated_at = ?
		WHERE id = ? AND locked_by = ? AND total_annotations < 1`, time.Now().UnixMicro(), task, u)
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	if n, _ := res.RowsAffected(); n != 1 {
		http.Error(w, "task not held or already annotated", 400)
		return
	}
	res, err = tx.Exec(`INSERT INTO annotations (task_id, user_id, result, created_at) VALUES (?, ?, ?, ?)`, task, u, []byte(in.Result), time.Now().UnixMicro())
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	if err := tx.Commit(); err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	id, _ := res.LastInsertId()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"data":{"createAnnotation":{"id":"%d"}}}`, id)
}
