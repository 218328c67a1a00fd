package memory

import (
	"bufio"
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
)

// exeResident sums the resident kB of this executable's mappings, and of
// those among them that hold private pages.
func exeResident(t *testing.T) (all, private int) {
	t.Helper()
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if strings.Contains(fields[0], "-") && len(fields) >= 5 && len(fields[1]) == 4 {
			in = len(fields) >= 6 && fields[5] == exe
			continue
		}
		if !in || len(fields) < 2 {
			continue
		}
		n, _ := strconv.Atoi(fields[1])
		switch fields[0] {
		case "Rss:":
			all += n
		case "Anonymous:":
			private += n
		}
	}
	return all, private
}

// Dropping the start-up pages unmaps file pages of the binary, keeps every
// written page, and the program runs on: its code and constant data come
// back when used.
func TestDropStartupPages(t *testing.T) {
	// Touch code and data that the test would not otherwise need.
	if _, err := json.Marshal(map[string]any{"a": []int{1, 2, 3}}); err != nil {
		t.Fatal(err)
	}
	before, privBefore := exeResident(t)
	DropStartupPages()
	after, privAfter := exeResident(t)
	if after >= before {
		t.Fatalf("the binary's resident pages went from %d kB to %d kB", before, after)
	}
	if privAfter != privBefore {
		t.Fatalf("private (written) pages of the binary went from %d kB to %d kB", privBefore, privAfter)
	}
	b, err := json.Marshal(map[string]any{"b": "still runs"})
	if err != nil || string(b) != `{"b":"still runs"}` {
		t.Fatalf("after dropping pages: %s, %v", b, err)
	}
}

// The relocated read-only part of a dynamically linked binary is found, so
// that its mapping is never dropped (gloss links SQLite's C code, and its
// GOT lives there, zeros on disk), with the page at offset 0 that gives the
// load bias of a position-independent binary.
func TestReadLayout(t *testing.T) {
	l, ok := readLayout("/bin/sh")
	r := l.relro
	if !ok || r[0] >= r[1] || r[0]%4096 != 0 || r[1]%4096 != 0 || l.first%4096 != 0 || r[0] < l.first {
		t.Fatalf("readLayout(/bin/sh) = %+v, %v: want a page-aligned, non-empty RELRO range above the first page", l, ok)
	}
	if _, ok := readLayout("/proc/self/status"); ok {
		t.Fatal("a file that is not ELF should make DropStartupPages do nothing")
	}
}
