package importer

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Errors the source returns in place of data; parsers turn them into
// a *RowError with readError.
var (
	errFileTooLarge = errors.New("importer: input over MaxBytes")
	errTaskTooLarge = errors.New("importer: task over MaxTaskBytes")
)

// readAhead is how far past MaxTaskBytes a parser's buffers may read
// before the source refuses: decoders read in chunks and keep the
// whitespace between tasks, so the exact per-task check happens on the
// parsed task and this only bounds memory.
const readAhead = 64 << 10

// bom is the UTF-8 byte order mark some editors put at the start of files.
var bom = []byte{0xEF, 0xBB, 0xBF}

// source is the reader every parser reads its input through. It refuses
// to hand out more than max bytes in all, and, when span is set, more than
// span bytes past mark, the offset where the current task starts; that
// keeps a decoder from buffering a huge task before the parser can see its
// size. With lines set it also remembers where the newlines are in the
// bytes handed out that the parser has not yet passed, so lineAt can turn
// a decoder offset into a line number without keeping the file.
type source struct {
	r     io.Reader
	n     int64 // bytes handed out so far
	max   int64
	mark  int64
	span  int64 // 0 means no limit
	lines bool
	// err is the first error Read returned other than io.EOF. Parsers
	// check it because a decoder may report a read error as a syntax
	// error (encoding/json built with GOEXPERIMENT=jsonv2 does).
	err error

	newlines []int64 // offsets of newlines not yet passed by lineAt
	passed   int     // newlines before the last offset given to lineAt
}

// Read implements io.Reader.
func (s *source) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if s.n >= s.max {
		// A file exactly max bytes long is fine: only refuse when there
		// is at least one more byte.
		var b [1]byte
		k, err := s.r.Read(b[:])
		if k > 0 {
			return 0, s.fail(errFileTooLarge)
		}
		return 0, s.fail(err)
	}
	if room := s.max - s.n; int64(len(p)) > room {
		p = p[:room]
	}
	if s.span > 0 {
		room := s.mark + s.span - s.n
		if room <= 0 {
			return 0, s.fail(errTaskTooLarge)
		}
		if int64(len(p)) > room {
			p = p[:room]
		}
	}
	k, err := s.r.Read(p)
	if s.lines {
		for i := 0; i < k; {
			j := bytes.IndexByte(p[i:k], '\n')
			if j < 0 {
				break
			}
			s.newlines = append(s.newlines, s.n+int64(i+j))
			i += j + 1
		}
	}
	s.n += int64(k)
	return k, s.fail(err)
}

// fail records err as the source's error unless it is nil or io.EOF, and
// returns it.
func (s *source) fail(err error) error {
	if err != nil && err != io.EOF && s.err == nil {
		s.err = err
	}
	return err
}

// lineAt returns the 1-based line of the byte at offset off. Offsets must
// not decrease from one call to the next, and must be of bytes already read.
func (s *source) lineAt(off int64) int {
	i := 0
	for i < len(s.newlines) && s.newlines[i] < off {
		i++
	}
	s.passed += i
	s.newlines = s.newlines[i:]
	return s.passed + 1
}

// skipBOM drops a UTF-8 byte order mark at the start of br and reports
// how many bytes it dropped.
func skipBOM(br *bufio.Reader) int {
	if b, _ := br.Peek(len(bom)); bytes.Equal(b, bom) {
		n, _ := br.Discard(len(bom))
		return n
	}
	return 0
}

// lineReader reads lines of at most max bytes, counting them.
type lineReader struct {
	br   *bufio.Reader
	max  int
	buf  []byte
	line int // number of the line last returned
}

// errLineTooLong reports a line over the reader's max.
var errLineTooLong = errors.New("importer: line too long")

// next returns the next line without its line ending ("\n" or "\r\n").
// The bytes are valid until the next call. At the end of input it returns
// io.EOF; a line longer than max gives errLineTooLong, with r.line set to it.
func (r *lineReader) next() ([]byte, error) {
	r.line++
	r.buf = r.buf[:0]
	var line []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		if err == nil && len(r.buf) == 0 {
			// The whole line was in the buffer: no copy needed.
			line = chunk
			break
		}
		if len(r.buf)+len(chunk) > r.max+2 { // +2 for "\r\n"
			return nil, errLineTooLong
		}
		r.buf = append(r.buf, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(r.buf) > 0 {
			err = nil
		}
		if err != nil {
			return nil, err
		}
		line = r.buf
		break
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > r.max {
		return nil, errLineTooLong
	}
	return line, nil
}
