package storage

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"gloss/internal/safehttp"
)

// refuseHello is what a Redis of the RESP2 days answers HELLO with; the
// client goes on in RESP2.
const refuseHello = "-ERR unknown command 'HELLO'\r\n"

// MustFakeRedis serves a fake Redis on loopback that answers the client's
// commands with answers, one each, then hangs up. It returns its address.
func MustFakeRedis(t *testing.T, answers ...string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				for _, say := range answers {
					if _, err := c.Read(buf); err != nil {
						return
					}
					_, _ = io.WriteString(c, say)
				}
			}()
		}
	}()
	return ln.Addr().String()
}

// TestRedisRepliesAreBounded: a Redis storage's host is whatever its
// manager typed, so its replies are hostile input. A declared length is
// believed only once that many bytes have arrived, within redisMaxReply:
// a huge one neither allocates its size nor panics (in a sync's goroutine
// a panic would end the server), and the check says what went wrong.
func TestRedisRepliesAreBounded(t *testing.T) {
	allow, err := safehttp.ParseAllowlist("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	o := safehttp.DefaultOptions()
	o.Allow = allow
	safe := safehttp.New(o)
	for _, tc := range []struct {
		name    string
		answers []string // to HELLO, then to PING
	}{
		{name: "a 1 GiB string", answers: []string{refuseHello, "$1073741824\r\n"}},
		{name: "a length near 2^63", answers: []string{refuseHello, "$9223372036854775800\r\n"}},
		{name: "a length past int64", answers: []string{refuseHello, "$99999999999999999999\r\n"}},
		{name: "a billion-element HELLO", answers: []string{"*1000000000\r\n"}},
		{name: "a HELLO of 2^62 pairs", answers: []string{"%4611686018427387904\r\n"}},
		{name: "a HELLO of 5 million pairs, cut short", answers: []string{"%5000000\r\n"}},
		{name: "a length near 2^63, array", answers: []string{refuseHello, "*9223372036854775800\r\n"}},
		{name: "arrays nested deep", answers: []string{strings.Repeat("*1\r\n", 100)}},
		{name: "a line without end", answers: []string{"+" + strings.Repeat("x", redisMaxLine+10)}},
		{name: "not RESP", answers: []string{"HTTP/1.1 200 OK\r\n\r\n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newRedis(MustFakeRedis(t, tc.answers...), 0, false, Secrets{}, safe)
			defer b.Close()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			err := b.Check(ctx)
			runtime.ReadMemStats(&after)
			if grown := after.TotalAlloc - before.TotalAlloc; grown > 32<<20 {
				t.Errorf("the reply made the client allocate %d MiB", grown>>20)
			}
			if err == nil || ctx.Err() != nil {
				t.Fatalf("want a quick error, got %v (context: %v)", err, ctx.Err())
			}
			if strings.Contains(err.Error(), "xxxxxxxx") || strings.Contains(err.Error(), "HTTP") {
				t.Errorf("the error quotes the server: %.100s", err)
			}
		})
	}
}

// byteConn hands out its data a byte per Read, as a slow network would.
type byteConn struct {
	net.Conn
	data []byte
}

func (c *byteConn) Read(p []byte) (int, error) {
	if len(c.data) == 0 {
		return 0, io.EOF
	}
	p[0] = c.data[0]
	c.data = c.data[1:]
	return 1, nil
}

// TestReplyConnPassesWholeReplies: every kind of RESP2 and RESP3 reply goes
// through unchanged however the network splits it, and each is handed on
// only once it is whole.
func TestReplyConnPassesWholeReplies(t *testing.T) {
	replies := []string{
		"+OK\r\n", "-ERR no\r\n", ":42\r\n", "$5\r\nhe\r\nl\r\n", "$0\r\n\r\n", "$-1\r\n", "*-1\r\n", "_\r\n",
		",3.14\r\n", "#t\r\n", "(123456789012345678901234567890\r\n", "!3\r\nerr\r\n", "=7\r\ntxt:abc\r\n",
		"*2\r\n$1\r\na\r\n*2\r\n:1\r\n$-1\r\n", "*0\r\n", "%1\r\n+k\r\n*1\r\n+v\r\n", "~2\r\n+a\r\n+b\r\n",
		">2\r\n+message\r\n+x\r\n", "|1\r\n+ttl\r\n:3\r\n", "%0\r\n",
	}
	all := strings.Join(replies, "")
	c := newReplyConn(&byteConn{data: []byte(all)})
	var got bytes.Buffer
	buf := make([]byte, 3)
	for {
		n, err := c.Read(buf)
		got.Write(buf[:n])
		// What was handed on and what is ready behind it end where a
		// reply ends.
		if !wholeReplies(got.String()+string(c.buf[:c.ready]), replies) {
			t.Fatalf("handed on part of a reply: %q", got.String())
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if got.String() != all {
		t.Fatalf("got %q\nwant %q", got.String(), all)
	}
}

// wholeReplies reports whether s ends where one of replies ends, read in order.
func wholeReplies(s string, replies []string) bool {
	for _, r := range replies {
		if s == "" {
			return true
		}
		if !strings.HasPrefix(s, r) {
			return false
		}
		s = s[len(r):]
	}
	return s == ""
}
