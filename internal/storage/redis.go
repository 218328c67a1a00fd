package storage

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"gloss/internal/safehttp"
)

// redisBucket is a Redis database through go-redis, whose every connection
// is dialled by the SSRF-safe client. Keys are objects; as in Label
// Studio, a source's values are task JSON and a target's values are the
// annotations written to it.
type redisBucket struct {
	client *redis.Client
}

// redisDialTimeout bounds connecting to a Redis storage, and its TLS
// handshake.
const redisDialTimeout = 10 * time.Second

// newRedis returns the bucket of a Redis storage at addr (host:port).
func newRedis(addr string, db int, useTLS bool, sec Secrets, safe *safehttp.Client) *redisBucket {
	o := &redis.Options{
		Addr:        addr,
		DB:          db,
		Password:    sec.Password,
		Dialer:      redisDialer(safe, useTLS),
		DialTimeout: redisDialTimeout,
		// A refused certificate or a closed port does not heal in the
		// next 100 ms: one attempt, not go-redis's five.
		DialerRetries: 1,
		ReadTimeout:   30 * time.Second,
		WriteTimeout:  30 * time.Second,
		MaxRetries:    1,
		PoolSize:      2,
	}
	return &redisBucket{client: redis.NewClient(o)}
}

// redisDialer dials through the SSRF-safe client and, for a TLS storage,
// negotiates TLS over the checked connection itself: go-redis applies
// Options.TLSConfig only in its own dialer, never around a custom one, so
// leaving TLS to it would send the password in the clear. The TLS settings
// are the safe client's (its root pool holds CUSTOM_CA_CERTS and
// AWS_CA_BUNDLE) and the certificate must name the storage's host. Either
// way go-redis reads through a replyConn, which bounds what the server may
// make it allocate.
func redisDialer(safe *safehttp.Client, useTLS bool) func(context.Context, string, string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := safe.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		if !useTLS {
			return newReplyConn(conn), nil
		}
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			conn.Close()
			return nil, err
		}
		cfg := safe.TLSConfig()
		cfg.ServerName = host
		tc := tls.Client(conn, cfg)
		// Bounded: a server that speaks no TLS may wait for more bytes
		// instead of answering the handshake.
		hctx, cancel := context.WithTimeout(ctx, redisDialTimeout)
		defer cancel()
		if err := tc.HandshakeContext(hctx); err != nil {
			conn.Close()
			// (go-redis's own dial bound ends ctx at the same moment.)
			if hctx.Err() != nil && !errors.Is(ctx.Err(), context.Canceled) {
				return nil, errTLSSilent
			}
			return nil, err
		}
		return newReplyConn(tc), nil
	}
}

// globEscape escapes a prefix for a SCAN MATCH pattern.
func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[]\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (b *redisBucket) List(ctx context.Context, prefix string, _ bool, fn func(Object) error) error {
	it := b.client.Scan(ctx, 0, globEscape(prefix)+"*", 500).Iterator()
	for it.Next(ctx) {
		if err := fn(Object{Key: it.Val(), Size: -1}); err != nil {
			return err
		}
	}
	return redisError(it.Err())
}

func (b *redisBucket) Open(ctx context.Context, key, _ string) (*Reader, error) {
	v, err := b.client.Get(ctx, key).Bytes()
	if err != nil {
		return nil, redisError(err)
	}
	return &Reader{Body: readCloser{strings.NewReader(string(v)), nopCloser{}}, Size: int64(len(v))}, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

func (b *redisBucket) Presign(context.Context, string, time.Duration) (string, error) {
	return "", errNoPresign
}

func (b *redisBucket) Write(ctx context.Context, key string, body []byte) error {
	return redisError(b.client.Set(ctx, key, body, 0).Err())
}

func (b *redisBucket) Delete(ctx context.Context, key string) error {
	return redisError(b.client.Del(ctx, key).Err())
}

func (b *redisBucket) Check(ctx context.Context) error {
	return redisError(b.client.Ping(ctx).Err())
}

// redisError turns a go-redis error into a short one of our own: the
// server's words are not repeated, only what kind of failure it was.
func redisError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, redis.Nil):
		return ErrNotFound
	}
	var se *safehttp.Error
	if errors.As(err, &se) {
		return errors.New(se.Msg)
	}
	msg := err.Error()
	switch {
	case strings.Contains(msg, "NOAUTH"), strings.Contains(msg, "WRONGPASS"), strings.Contains(msg, "invalid password"):
		return errors.New("Redis refused the password")
	case strings.HasPrefix(msg, "ERR "), strings.Contains(msg, "DB index"):
		return errors.New("Redis refused the request")
	}
	return networkError(err)
}

// Close ends the bucket's connections.
func (b *redisBucket) Close() error { return b.client.Close() }
