package export

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"regexp"
	"slices"
	"strconv"
	"unicode/utf8"
)

// csvFixedColumns are the columns Label Studio's CSV always has
// (exports/csv2.py), besides "id" and the data and control columns.
var csvFixedColumns = []string{"annotator", "annotation_id", "created_at", "updated_at", "lead_time", "id"}

// writeCSV writes the CSV format (comma ',') or TSV (comma '\t') as Label
// Studio's exports/csv2.py does: one row per converter item (see items), and
// columns named by the data keys, "id", "annotator", "annotation_id",
// "created_at", "updated_at", "lead_time" and the control names, sorted by
// name. Objects and lists (in data or as control values) are JSON; a single
// choice or text is the bare string; booleans are True/False as Python
// prints them; missing values are empty.
//
// Differences from Label Studio, and why:
//   - The header comes from Schema.DataKeys (the caller passes every data key
//     the project's tasks hold, from one database query) and
//     Schema.ControlNames (or the first task's data keys) instead of a first
//     pass over every task, so the file streams; a control column is present
//     even if no annotation used it.
//   - A data key named like a control goes to the column "_data_<key>", as
//     Label Studio's converter writes it, so it never overwrites the answer.
//   - The annotator column is the user id, as in Label Studio's converter
//     (get_annotator) and Gloss's JSON; it is empty when the viewer may not
//     learn who annotated (rule.SeesAuthor).
//   - A cell that starts with =, +, -, @, a tab or a carriage return is
//     prefixed with a single quote so that spreadsheets do not run it as a
//     formula (CSV injection, OWASP). Plain numbers such as -3.5 are left as
//     they are. Label Studio does not guard.
//   - encoding/csv quotes only the cells that need it (Python's QUOTE_NONNUMERIC
//     quotes every string) and ends rows with \n rather than \r\n, so that
//     carriage returns inside cells survive. Readers see the same values.
func writeCSV(w io.Writer, comma rune, s Schema, next func() (*Task, error)) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	cw := csv.NewWriter(bw)
	cw.Comma = comma

	dataKeys := s.DataKeys
	var first *Task
	if len(dataKeys) == 0 {
		var err error
		if first, err = pull(next); err != nil {
			return err
		}
		if first != nil {
			data, err := jsonObjectOrEmpty(first.Data, "data")
			if err != nil {
				return err
			}
			obj, err := parseObject(data)
			if err != nil {
				return err
			}
			for _, m := range obj.members {
				dataKeys = append(dataKeys, m.key)
			}
		}
	}
	cols := make([]string, len(dataKeys))
	for i, k := range dataKeys {
		cols[i] = dataColumn(s, k)
	}
	header := slices.Concat(csvFixedColumns, cols, s.ControlNames)
	slices.Sort(header)
	header = slices.Compact(header)

	row := make([]string, len(header))
	for i, h := range header {
		row[i] = guardCell(h)
	}
	if err := cw.Write(row); err != nil {
		return err
	}
	rec := make(map[string]string, len(header))
	writeTask := func(t *Task) error {
		for _, it := range items(t) {
			clear(rec)
			if err := it.csvRecord(s, rec); err != nil {
				return err
			}
			for i, h := range header {
				row[i] = guardCell(rec[h])
			}
			if err := cw.Write(row); err != nil {
				return err
			}
		}
		return nil
	}
	if first != nil {
		if err := writeTask(first); err != nil {
			return err
		}
	}
	if err := each(next, writeTask); err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// csvRecord fills rec with it's cells, overriding in csv2.prepare_annotation's
// order: id, then controls, then data, then the annotation columns.
func (it item) csvRecord(s Schema, rec map[string]string) error {
	rec["id"] = strconv.Itoa(it.task.ID)
	outs, err := it.outputs(s)
	if err != nil {
		return err
	}
	for _, o := range outs {
		v, err := o.minified()
		if err != nil {
			return err
		}
		if v[0] == '"' {
			var str string
			if err := json.Unmarshal(v, &str); err != nil {
				return err
			}
			rec[o.name] = str
		} else {
			rec[o.name] = string(v)
		}
	}
	data, err := jsonObjectOrEmpty(it.task.Data, "data")
	if err != nil {
		return err
	}
	obj, err := parseObject(data)
	if err != nil {
		return err
	}
	for _, m := range obj.members {
		if rec[dataColumn(s, m.key)], err = csvScalar(m.val); err != nil {
			return err
		}
	}
	if a := it.ann; a != nil {
		if a.CompletedBy != 0 {
			rec["annotator"] = strconv.Itoa(a.CompletedBy)
		}
		rec["annotation_id"] = strconv.Itoa(a.ID)
		rec["created_at"] = lsTime(a.CreatedAt)
		rec["updated_at"] = lsTime(a.UpdatedAt)
		rec["lead_time"] = pyFloat(a.LeadTime)
	}
	return nil
}

// dataColumn is the column of data key k: the key itself, or "_data_<k>"
// when a control has that name, so the data never overwrites the
// annotation's answer (as Label Studio's converter names it).
func dataColumn(s Schema, k string) string {
	if slices.Contains(s.ControlNames, k) {
		return "_data_" + k
	}
	return k
}

// csvScalar writes a data value as Python's csv module writes what the
// converter hands it: strings as they are, objects and lists as compact JSON,
// numbers as Python prints them, booleans as True/False and null as empty.
func csvScalar(raw json.RawMessage) (string, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", nil
	}
	switch raw[0] {
	case '"':
		if len(raw) >= 2 {
			if s := raw[1 : len(raw)-1]; bytes.IndexByte(s, '\\') < 0 && utf8.Valid(s) {
				return string(s), nil // nothing to unescape
			}
		}
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case '{', '[':
		b, err := appendCompact(nil, raw)
		return string(b), err
	case 't':
		return "True", nil
	case 'f':
		return "False", nil
	case 'n':
		return "", nil
	}
	if bytes.ContainsAny(raw, ".eE") {
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return "", err
		}
		return pyFloat(f), nil
	}
	return string(raw), nil
}

// plainNumber matches cells that are only a decimal number; a spreadsheet
// reads them as numbers, never as formulas.
var plainNumber = regexp.MustCompile(`^[-+]?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

// guardCell defuses CSV formula injection: a cell a spreadsheet would
// evaluate (starting with =, +, -, @, tab or CR) gets a leading single quote,
// unless it is a plain number.
func guardCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !plainNumber.MatchString(s) {
			return "'" + s
		}
	}
	return s
}
