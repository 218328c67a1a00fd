package storage

import (
	"bytes"
	"errors"
	"net"

	"gloss/internal/safehttp"
)

// A Redis storage's server is whatever host its manager typed in, and
// go-redis believes the lengths a reply declares: "$100000000000" makes it
// allocate 100 GB before one byte of it arrives, and a length near 2^63
// makes it panic, which in a sync's goroutine ends the whole process.
// replyConn stands between the connection and go-redis and hands on a
// reply only once all of it has arrived, within redisMaxReply, so that
// what go-redis allocates is in proportion to what the server really sent.

// redisMaxReply bounds one reply of a Redis storage, as safehttp bounds
// the body of the other kinds': a source's values are task JSON.
const redisMaxReply = safehttp.DefaultMaxBytes

const (
	// redisMaxLine bounds a reply's header line (a type and a length, or
	// a short status or error).
	redisMaxLine = 64 << 10
	// redisMaxDepth bounds how deeply aggregates nest in one reply.
	redisMaxDepth = 32
)

// errRedisReply is the error of a reply that breaks the bounds or the
// protocol; the connection is not used again.
var errRedisReply = errors.New("the Redis server sent a reply that is too large or malformed")

// replyConn is a net.Conn whose reads hand on only complete RESP2/RESP3
// replies.
type replyConn struct {
	net.Conn
	max   int     // redisMaxReply, smaller in tests
	buf   []byte  // read from the connection, not yet handed on
	ready int     // buf[:ready] holds complete replies
	scan  int     // how far buf has been parsed
	open  []int64 // elements still due in each aggregate being read
	err   error   // sticky: the connection's error, or errRedisReply
}

// newReplyConn wraps c.
func newReplyConn(c net.Conn) *replyConn { return &replyConn{Conn: c, max: redisMaxReply} }

func (c *replyConn) Read(p []byte) (int, error) {
	for c.ready == 0 {
		if c.err != nil {
			return 0, c.err
		}
		c.fill()
	}
	n := copy(p, c.buf[:c.ready])
	c.buf = c.buf[n:]
	c.ready -= n
	c.scan -= n
	return n, nil
}

// fill reads once from the connection and parses what came.
func (c *replyConn) fill() {
	if len(c.buf) == cap(c.buf) {
		grown := make([]byte, len(c.buf), max(2*len(c.buf), 32<<10))
		copy(grown, c.buf)
		c.buf = grown
	}
	n, err := c.Conn.Read(c.buf[len(c.buf):cap(c.buf)])
	c.buf = c.buf[:len(c.buf)+n]
	if perr := c.parse(); perr != nil {
		c.err = perr
		c.ready = 0 // nothing more of this connection is believed
		return
	}
	if err != nil {
		c.err = err
	}
}

// parse moves scan over every whole item that has arrived, and ready to
// the end of the last whole reply.
func (c *replyConn) parse() error {
	for {
		if len(c.buf)-c.ready > c.max {
			return errRedisReply
		}
		end := bytes.Index(c.buf[c.scan:], []byte("\r\n"))
		if end < 0 {
			if len(c.buf)-c.scan > redisMaxLine {
				return errRedisReply
			}
			return nil
		}
		if end == 0 || end > redisMaxLine {
			return errRedisReply
		}
		head := c.buf[c.scan : c.scan+end]
		next := c.scan + end + 2
		due := int64(0) // elements of an aggregate that begins here
		switch head[0] {
		case '+', '-', ':', ',', '(', '#', '_': // one line
		case '$', '=', '!': // a length, then that many bytes and CRLF
			n, ok := replyLen(head[1:], int64(c.max))
			if !ok {
				return errRedisReply
			}
			if n >= 0 {
				if int64(len(c.buf)-next) < n+2 {
					return nil // the rest has not arrived
				}
				next += int(n) + 2
			}
		case '*', '~', '>': // arrays, sets, pushes: a count of elements
			n, ok := replyLen(head[1:], int64(c.max))
			if !ok {
				return errRedisReply
			}
			due = max(n, 0)
		case '%', '|': // maps and attributes: a count of pairs
			n, ok := replyLen(head[1:], int64(c.max)/2)
			if !ok {
				return errRedisReply
			}
			due = 2 * max(n, 0)
		default:
			return errRedisReply
		}
		c.scan = next
		if due > 0 {
			if len(c.open) == redisMaxDepth {
				return errRedisReply
			}
			c.open = append(c.open, due)
			continue
		}
		// One whole item: it counts towards the aggregates it ends.
		for len(c.open) > 0 {
			c.open[len(c.open)-1]--
			if c.open[len(c.open)-1] > 0 {
				break
			}
			c.open = c.open[:len(c.open)-1]
		}
		if len(c.open) == 0 {
			c.ready = c.scan
		}
	}
}

// replyLen reads a declared length or count: -1 (null) up to limit.
func replyLen(b []byte, limit int64) (int64, bool) {
	if string(b) == "-1" {
		return -1, true
	}
	if len(b) == 0 || len(b) > 19 {
		return 0, false
	}
	var n int64
	for _, d := range b {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
		if n > limit {
			return 0, false
		}
	}
	return n, true
}
