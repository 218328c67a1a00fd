package importer

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// parseJSON reads a JSON array of tasks, or one task object, one element at
// a time with json.Decoder, so the array is never held whole.
func (p *parser) parseJSON(r io.Reader) error {
	src := &source{
		r:     r,
		max:   p.o.Limits.MaxBytes,
		span:  int64(p.o.Limits.MaxTaskBytes) + readAhead,
		lines: true,
	}
	br := bufio.NewReader(src)
	// base is how many bytes were consumed before the decoder started, to
	// turn its offsets into offsets in the file.
	base := int64(skipBOM(br))
	var first byte
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return nil // no tasks; finish reports it
		}
		if err != nil {
			return p.readError(err, 0, 0)
		}
		if !isSpace(c) {
			if err := br.UnreadByte(); err != nil {
				return p.readError(err, 0, 0)
			}
			if c != '[' && c != '{' {
				return &RowError{Line: src.lineAt(base), Msg: p.what + " must hold a JSON list of tasks or a single task object"}
			}
			first = c
			break
		}
		base++
	}
	j := &jsonStream{p: p, src: src, dec: json.NewDecoder(br), base: base}
	if first == '{' {
		return j.single()
	}
	return j.array()
}

// jsonStream is the state of one parseJSON call.
type jsonStream struct {
	p    *parser
	src  *source
	dec  *json.Decoder
	base int64
	raw  json.RawMessage // reused for each element
}

// offset returns the file offset of the decoder's position.
func (j *jsonStream) offset() int64 { return j.base + j.dec.InputOffset() }

// array reads a top-level array element by element.
func (j *jsonStream) array() error {
	if _, err := j.dec.Token(); err != nil { // the '[' seen by parseJSON
		return j.decodeError(err, 0)
	}
	for row := 1; ; row++ {
		j.src.mark = j.offset()
		if !j.dec.More() {
			break
		}
		if row > j.p.o.Limits.MaxTasks {
			return j.p.tooMany(row, j.nextLine())
		}
		if err := j.element(row); err != nil {
			return err
		}
	}
	if _, err := j.dec.Token(); err != nil { // ']', or why it is missing
		return j.decodeError(err, 0)
	}
	return j.end("the list of tasks")
}

// single reads a top-level task object.
func (j *jsonStream) single() error {
	j.src.mark = j.offset()
	if err := j.element(1); err != nil {
		return err
	}
	return j.end("the task")
}

// end checks that nothing but whitespace follows the top-level value.
func (j *jsonStream) end(what string) error {
	line := j.nextLine()
	if _, err := j.dec.Token(); err != io.EOF {
		if j.src.err != nil {
			return j.p.readError(j.src.err, 0, 0)
		}
		return &RowError{Line: line, Msg: "unexpected data after " + what}
	}
	return nil
}

// element decodes the next value and passes it on as task row.
func (j *jsonStream) element(row int) error {
	j.raw = j.raw[:0]
	if err := j.dec.Decode(&j.raw); err != nil {
		return j.decodeError(err, row)
	}
	line := j.src.lineAt(j.offset() - int64(len(j.raw)))
	t, err := j.p.task(j.raw)
	if err != nil {
		return &RowError{Row: row, Line: line, Msg: err.Error()}
	}
	return j.p.emit(t, row, line)
}

// nextLine returns the line of the next value or delimiter after the
// decoder's position, skipping whitespace and a comma.
func (j *jsonStream) nextLine() int {
	line := j.src.lineAt(j.offset())
	rest, _ := io.ReadAll(j.dec.Buffered())
	for _, c := range rest {
		if c == '\n' {
			line++
		} else if !isSpace(c) && c != ',' {
			break
		}
	}
	return line
}

// decodeError turns an error from the decoder, while reading task row (0
// between tasks), into Parse's error, finding the line where it happened.
func (j *jsonStream) decodeError(err error, row int) error {
	var syn *json.SyntaxError
	switch {
	case j.src.err != nil:
		// Checked first: some encoding/json builds report read errors
		// as syntax errors.
		return j.p.readError(j.src.err, row, j.nextLine())
	case errors.As(err, &syn):
		return &RowError{Row: row, Line: j.syntaxLine(), Msg: "invalid JSON: " + syn.Error()}
	case err == io.ErrUnexpectedEOF || err == io.EOF:
		return &RowError{Row: row, Line: j.nextLine(), Msg: "invalid JSON: " + j.p.what + " ends in the middle of a task"}
	}
	return j.p.readError(err, row, j.nextLine())
}

// syntaxLine finds the line of a syntax error the decoder reported. The
// decoder's SyntaxError.Offset counts only bytes it scanned as values, so
// instead decode the unread bytes again on their own, where offsets are
// exact: the error is among them, or, if they hold a valid value, the
// decoder objected to what came before it (a missing comma).
func (j *jsonStream) syntaxLine() int {
	start := j.offset()
	rest, _ := io.ReadAll(j.dec.Buffered())
	var v json.RawMessage
	var syn *json.SyntaxError
	err := json.NewDecoder(bytes.NewReader(rest)).Decode(&v)
	if errors.As(err, &syn) && syn.Offset > 0 && syn.Offset <= int64(len(rest)) {
		return j.src.lineAt(start) + bytes.Count(rest[:syn.Offset-1], []byte("\n"))
	}
	return j.nextLine()
}

// parseJSONL reads one task per non-empty line.
func (p *parser) parseJSONL(r io.Reader) error {
	src := &source{r: r, max: p.o.Limits.MaxBytes}
	br := bufio.NewReaderSize(src, 64<<10)
	skipBOM(br)
	lr := &lineReader{br: br, max: p.o.Limits.MaxTaskBytes}
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
		line = trimSpace(line)
		if len(line) == 0 {
			continue
		}
		row++
		if row > p.o.Limits.MaxTasks {
			return p.tooMany(row, lr.line)
		}
		if !json.Valid(line) {
			var v json.RawMessage
			msg := "invalid JSON"
			if err := json.Unmarshal(line, &v); err != nil {
				msg += ": " + err.Error()
			}
			return &RowError{Row: row, Line: lr.line, Msg: msg}
		}
		t, err := p.task(line)
		if err != nil {
			return &RowError{Row: row, Line: lr.line, Msg: err.Error()}
		}
		if err := p.emit(t, row, lr.line); err != nil {
			return err
		}
	}
}

// isSpace reports whether c is JSON whitespace.
func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r' || c == '\n'
}

// trimSpace removes JSON whitespace from both ends of b.
func trimSpace(b []byte) []byte {
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}
