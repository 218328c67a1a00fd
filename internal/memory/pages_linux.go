package memory

import (
	"bufio"
	"debug/elf"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// DropStartupPages hands back the executable's pages that start-up mapped
// and serving does not use: package initializers of the cloud SDKs, the
// migration, the flag and config code. They are the read-only file pages of
// the binary (code and constant data), mapped into the process, which Linux
// counts in its resident memory: a page cache that holds the binary in
// large folios maps a whole folio (up to 2 MB) for one touched byte, so
// start-up left about 60 MB of a 96 MB binary mapped, most of it never
// touched again. Unmapping them (MADV_DONTNEED) loses nothing: they stay in
// the page cache, shared, and a later use maps them again. Left alone are
// writable mappings, mappings that hold any private (written) page, in
// memory or swapped out, and any mapping of the addresses the dynamic
// loader relocates and then makes read-only (PT_GNU_RELRO: the GOT of the C
// libraries, zeros on disk), whatever smaps says of it.
func DropStartupPages() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	layout, ok := readLayout(exe)
	if !ok {
		return
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return
	}
	defer f.Close()
	type mapping struct {
		start, end uintptr
		private    bool // holds written pages, or maps the relocated part of the file
	}
	var ms []*mapping
	var cur *mapping
	// The load bias: where the loader put the file's first page, less the
	// address the file asks for it (0 but for a position-independent
	// binary). The first mapping of the file maps offset 0.
	var bias uint64
	biased := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		if lo, hi, ok := strings.Cut(fields[0], "-"); ok && len(fields) >= 5 && len(fields[1]) == 4 {
			// A mapping's header: range, permissions, offset, device, inode[, path].
			cur = nil
			if len(fields) < 6 || fields[5] != exe || fields[1][1] == 'w' {
				continue
			}
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			off, err3 := strconv.ParseUint(fields[2], 16, 64)
			if err1 != nil || err2 != nil || err3 != nil || end <= start {
				continue
			}
			if !biased {
				if off != 0 {
					return // not the layout readLayout read: drop nothing
				}
				bias, biased = start-layout.first, true
			}
			cur = &mapping{start: uintptr(start), end: uintptr(end)}
			// A mapping of the relocated addresses is never dropped. Its
			// neighbour may map the same page of the file (segments share
			// the page at their boundary), at other addresses: that one is
			// the file as it is on disk, and may go.
			relro := [2]uint64{bias + layout.relro[0], bias + layout.relro[1]}
			cur.private = start < relro[1] && relro[0] < end
			ms = append(ms, cur)
			continue
		}
		switch fields[0] {
		case "Anonymous:", "Swap:", "SwapPss:":
			if cur != nil && (len(fields) < 2 || fields[1] != "0") {
				cur.private = true
			}
		}
	}
	if sc.Err() != nil {
		return
	}
	for _, m := range ms {
		if !m.private {
			_, _, _ = unix.Syscall(unix.SYS_MADVISE, m.start, m.end-m.start, unix.MADV_DONTNEED)
		}
	}
}

// layout is what DropStartupPages needs of the executable's program
// headers, as addresses the file asks for.
type layout struct {
	first uint64    // the page of the loadable segment at file offset 0
	relro [2]uint64 // the pages of PT_GNU_RELRO ([0, 0) without one)
}

// readLayout reads exe's layout, or returns false when exe cannot be read
// as ELF or has no loadable segment at offset 0: then nothing is dropped.
func readLayout(exe string) (layout, bool) {
	f, err := elf.Open(exe)
	if err != nil {
		return layout{}, false
	}
	defer f.Close()
	// Whole pages: the loader maps and protects the pages a segment covers.
	const page = 4096
	var l layout
	found := false
	for _, p := range f.Progs {
		switch {
		case p.Type == elf.PT_LOAD && p.Off == 0 && !found:
			l.first, found = p.Vaddr&^(page-1), true
		case p.Type == elf.PT_GNU_RELRO:
			l.relro = [2]uint64{p.Vaddr &^ (page - 1), (p.Vaddr + p.Memsz + page - 1) &^ (page - 1)}
		}
	}
	return l, found
}
