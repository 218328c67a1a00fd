package importer

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// separator is a CSV file's separator: a comma, unless its header line
// holds none and a semicolon, as Label Studio detects it (spreadsheets in
// locales that write decimal commas save CSV separated by semicolons).
func separator(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size()) // the header line, or its first buffer's worth
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if !bytes.ContainsRune(head, ',') && bytes.ContainsRune(head, ';') {
		return ';'
	}
	return ','
}

// parseTable reads a CSV or TSV file: a header row naming the data keys,
// then one task per row. Values stay strings, as in Label Studio; columns
// named like task fields ("annotations", "meta") are data too.
func (p *parser) parseTable(r io.Reader, comma rune) error {
	src := &source{r: r, max: p.o.Limits.MaxBytes, span: int64(p.o.Limits.MaxTaskBytes) + readAhead}
	br := bufio.NewReader(src)
	base := int64(skipBOM(br))
	if comma == ',' {
		comma = separator(br)
	}
	cr := csv.NewReader(br)
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // checked here, for a clearer message
	cr.ReuseRecord = true

	header, err := cr.Read()
	if err == io.EOF {
		return nil // no tasks; finish reports it
	}
	if err != nil {
		return p.csvError(err, 0)
	}
	header = slices.Clone(header) // ReuseRecord reuses the slice
	line, _ := cr.FieldPos(0)
	keys, err := headerKeys(header)
	if err != nil {
		return &RowError{Line: line, Msg: err.Error()}
	}
	missing := missingName(header, p.o.RequiredKeys) // every row has the header's keys

	for row := 1; ; row++ {
		start := cr.InputOffset()
		src.mark = base + start
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return p.csvError(err, row)
		}
		line, _ := cr.FieldPos(0)
		if row > p.o.Limits.MaxTasks {
			return p.tooMany(row, line)
		}
		if cr.InputOffset()-start > int64(p.o.Limits.MaxTaskBytes) {
			return p.tooLarge(row, line)
		}
		if len(rec) != len(keys) {
			return &RowError{Row: row, Line: line, Msg: fmt.Sprintf("row has %d fields, the header has %d", len(rec), len(keys))}
		}
		data, err := tableData(keys, header, rec)
		if err != nil {
			return &RowError{Row: row, Line: line, Msg: err.Error()}
		}
		if err := p.deliver(Task{Data: data, Keys: header}, row, line, missing); err != nil {
			return err
		}
	}
}

// headerKeys checks a header row and returns each column name encoded as
// a JSON object key followed by a colon.
func headerKeys(header []string) ([][]byte, error) {
	keys := make([][]byte, len(header))
	seen := make(map[string]bool, len(header))
	for i, name := range header {
		if err := checkText(name); err != nil {
			return nil, problemf("column %d of the header %v", i+1, err)
		}
		if strings.TrimSpace(name) == "" {
			return nil, problemf("column %d of the header has no name", i+1)
		}
		if err := checkKey(name); err != nil {
			return nil, problemf("column %d of the header %v", i+1, err)
		}
		if seen[name] {
			return nil, problemf("the header has the column %q twice", name)
		}
		seen[name] = true
		keys[i] = append(appendString(nil, name), ':')
	}
	return keys, nil
}

// tableData returns the data object of one row, {column: value}.
func tableData(keys [][]byte, header, rec []string) ([]byte, error) {
	size := 2
	for i, v := range rec {
		if err := checkText(v); err != nil {
			return nil, problemf("column %q %v", header[i], err)
		}
		size += len(keys[i]) + len(v) + 3
	}
	b := make([]byte, 0, size)
	b = append(b, '{')
	for i, v := range rec {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, keys[i]...)
		b = appendString(b, v)
	}
	return append(b, '}'), nil
}

// checkText refuses text that cannot be stored as a JSON string.
func checkText(s string) error {
	if !utf8.ValidString(s) {
		return problem("is not valid UTF-8")
	}
	if strings.IndexByte(s, 0) >= 0 {
		return problem("contains a NUL character")
	}
	return nil
}

// csvError turns an error from csv.Reader, reading task row (0 for the
// header), into Parse's error.
func (p *parser) csvError(err error, row int) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return &RowError{Row: row, Line: pe.Line, Msg: fmt.Sprintf("column %d: %v", pe.Column, pe.Err)}
	}
	// The csv package does not say where a read error happened.
	return p.readError(err, row, 0)
}

// parseText reads a plain text file: each non-blank line is a task whose
// data is {TextKey: line}.
func (p *parser) parseText(r io.Reader) error {
	br := bufio.NewReaderSize(&source{r: r, max: p.o.Limits.MaxBytes}, 64<<10)
	skipBOM(br)
	lr := &lineReader{br: br, max: p.o.Limits.MaxTaskBytes}
	textKeys := []string{p.o.TextKey}
	missing := missingName(textKeys, p.o.RequiredKeys) // every task is {TextKey: line}
	row := 0
	for {
		line, err := lr.next()
		if err == io.EOF {
			return nil
		}
		if err == errLineTooLong {
			return p.tooLarge(row+1, lr.line)
		}
		if err != nil {
			return p.readError(err, row+1, lr.line)
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		row++
		if row > p.o.Limits.MaxTasks {
			return p.tooMany(row, lr.line)
		}
		text := string(line)
		if err := checkText(text); err != nil {
			return &RowError{Row: row, Line: lr.line, Msg: "the line " + err.Error()}
		}
		if err := p.deliver(Task{Data: textData(p.o.TextKey, text), Keys: textKeys}, row, lr.line, missing); err != nil {
			return err
		}
	}
}

// parseHTML reads an HTML file as one task holding its markup under
// HTMLKey, as Label Studio reads an uploaded .html file for a HyperText
// tag (which shows it sanitized).
func (p *parser) parseHTML(r io.Reader) error {
	br := bufio.NewReader(&source{r: r, max: p.o.Limits.MaxBytes})
	skipBOM(br)
	b, err := io.ReadAll(io.LimitReader(br, int64(p.o.Limits.MaxTaskBytes)+1))
	if err != nil {
		return p.readError(err, 1, 0)
	}
	if len(b) > p.o.Limits.MaxTaskBytes {
		return p.tooLarge(1, 0)
	}
	text := string(b)
	if err := checkText(text); err != nil {
		return &RowError{Row: 1, Msg: "the file " + err.Error()}
	}
	if strings.TrimSpace(text) == "" {
		return &RowError{Msg: "the file holds no markup"}
	}
	keys := []string{p.o.HTMLKey}
	return p.deliver(Task{Data: textData(p.o.HTMLKey, text), Keys: keys}, 1, 0, missingName(keys, p.o.RequiredKeys))
}
