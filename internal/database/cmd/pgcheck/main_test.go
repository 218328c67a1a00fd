package main

import (
	"net"
	"strings"
	"testing"
)

// TestSomethingElseOnThePort: a server that answers on the port but is not
// PostgreSQL is refused with a reason, and the password is not repeated.
func TestSomethingElseOnThePort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("HTTP/1.0 400 Bad Request\r\n\r\n"))
			c.Close()
		}
	}()
	_, err = check("postgres://postgres:hunter2-secret@" + ln.Addr().String() + "/test?sslmode=disable")
	if err == nil || !strings.Contains(err.Error(), "cannot connect to postgres://postgres:xxxxx@"+ln.Addr().String()) {
		t.Fatalf("err = %v, want a refusal naming the redacted URL", err)
	}
	if strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("the error repeats the password: %v", err)
	}
	if _, err := check("::not a url"); err == nil {
		t.Fatal("a malformed URL passed")
	}
}
